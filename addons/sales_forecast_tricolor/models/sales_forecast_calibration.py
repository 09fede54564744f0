import logging
import time

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .crm_lead import COLOR_RANK, FORECAST_COLORS

_logger = logging.getLogger(__name__)

# One colour down for a deal not re-confirmed on the calibration day. Red is
# the lowest colour, so a red deal stays red and its item is marked missed.
LOWER_COLOR = {"green": "yellow", "yellow": "red"}


class SalesForecastCalibration(models.Model):
    """Calibration day (预测校准日) of one company.

    On the third-to-last working day of the month every rep reviews their
    yellow and red deals and confirms each one with new evidence or by
    re-confirming the existing evidence. The daily job opens the calibration
    in the morning with one review activity per rep, and closes it after the
    day: a deal that was not confirmed drops one colour.
    """

    _name = "sales.forecast.calibration"
    _description = "Forecast Calibration Day"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    date = fields.Date(required=True, readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("closed", "Closed")],
        required=True,
        default="open",
        readonly=True,
        tracking=True,
    )
    item_ids = fields.One2many("sales.forecast.calibration.item", "calibration_id", string="Deals")

    _sql_constraints = [
        (
            "company_date_unique",
            "unique(company_id, date)",
            "A company has one calibration day per date.",
        ),
    ]

    @api.depends("company_id", "date")
    def _compute_name(self):
        for calibration in self:
            calibration.name = self.env._(
                "Calibration day %(date)s",
                date=(calibration.date and fields.Date.to_string(calibration.date)) or "",
            )

    @api.model
    def _cron_forecast_calibration(self):
        """Close the past calibration days, then open today's where it is one.

        A company that fails is logged and skipped, and the job fails at the
        end so that the failure shows in the scheduler.
        """
        started = time.monotonic()
        today = fields.Date.context_today(self)
        failed = []

        for calibration in self.sudo().search([("state", "=", "open"), ("date", "<", today)]):
            try:
                with self.env.cr.savepoint():
                    calibration._close_calibration()
            except Exception:
                _logger.exception("Closing calibration day %s failed", calibration.id)
                failed.append(calibration.company_id.id)

        opened = 0
        for company in self.env["res.company"].sudo().search([]):
            try:
                with self.env.cr.savepoint():
                    if not company._is_forecast_calibration_day(today):
                        continue
                    if self.sudo().search_count(
                        [("company_id", "=", company.id), ("date", "=", today)]
                    ):
                        continue
                    self._open_calibration(company, today)
                    opened += 1
            except Exception:
                _logger.exception("Opening the calibration day of company %s failed", company.id)
                failed.append(company.id)

        _logger.info(
            "Calibration days: %s opened on %s in %.2fs", opened, today, time.monotonic() - started
        )
        if failed:
            raise UserError(
                self.env._(
                    "The calibration day failed for the companies %(companies)s; see the server log.",
                    companies=failed,
                )
            )

    @api.model
    def _open_calibration(self, company, day):
        """Create the calibration of ``day`` and one review activity per rep."""
        leads = (
            self.env["crm.lead"]
            .sudo()
            .search(
                [
                    *self.env["crm.lead"]._get_forecast_open_domain(company),
                    ("type", "=", "opportunity"),
                    ("user_id", "!=", False),
                    ("forecast_color", "in", ("yellow", "red")),
                ]
            )
        )
        calibration = self.sudo().create({"company_id": company.id, "date": day})
        self.env["sales.forecast.calibration.item"].sudo().create(
            [
                {
                    "calibration_id": calibration.id,
                    "lead_id": lead.id,
                    "user_id": lead.user_id.id,
                    "team_id": lead.team_id.id,
                    "color_before": lead.forecast_color,
                }
                for lead in leads
            ]
        )
        for user, items in calibration.item_ids.grouped("user_id").items():
            rows = Markup("").join(
                Markup("<li>%s (%s)</li>")
                % (item.lead_id.name, item._color_label(item.color_before))
                for item in items
            )
            calibration.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=day,
                summary=self.env._("Calibration day: review your yellow and red deals"),
                note=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    escape(
                        self.env._(
                            "Add current evidence or re-confirm the evidence of each deal "
                            "today. Deals not confirmed by the end of the day drop one colour."
                        )
                    ),
                    rows,
                ),
                user_id=user.id,
            )
        return calibration

    def _close_calibration(self):
        """Lower each pending deal by one colour and close the calibration."""
        self.ensure_one()
        reason = self.env._(
            "Not re-confirmed on the calibration day of %(date)s.",
            date=fields.Date.to_string(self.date),
        )
        for item in self.item_ids.filtered(lambda item: item.state == "pending"):
            lead = item.lead_id
            lower = LOWER_COLOR.get(lead.forecast_color)
            still_open = lead.active and not lead.stage_id.is_won
            if not still_open or not lower:
                item.state = "missed"
                continue
            downgrade = lead.sudo()._forecast_downgrade(lower, reason, kind="calibration")
            item.write({"state": "downgraded", "downgrade_id": downgrade[:1].id})
        self.activity_ids.action_feedback(feedback=self.env._("Calibration day closed."))
        self.state = "closed"


