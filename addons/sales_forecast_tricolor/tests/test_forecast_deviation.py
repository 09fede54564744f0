from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import ForecastCommon


@tagged("post_install", "-at_install")
class TestForecastDeviation(ForecastCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Deviation = cls.env["sales.forecast.deviation"]
        cls.lead = cls._create_opportunity(
            name="Deviation deal", expected_revenue=10000.0, date_deadline=date(2026, 3, 20)
        )
        cls._add_evidence(cls.lead, cls.type_payment_voucher)
        cls.lead_later = cls._create_opportunity(
            name="Deviation later", date_deadline=date(2026, 6, 20)
        )
        with freeze_time("2026-03-01"):
            cls.snapshot = cls.env["sales.forecast.snapshot"]._take_snapshot(cls.company)
        cls.reason_budget = cls.env.ref("sales_forecast_tricolor.deviation_reason_budget_frozen")
        cls.reason_late = cls.env.ref("sales_forecast_tricolor.deviation_reason_solution_late")

    def _deviations(self, lead):
        return self.Deviation.search([("lead_id", "=", lead.id)])

    @freeze_time("2026-03-10")
    def test_lost_recorded(self):
        """Losing a deal forecast for this month records a lost deviation with its forecast."""
        self.lead.action_set_lost()

        deviation = self._deviations(self.lead)
        self.assertEqual(deviation.kind, "lost")
        self.assertEqual(deviation.period_start, date(2026, 3, 1))
        self.assertEqual(deviation.forecast_color, "green")
        self.assertAlmostEqual(deviation.weighted_revenue, 9000.0)
        self.assertEqual(deviation.user_id, self.user_salesman)
        self.assertEqual(deviation.state, "to_explain")

    @freeze_time("2026-03-10")
    def test_slip_recorded(self):
        """Moving the expected closing past the month records a slip, once."""
        self.lead.date_deadline = date(2026, 4, 15)
        self.lead.date_deadline = date(2026, 4, 20)

        deviation = self._deviations(self.lead)
        self.assertEqual(len(deviation), 1)
        self.assertEqual(deviation.kind, "slipped")

    @freeze_time("2026-03-10")
    def test_move_within_month_ignored(self):
        """A new expected closing inside the month is no slip, nor is losing an unforecast deal."""
        self.lead.date_deadline = date(2026, 3, 28)
        self.lead_later.action_set_lost()

        self.assertFalse(self._deviations(self.lead))
        self.assertFalse(self._deviations(self.lead_later))

    def test_period_end_slip(self):
        """A deal forecast for the month and still open when the next month starts has slipped."""
        with freeze_time("2026-03-01 00:20:00"):
            self.env["sales.forecast.snapshot"]._cron_take_period_snapshots()
        with freeze_time("2026-04-01 00:20:00"):
            self.env["sales.forecast.snapshot"]._cron_take_period_snapshots()

        deviation = self._deviations(self.lead)
        self.assertEqual(deviation.kind, "slipped")
        self.assertEqual(deviation.period_start, date(2026, 3, 1))

    @freeze_time("2026-03-10")
    def test_rep_explains(self):
        """The rep records cause, sub-reason and note, and the deviation is explained."""
        self.lead.action_set_lost()
        deviation = self._deviations(self.lead).with_user(self.user_salesman)

        deviation.write(
            {"side": "customer", "reason_id": self.reason_budget.id, "note": "Budget cut in March."}
        )

        self.assertEqual(deviation.state, "explained")

    @freeze_time("2026-03-10")
    def test_reason_side_checked(self):
        """A sub-reason of another cause is rejected."""
        self.lead.action_set_lost()
        deviation = self._deviations(self.lead)

        with self.assertRaises(ValidationError):
            deviation.write({"side": "customer", "reason_id": self.reason_late.id})

    @freeze_time("2026-03-10")
    def test_rep_cannot_edit_facts(self):
        """A rep cannot change the recorded forecast of a deviation, nor see another rep's."""
        self.lead.action_set_lost()
        deviation = self._deviations(self.lead)

        with self.assertRaises(AccessError):
            deviation.with_user(self.user_salesman).write({"weighted_revenue": 1.0})
        self.assertFalse(
            self.Deviation.with_user(self.user_salesman_other).search([("id", "=", deviation.id)])
        )

    @freeze_time("2026-03-10")
    def test_board_by_cause(self):
        """The board totals the misses by cause and team."""
        self.lead.action_set_lost()
        self._deviations(self.lead).write({"side": "our", "reason_id": self.reason_late.id})

        groups = self.Deviation._read_group(
            [("team_id", "=", self.team.id)], ["side", "team_id"], ["weighted_revenue:sum"]
        )

        self.assertEqual(groups, [("our", self.team, 9000.0)])
