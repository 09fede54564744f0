import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .crm_lead import COLOR_RANK

_logger = logging.getLogger(__name__)

SIGNAL_TYPES = [
    ("legal_representative_change", "Legal representative change"),
    ("administrative_penalty", "Administrative penalty"),
    ("new_tender", "New tender"),
    ("negative_news", "Negative news"),
]

SIGNAL_SEVERITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}

# One colour down per step; red is the floor.
LOWER_BY_RANK = {2: "green", 1: "yellow", 0: "red"}


class SalesForecastSignalRule(models.Model):
    """Effect of an external signal type on the open deals of the signal's customer."""

    _name = "sales.forecast.signal.rule"
    _description = "External Signal Rule"
    _order = "signal_type, min_severity, id"

    signal_type = fields.Selection(SIGNAL_TYPES, string="Signal Type", required=True)
    min_severity = fields.Selection(
        SIGNAL_SEVERITIES,
        string="Minimum Severity",
        required=True,
        default="low",
        help="The rule applies to signals of this severity or higher.",
    )
    color_steps = fields.Integer(
        string="Colours Lowered",
        default=1,
        required=True,
        help="How many colours the customer's open deals drop (1 or 2).",
    )
    duration_days = fields.Integer(
        string="Duration (Days)",
        default=90,
        required=True,
        help="Number of days from the signal's date during which the deals keep the lower colour.",
    )
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    active = fields.Boolean(default=True)

    @api.constrains("color_steps", "duration_days")
    def _check_values(self):
        for rule in self:
            if rule.color_steps not in (1, 2):
                raise ValidationError(self.env._("A signal rule lowers deals by 1 or 2 colours."))
            if rule.duration_days < 1:
                raise ValidationError(self.env._("A signal rule must last at least one day."))


class SalesForecastSignal(models.Model):
    """An external fact about a customer company that lowers the deals' credibility."""

    _name = "sales.forecast.signal"
    _description = "External Signal"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    signal_type = fields.Selection(SIGNAL_TYPES, string="Signal Type", required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    severity = fields.Selection(SIGNAL_SEVERITIES, required=True, default="medium")
    source_url = fields.Char(string="Source Link")
    description = fields.Text()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    downgrade_ids = fields.One2many("sales.forecast.downgrade", "signal_id", string="Downgrades")
    downgrade_count = fields.Integer(compute="_compute_downgrade_count", string="Deals Lowered")

    @api.depends("downgrade_ids")
    def _compute_downgrade_count(self):
        for signal in self:
            signal.downgrade_count = len(signal.downgrade_ids)

    @api.model_create_multi
    def create(self, vals_list):
        signals = super().create(vals_list)
        signals._apply_signal_rules()
        return signals

    def _apply_signal_rules(self):
        """Lower the colour of the customer's open deals as the matching rules set.

        The strongest matching rule applies. Each deal gets a chatter note
        naming the signal, also when it is already red.
        """
        rules = self.env["sales.forecast.signal.rule"].sudo().search([])
        Lead = self.env["crm.lead"].sudo()
        labels = dict(
            self.env["crm.lead"]._fields["forecast_color"]._description_selection(self.env)
        )
        type_labels = dict(self._fields["signal_type"]._description_selection(self.env))
        for signal in self:
            matching = rules.filtered(
                lambda rule, signal=signal: (
                    rule.signal_type == signal.signal_type
                    and SEVERITY_RANK[signal.severity] >= SEVERITY_RANK[rule.min_severity]
                    and rule.company_id in (signal.company_id, self.env["res.company"])
                )
            )
            if not matching:
                continue
            rule = matching.sorted(lambda rule: (rule.color_steps, rule.duration_days))[-1]
            date_end = signal.date + relativedelta(days=rule.duration_days)
            if date_end < fields.Date.context_today(self):
                continue
            commercial = signal.partner_id.commercial_partner_id
            leads = Lead.search(
                [
                    *Lead._get_forecast_open_domain(signal.company_id),
                    ("type", "=", "opportunity"),
                    ("partner_id", "child_of", commercial.id),
                ]
            )
            reason = self.env._(
                "%(signal)s on %(date)s: %(description)s",
                signal=type_labels[signal.signal_type],
                date=fields.Date.to_string(signal.date),
                description=signal.description or signal.source_url or "",
            )
            for lead in leads:
                current = COLOR_RANK[lead.forecast_color or "red"]
                target = LOWER_BY_RANK[max(0, current - rule.color_steps)]
                if COLOR_RANK[target] < current:
                    lead._forecast_downgrade(
                        target, reason, kind="signal", signal_id=signal.id, date_end=date_end
                    )
                else:
                    lead._message_log(
                        body=self.env._(
                            "External signal, the deal stays %(color)s: %(reason)s",
                            color=labels[lead.forecast_color or "red"],
                            reason=reason,
                        )
                    )
            _logger.info("Signal %s lowered %s open deals", signal.id, len(leads))
