from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ForecastCommon


@tagged("post_install", "-at_install")
class TestCalibrationDate(ForecastCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Forecast Mon-Fri", "tz": "UTC", "company_id": cls.company.id}
        )
        cls.company.resource_calendar_id = cls.calendar

    def _holiday(self, day):
        return self.env["resource.calendar.leaves"].create(
            {
                "name": "Forecast public holiday",
                "calendar_id": self.calendar.id,
                "company_id": self.company.id,
                "date_from": datetime.combine(day, datetime.min.time()),
                "date_to": datetime(day.year, day.month, day.day, 23, 59, 59),
            }
        )

    def test_plain_month(self):
        """Without holidays, April 2026 ends Thu 30, so the third-to-last working day is Tue 28."""
        self.assertEqual(
            self.company._get_forecast_calibration_date(date(2026, 4, 10)), date(2026, 4, 28)
        )

    def test_weekend_skipped(self):
        """May 2026 ends on a weekend, so the calibration day is Wed 27."""
        self.assertEqual(
            self.company._get_forecast_calibration_date(date(2026, 5, 1)), date(2026, 5, 27)
        )

    def test_public_holiday_skipped(self):
        """A public holiday on Wed 29 April moves the calibration day to Mon 27."""
        self._holiday(date(2026, 4, 29))

        self.assertEqual(
            self.company._get_forecast_calibration_date(date(2026, 4, 1)), date(2026, 4, 27)
        )

    def test_employee_leave_ignored(self):
        """Time off of one employee is not a public holiday."""
        resource = self.env["resource.resource"].create(
            {"name": "Forecast Employee", "calendar_id": self.calendar.id}
        )
        leave = self._holiday(date(2026, 4, 29))
        leave.resource_id = resource

        self.assertEqual(
            self.company._get_forecast_calibration_date(date(2026, 4, 1)), date(2026, 4, 28)
        )

    def test_makeup_day_counted(self):
        """A worked Saturday 30 May counts, and with a holiday on Thu 28 the day is Wed 27."""
        self.env["resource.calendar.makeup.day"].create(
            {
                "name": "Dragon Boat Festival make-up day",
                "calendar_id": self.company.resource_calendar_id.id,
                "date": date(2026, 5, 30),
                "worked_as": "4",
            }
        )

        self.assertEqual(
            self.company._get_forecast_calibration_date(date(2026, 5, 1)), date(2026, 5, 28)
        )
        self._holiday(date(2026, 5, 28))
        self.assertEqual(
            self.company._get_forecast_calibration_date(date(2026, 5, 1)), date(2026, 5, 27)
        )

    def test_makeup_day_other_calendar(self):
        """A make-up day of another working schedule does not move the company's day."""
        other = self.env["resource.calendar"].create({"name": "Other schedule", "tz": "UTC"})
        self.env["resource.calendar.makeup.day"].create(
            {"name": "Other make-up day", "calendar_id": other.id, "date": date(2026, 5, 30)}
        )

        self.assertEqual(
            self.company._get_forecast_calibration_date(date(2026, 5, 1)), date(2026, 5, 27)
        )


