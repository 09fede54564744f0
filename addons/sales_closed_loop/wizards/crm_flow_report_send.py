from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

MONTHS = [
    ("1", "January"),
    ("2", "February"),
    ("3", "March"),
    ("4", "April"),
    ("5", "May"),
    ("6", "June"),
    ("7", "July"),
    ("8", "August"),
    ("9", "September"),
    ("10", "October"),
    ("11", "November"),
    ("12", "December"),
]
# Stage history starts with the module or with the imported pipeline, so an
# earlier year is a typing error.
FIRST_YEAR = 2000


class CrmFlowReportSend(models.TransientModel):
    """Send the lead flow report of a chosen past month again, to one team's leader or to
    the sales managers of a company. Sending again never touches the once-a-month
    guard of the automatic report."""

    _name = "crm.flow.report.send"
    _description = "Send a Lead Flow Report Again"

    scope = fields.Selection(
        [("team", "One Sales Team"), ("company", "Whole Company")],
        string="Report",
        required=True,
        default=lambda self: "team" if self._default_team_id() else "company",
        help="One Sales Team: the team's report, sent to its team leader. Whole Company: "
        "the report of all the company's sales teams, sent to every user of "
        "Sales / Administrator in the company.",
    )
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", default=lambda self: self._default_team_id()
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    month = fields.Selection(
        MONTHS,
        required=True,
        default=lambda self: str(self._default_report_month().month),
    )
    year = fields.Integer(
        required=True,
        default=lambda self: self._default_report_month().year,
    )

    @api.model
    def _default_team_id(self):
        if self.env.context.get("active_model") == "crm.team":
            return self.env["crm.team"].browse(self.env.context.get("active_id")).exists()
        return self.env["crm.team"]

    @api.model
    def _default_report_month(self):
        """Return the first day of the previous month in the user's timezone."""
        return fields.Date.context_today(self).replace(day=1) - relativedelta(months=1)

    def action_send(self):
        """Check the chosen month and send its report again, then close the dialog."""
        self.ensure_one()
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(
                self.env._("Only a Sales / Administrator can send a lead flow report again.")
            )
        if not FIRST_YEAR <= self.year <= 9999:
            raise UserError(
                self.env._(
                    "%(year)s is not a valid year for a lead flow report. Enter a year "
                    "from %(first)s on.",
                    year=self.year,
                    first=FIRST_YEAR,
                )
            )
        report_month = date(self.year, int(self.month), 1)

        # 1. The report and its recipients.
        if self.scope == "team":
            if not self.team_id:
                raise UserError(self.env._("Choose the sales team whose report to send."))
            if not self.team_id.user_id.active:
                raise UserError(
                    self.env._(
                        "The sales team %(team)s has no active team leader to send the report "
                        "to. Set a team leader first.",
                        team=self.team_id.name,
                    )
                )
            record = self.team_id
            name = self.team_id.name
        else:
            if self.company_id not in self.env.user.company_ids:
                raise AccessError(
                    self.env._(
                        "You cannot send the lead flow report of %(company)s because you do not "
                        "work in this company.",
                        company=self.company_id.name,
                    )
                )
            if not self.company_id.sudo()._flow_report_managers():
                raise UserError(
                    self.env._(
                        "%(company)s has no active user in Sales / Administrator to send "
                        "the report to.",
                        company=self.company_id.name,
                    )
                )
            record = self.company_id.sudo()
            name = self.company_id.name

        # 2. Only a month that has ended and has stage history.
        month_label = self.env["crm.team"]._flow_report_month_label(report_month)
        current_month = record._flow_report_today().replace(day=1)
        if report_month > current_month:
            raise UserError(
                self.env._(
                    "The lead flow report of %(month)s cannot be sent because the month has "
                    "not started yet. Choose a month that has ended.",
                    month=month_label,
                )
            )
        if report_month == current_month:
            raise UserError(
                self.env._(
                    "The lead flow report of %(month)s cannot be sent yet because the month "
                    "has not ended. Choose an earlier month.",
                    month=month_label,
                )
            )
        months = self.env["crm.team"]._flow_report_months(report_month)
        figures = record._flow_report_figures(months)
        if self.scope == "team":
            month_figures = record._flow_report_team_figures(figures)
        else:
            month_figures = figures
        if not any(
            entries
            for (_stage, month), (entries, _over, _lost) in month_figures.items()
            if month == report_month
        ):
            raise UserError(
                self.env._(
                    "No lead entered a stage of %(name)s in %(month)s, so there is no lead "
                    "flow report to send. Choose another month.",
                    name=name,
                    month=month_label,
                )
            )

        # 3. Send.
        record._flow_report_send(report_month, figures=figures, resent=True)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "The lead flow report of %(name)s for %(month)s was sent again.",
                    name=name,
                    month=month_label,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
