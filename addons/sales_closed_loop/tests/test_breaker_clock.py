from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from ..silence_clock import WallClock
from .silence_common import SilenceCase

# Friday 2030-01-11 16:00 in Shanghai (UTC+8) is 08:00 UTC.
FRIDAY_16H_SHANGHAI = datetime(2030, 1, 11, 8, 0)


def shanghai(year, month, day, hour, minute=0):
    """Return the naive UTC datetime of a Shanghai wall-clock time (UTC+8, no DST)."""
    return datetime(year, month, day, hour, minute) - timedelta(hours=8)


@tagged("post_install", "-at_install")
class TestBreakerClock(SilenceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The default attendances: Monday to Friday, 08:00-12:00 and 13:00-17:00.
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Shanghai office", "tz": "Asia/Shanghai", "company_id": cls.env.company.id}
        )
        cls.team.write(
            {
                "silence_time_mode": "working",
                "silence_calendar_id": cls.calendar.id,
                "silence_breaker_hours": 16,
            }
        )

    def _silent_since(self, moment):
        self._reset_ledger(self.lead, outbound=moment, interaction=moment)
        return self.lead.silence_breaker_due_date

    def test_working_hours_weekend(self):
        """16 working hours from Friday 16:00 skip the weekend and end Tuesday 16:00."""
        due = self._silent_since(FRIDAY_16H_SHANGHAI)
        self.assertEqual(due, shanghai(2030, 1, 15, 16))

    def test_working_hours_holiday(self):
        """A public holiday on Monday moves the deadline one working day later."""
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": shanghai(2030, 1, 14, 0),
                "date_to": shanghai(2030, 1, 14, 23, 59),
            }
        )
        due = self._silent_since(FRIDAY_16H_SHANGHAI)
        self.assertEqual(due, shanghai(2030, 1, 16, 16))

    def test_working_hours_makeup_day(self):
        """A make-up working Saturday counts as a working day."""
        self.env["resource.calendar.makeup.day"].create(
            {"name": "Make-up day", "calendar_id": self.calendar.id, "date": "2030-01-12"}
        )
        due = self._silent_since(FRIDAY_16H_SHANGHAI)
        self.assertEqual(due, shanghai(2030, 1, 14, 16))

    def test_holiday_added_later(self):
        """The cron rechecks a stored deadline: a holiday added since delays the escalation."""
        due = self._silent_since(FRIDAY_16H_SHANGHAI)
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": shanghai(2030, 1, 14, 0),
                "date_to": shanghai(2030, 1, 14, 23, 59),
            }
        )
        with freeze_time(due + timedelta(minutes=1)):
            counts = self.env["crm.lead"]._cron_silence_breaker()
        self.assertEqual(counts["done"], 0)
        self.assertEqual(self.lead.user_id, self.user_salesman)
        self.assertEqual(self.lead.silence_breaker_due_date, shanghai(2030, 1, 16, 16))

    def test_boundary_working_hours(self):
        """The cron escalates one minute after the working-hours deadline, not one minute before."""
        due = self._silent_since(FRIDAY_16H_SHANGHAI)
        with freeze_time(due - timedelta(minutes=1)):
            self.env["crm.lead"]._cron_silence_breaker()
        self.assertEqual(self.lead.user_id, self.user_salesman)
        with freeze_time(due + timedelta(minutes=1)):
            self.env["crm.lead"]._cron_silence_breaker()
        self.assertEqual(self.lead.user_id, self.user_salesman_other)
        escalation = self.lead.escalation_ids
        self.assertAlmostEqual(escalation.silence_hours, 16 + 1 / 60, places=3)

    def test_user_timezone_irrelevant(self):
        """Users in Asia/Shanghai and in UTC get the same deadline."""
        self.user_salesman.tz = "Asia/Shanghai"
        due_shanghai = self._silent_since(FRIDAY_16H_SHANGHAI)
        self.user_salesman.tz = "UTC"
        self.env.user.tz = "Asia/Shanghai"
        self.lead.invalidate_recordset()
        self.env.add_to_compute(self.lead._fields["silence_breaker_due_date"], self.lead)
        due_recomputed = self.lead.with_context(tz="UTC").silence_breaker_due_date
        self.assertEqual(due_shanghai, due_recomputed)
        self.assertEqual(due_shanghai, shanghai(2030, 1, 15, 16))

    def test_schedule_timezone_matters(self):
        """The schedule's own timezone places its working hours."""
        self.calendar.tz = "UTC"
        due = self._silent_since(FRIDAY_16H_SHANGHAI)
        # Friday 08:00 UTC: 8 hours on Friday (08-12, 13-17), 8 on Monday.
        self.assertEqual(due, datetime(2030, 1, 14, 17, 0))

    def test_wall_clock_weekend(self):
        """Calendar hours count the weekend."""
        self.team.silence_time_mode = "wall"
        self.team.silence_breaker_hours = 72
        due = self._silent_since(FRIDAY_16H_SHANGHAI)
        self.assertEqual(due, FRIDAY_16H_SHANGHAI + timedelta(hours=72))
        self.assertEqual(WallClock().hours_between(FRIDAY_16H_SHANGHAI, due), 72)