@tagged("post_install", "-at_install")
class TestCalibrationDay(ForecastCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Forecast Mon-Fri", "tz": "UTC", "company_id": cls.company.id}
        )
        cls.company.resource_calendar_id = cls.calendar
        cls.Calibration = cls.env["sales.forecast.calibration"]
        cls.lead_yellow = cls._create_opportunity(name="Calibration yellow")
        cls._add_evidence(cls.lead_yellow, cls.type_purchase_intent, date(2026, 4, 1))
        cls.lead_red = cls._create_opportunity(name="Calibration red")
        cls.lead_green = cls._create_opportunity(name="Calibration green")
        cls._add_evidence(cls.lead_green, cls.type_payment_voucher, date(2026, 4, 1))
        cls.lead_other = cls._create_opportunity(
            name="Calibration other rep", user_id=cls.user_salesman_other.id
        )

    def _open(self):
        with freeze_time("2026-04-28 00:30:00"):
            self.Calibration._cron_forecast_calibration()
        return self.Calibration.search(
            [("company_id", "=", self.company.id), ("date", "=", date(2026, 4, 28))]
        )

    def _close(self):
        with freeze_time("2026-04-29 00:30:00"):
            self.Calibration._cron_forecast_calibration()

    def _item(self, calibration, lead):
        return calibration.item_ids.filtered(lambda item: item.lead_id == lead)

    def test_not_calibration_day(self):
        """On another day the job opens no calibration."""
        with freeze_time("2026-04-27 00:30:00"):
            self.Calibration._cron_forecast_calibration()

        self.assertFalse(self.Calibration.search([("company_id", "=", self.company.id)]))

    def test_morning_review_activity(self):
        """Each rep gets one activity listing their yellow and red deals, green ones left out."""
        calibration = self._open()

        self.assertTrue(self._item(calibration, self.lead_yellow))
        self.assertTrue(self._item(calibration, self.lead_red))
        self.assertFalse(self._item(calibration, self.lead_green))
        activity = calibration.activity_ids.filtered(
            lambda activity: activity.user_id == self.user_salesman
        )
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.date_deadline, date(2026, 4, 28))
        self.assertIn("Calibration yellow", activity.note)
        self.assertIn("Calibration red", activity.note)
        self.assertNotIn("Calibration other rep", activity.note)

    def test_open_once(self):
        """Running the job twice on the calibration day opens it once."""
        self._open()
        calibration = self._open()

        self.assertEqual(len(calibration), 1)

    def test_unconfirmed_drops_one_colour(self):
        """A yellow deal not confirmed drops to red after the day, logged as a calibration downgrade."""
        calibration = self._open()
        self._close()

        item = self._item(calibration, self.lead_yellow)
        self.assertEqual(calibration.state, "closed")
        self.assertEqual(item.state, "downgraded")
        self.assertEqual(self.lead_yellow.forecast_color, "red")
        self.assertEqual(item.downgrade_id.kind, "calibration")
        self.assertEqual(item.downgrade_id.color_from, "yellow")
        self.assertIn("calibration day", self.lead_yellow.forecast_color_reason)
        self.assertFalse(calibration.activity_ids)

    def test_red_stays_red(self):
        """A red deal not confirmed stays red and is marked not confirmed."""
        calibration = self._open()
        self._close()

        self.assertEqual(self._item(calibration, self.lead_red).state, "missed")
        self.assertEqual(self.lead_red.forecast_color, "red")

    def test_new_evidence_confirms(self):
        """New evidence on the calibration day confirms the deal, and it keeps its colour."""
        calibration = self._open()
        with freeze_time("2026-04-28 10:00:00"):
            evidence = self._add_evidence(
                self.lead_yellow, self.type_purchase_intent, date(2026, 4, 28)
            )
        self._close()

        item = self._item(calibration, self.lead_yellow)
        self.assertEqual(item.state, "confirmed")
        self.assertEqual(item.evidence_id, evidence)
        self.assertEqual(self.lead_yellow.forecast_color, "yellow")

    def test_weaker_evidence_not_confirming(self):
        """A verbal commitment does not confirm a yellow deal."""
        calibration = self._open()
        with freeze_time("2026-04-28 10:00:00"):
            self._add_evidence(self.lead_yellow, self.type_verbal_commitment, date(2026, 4, 28))

        self.assertEqual(self._item(calibration, self.lead_yellow).state, "pending")

    def test_rep_reconfirms(self):
        """The rep re-confirms the existing evidence; another rep may not."""
        calibration = self._open()
        item = self._item(calibration, self.lead_yellow)

        with self.assertRaises(AccessError):
            item.with_user(self.user_salesman_other).action_reconfirm()
        item.with_user(self.user_salesman).action_reconfirm()
        self._close()

        self.assertEqual(item.state, "confirmed")
        self.assertEqual(self.lead_yellow.forecast_color, "yellow")

    def test_reconfirm_expired_rejected(self):
        """Evidence that expired no longer proves the colour and cannot be re-confirmed."""
        calibration = self._open()
        item = self._item(calibration, self.lead_yellow)
        self.lead_yellow.evidence_ids.date_expiry = date(2026, 4, 20)

        with self.assertRaises(UserError):
            item.with_user(self.user_salesman).action_reconfirm()

    def test_downgrade_reversed_by_evidence(self):
        """After the automatic drop, new yellow evidence brings the deal back to yellow."""
        self._open()
        self._close()
        self.assertEqual(self.lead_yellow.forecast_color, "red")

        with freeze_time("2026-04-29 09:00:00"):
            self._add_evidence(self.lead_yellow, self.type_purchase_intent, date(2026, 4, 29))

        self.assertEqual(self.lead_yellow.forecast_color, "yellow")
        self.assertEqual(self.lead_yellow.forecast_downgrade_ids.state, "lifted")

    def test_status_per_rep(self):
        """Managers read the status of every rep; a rep reads only their own deals."""
        self._open()
        Item = self.env["sales.forecast.calibration.item"]
        domain = [("lead_id", "in", (self.lead_yellow | self.lead_red | self.lead_other).ids)]

        status = Item.with_user(self.user_manager)._read_group(
            domain, ["user_id", "state"], ["__count"]
        )
        own = Item.with_user(self.user_salesman).search(domain)

        self.assertIn((self.user_salesman, "pending", 2), status)
        self.assertIn((self.user_salesman_other, "pending", 1), status)
        self.assertEqual(own.lead_id, self.lead_yellow | self.lead_red)