class SalesForecastCalibrationItem(models.Model):
    """One deal to review on a calibration day, and what became of it."""

    _name = "sales.forecast.calibration.item"
    _description = "Forecast Calibration Deal"
    _order = "calibration_id desc, user_id, id"

    calibration_id = fields.Many2one(
        "sales.forecast.calibration", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="calibration_id.company_id", store=True)
    date = fields.Date(related="calibration_id.date", store=True)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Salesperson", index=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True)
    color_before = fields.Selection(FORECAST_COLORS, string="Colour on the Day", required=True)
    state = fields.Selection(
        [
            ("pending", "To confirm"),
            ("confirmed", "Confirmed"),
            ("downgraded", "Lowered"),
            ("missed", "Not confirmed"),
        ],
        required=True,
        default="pending",
        index=True,
    )
    evidence_id = fields.Many2one("crm.lead.evidence", string="Confirming Evidence")
    date_confirmed = fields.Datetime(string="Confirmed On")
    downgrade_id = fields.Many2one("sales.forecast.downgrade", string="Downgrade")

    def _color_label(self, color):
        return dict(self._fields["color_before"]._description_selection(self.env))[color]

    def _confirm(self, evidence=None):
        self.write(
            {
                "state": "confirmed",
                "evidence_id": evidence.id if evidence else False,
                "date_confirmed": fields.Datetime.now(),
            }
        )

    def action_reconfirm(self):
        """Confirm the deals with the evidence they already have.

        Only the deal's rep or a sales manager may do it, on an open
        calibration day, and only while the deal's valid evidence still proves
        the colour it had that morning.
        """
        is_manager = self.env.user.has_group("sales_team.group_sale_manager")
        for item in self:
            if item.user_id != self.env.user and not is_manager:
                raise AccessError(
                    self.env._(
                        "Only %(user)s or a sales manager can confirm %(lead)s.",
                        user=item.user_id.name,
                        lead=item.lead_id.name,
                    )
                )
            if item.state != "pending" or item.calibration_id.state != "open":
                raise UserError(
                    self.env._("%(lead)s is not waiting for confirmation.", lead=item.lead_id.name)
                )
            evidence_color = item.lead_id.forecast_evidence_color or "red"
            if COLOR_RANK[evidence_color] < COLOR_RANK[item.color_before]:
                raise UserError(
                    self.env._(
                        "The valid evidence of %(lead)s no longer proves %(color)s. "
                        "Add current evidence instead.",
                        lead=item.lead_id.name,
                        color=item._color_label(item.color_before),
                    )
                )
        self.sudo()._confirm()
        return True
