from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Same keys as resource.calendar.attendance.dayofweek.
WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]


class ResourceCalendarMakeupDay(models.Model):
    """A day off in the weekly schedule that is worked, such as the weekend
    days that China moves next to its public holidays (调休上班日)."""

    _name = "resource.calendar.makeup.day"
    _description = "Make-up Working Day"
    _order = "date desc, id"

    name = fields.Char(string="Reason", required=True, translate=True)
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Schedule",
        required=True,
        ondelete="cascade",
        index=True,
    )
    date = fields.Date(required=True)
    worked_as = fields.Selection(
        WEEKDAYS,
        string="Worked As",
        required=True,
        default="0",
        help="The weekday whose working hours apply on this date.",
    )

    _sql_constraints = [
        (
            "calendar_date_unique",
            "unique(calendar_id, date)",
            "A working schedule has at most one make-up working day per date.",
        ),
    ]

    @api.constrains("calendar_id", "worked_as")
    def _check_worked_as(self):
        for day in self:
            attendances = day.calendar_id.attendance_ids.filtered(
                lambda line, day=day: line.dayofweek == day.worked_as and not line.display_type
            )
            if not attendances:
                raise ValidationError(
                    self.env._(
                        "The working schedule %(calendar)s has no working hours on the "
                        "weekday chosen for the make-up working day %(day)s. Choose a "
                        "weekday with working hours.",
                        calendar=day.calendar_id.name,
                        day=day.name,
                    )
                )
