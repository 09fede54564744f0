from datetime import datetime, timedelta

from pytz import timezone, utc

from odoo import fields, models

from odoo.addons.resource.models.utils import Intervals, float_to_time

from ..silence_clock import WallClock, WorkingClock


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    makeup_day_ids = fields.One2many(
        "resource.calendar.makeup.day", "calendar_id", string="Make-up Working Days"
    )

    def _silence_clock(self):
        """Return a clock counting the working hours of this schedule.

        Working hours are the weekly attendances minus the public holidays and
        other time off of the schedule (resource.calendar.leaves without an
        employee), plus the make-up working days. An empty ``self`` returns a
        wall clock.
        """
        if not self:
            return WallClock()
        self.ensure_one()
        return WorkingClock(self._silence_work_intervals)

    def _silence_work_intervals(self, start, end):
        """Return the working time in ``[start, end)`` as sorted, aware UTC pairs."""
        work = self._work_intervals_batch(start, end, compute_leaves=True)[False]
        work |= self._silence_makeup_intervals(start, end)
        return [
            (interval_start.astimezone(utc), interval_stop.astimezone(utc))
            for interval_start, interval_stop, _records in work
        ]

    def _silence_makeup_intervals(self, start, end):
        """Return the working intervals of the make-up days between ``start`` and ``end``."""
        tz = timezone(self.tz or "UTC")
        local_start, local_end = start.astimezone(tz), end.astimezone(tz)
        days = self.makeup_day_ids.filtered(
            lambda day: local_start.date() <= day.date <= local_end.date()
        )
        pieces = []
        for day in days:
            # NOTE: two-week schedules are read as if both weeks were the same.
            attendances = self.attendance_ids.filtered(
                lambda line, day=day: (
                    line.dayofweek == day.worked_as
                    and not line.display_type
                    and not line.resource_id
                    and line.day_period != "lunch"
                )
            )
            for attendance in attendances:
                day_start = tz.localize(
                    datetime.combine(day.date, float_to_time(attendance.hour_from))
                )
                if attendance.hour_to >= 24:
                    day_stop = tz.localize(
                        datetime.combine(day.date + timedelta(days=1), datetime.min.time())
                    )
                else:
                    day_stop = tz.localize(
                        datetime.combine(day.date, float_to_time(attendance.hour_to))
                    )
                clipped_start, clipped_stop = max(day_start, start), min(day_stop, end)
                if clipped_start < clipped_stop:
                    pieces.append(
                        (clipped_start, clipped_stop, self.env["resource.calendar.attendance"])
                    )
        return Intervals(pieces)
