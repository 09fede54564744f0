from datetime import datetime, time, timedelta

import pytz

from odoo import fields, models

from ..calibration_day import nth_last_working_day


class ResCompany(models.Model):
    _inherit = "res.company"

    def _get_forecast_calibration_date(self, day):
        """Return the calibration day of the month that contains ``day``.

        It is the third-to-last working day of the company's working
        schedule: weekdays with working hours, minus public holidays (time off
        without an employee on the schedule or on every schedule), plus
        make-up working days from ``_get_forecast_makeup_days``.
        """
        self.ensure_one()
        month_start = day.replace(day=1)
        next_month = (month_start + timedelta(days=32)).replace(day=1)
        month_end = next_month - timedelta(days=1)
        working_weekdays = self._get_forecast_working_weekdays()
        holidays = self._get_forecast_public_holidays(month_start, month_end)
        makeup_days = self._get_forecast_makeup_days(month_start, month_end)

        def is_working_day(current):
            if current in makeup_days:
                return True
            return current.weekday() in working_weekdays and current not in holidays

        return nth_last_working_day(day.year, day.month, is_working_day)

    def _get_forecast_working_weekdays(self):
        """Return the weekdays (0 = Monday) with working hours in the company's schedule."""
        self.ensure_one()
        attendances = self.resource_calendar_id.attendance_ids.filtered(
            lambda line: not line.display_type
        )
        if not attendances:
            return {0, 1, 2, 3, 4}
        return {int(line.dayofweek) for line in attendances}

    def _get_forecast_public_holidays(self, date_from, date_to):
        """Return the dates between ``date_from`` and ``date_to`` touched by a public holiday.

        A public holiday is time off of the schedule (or of all schedules)
        without a resource. A day partly off counts as a day off.
        """
        self.ensure_one()
        calendar = self.resource_calendar_id
        tz = pytz.timezone(calendar.tz or "UTC")
        start = tz.localize(datetime.combine(date_from, time.min)).astimezone(pytz.utc)
        end = tz.localize(datetime.combine(date_to, time.max)).astimezone(pytz.utc)
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search(
                [
                    ("resource_id", "=", False),
                    ("calendar_id", "in", [calendar.id, False]),
                    ("company_id", "in", [self.id, False]),
                    ("date_from", "<=", end.replace(tzinfo=None)),
                    ("date_to", ">=", start.replace(tzinfo=None)),
                ]
            )
        )
        days = set()
        for leave in leaves:
            first = pytz.utc.localize(leave.date_from).astimezone(tz).date()
            last = pytz.utc.localize(leave.date_to).astimezone(tz).date()
            current = max(first, date_from)
            while current <= min(last, date_to):
                days.add(current)
                current += timedelta(days=1)
        return days

    def _get_forecast_makeup_days(self, date_from, date_to):
        """Return the days off in the weekly schedule that are worked, such as
        the weekend days moved next to Chinese public holidays.

        They are the make-up working days (调休上班日) recorded on the
        company's working schedule.
        """
        self.ensure_one()
        if not self.resource_calendar_id:
            return set()
        makeup_days = (
            self.env["resource.calendar.makeup.day"]
            .sudo()
            .search(
                [
                    ("calendar_id", "=", self.resource_calendar_id.id),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                ]
            )
        )
        return set(makeup_days.mapped("date"))

    def _is_forecast_calibration_day(self, day=None):
        self.ensure_one()
        day = day or fields.Date.context_today(self)
        return self._get_forecast_calibration_date(day) == day
