import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .crm_lead import FORECAST_COLORS

_logger = logging.getLogger(__name__)

# Fields a rep may fill in on a deviation. The other fields are copied from the snapshot.
EXPLANATION_FIELDS = {"side", "reason_id", "note"}

DEVIATION_SIDES = [
    ("customer", "Customer side"),
    ("our", "Our side"),
    ("market", "Market side"),
]


class SalesForecastDeviationReason(models.Model):
    """Sub-reason of a forecast miss, such as "budget frozen" on the customer side."""

    _name = "sales.forecast.deviation.reason"
    _description = "Forecast Deviation Reason"
    _order = "side, sequence, id"

    name = fields.Char(required=True, translate=True)
    side = fields.Selection(DEVIATION_SIDES, required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)


class SalesForecastDeviation(models.Model):
    """A forecast deal that was lost or slipped out of its period (预测偏差归因).

    The record is created when it happens; the rep then records whose side
    caused it, a sub-reason and a note.
    """

    _name = "sales.forecast.deviation"
    _description = "Forecast Deviation"
    _order = "period_start desc, id desc"

    lead_id = fields.Many2one(
        "crm.lead", string="Opportunity", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True)
    user_id = fields.Many2one("res.users", string="Salesperson", index=True)
    period_start = fields.Date(
        string="Forecast Period",
        required=True,
        help="First day of the month the deal was forecast for.",
    )
    kind = fields.Selection(
        [("lost", "Lost"), ("slipped", "Slipped")],
        required=True,
        help="Lost: the deal was lost during its forecast period. Slipped: its "
        "expected closing moved past the period, or the period ended without a win.",
    )
    forecast_color = fields.Selection(FORECAST_COLORS, string="Forecast Colour")
    weighted_revenue = fields.Monetary(
        string="Weighted Forecast", help="Weighted amount frozen in the period's snapshot."
    )
    side = fields.Selection(DEVIATION_SIDES, string="Cause")
    reason_id = fields.Many2one(
        "sales.forecast.deviation.reason",
        string="Sub-reason",
        domain="[('side', '=', side)]",
    )
    note = fields.Text()
    state = fields.Selection(
        [("to_explain", "To explain"), ("explained", "Explained")],
        compute="_compute_state",
        store=True,
    )

    _sql_constraints = [
        (
            "lead_period_kind_unique",
            "unique(lead_id, period_start, kind)",
            "This forecast miss is already recorded.",
        ),
    ]

    @api.depends("side", "reason_id")
    def _compute_state(self):
        for deviation in self:
            explained = deviation.side and deviation.reason_id
            deviation.state = "explained" if explained else "to_explain"

    def write(self, vals):
        if (
            set(vals) - EXPLANATION_FIELDS
            and not self.env.su
            and not self.env.user.has_group("sales_team.group_sale_manager")
        ):
            raise AccessError(
                self.env._(
                    "Only the cause, the sub-reason and the note of a forecast "
                    "deviation can be changed."
                )
            )
        return super().write(vals)

    @api.constrains("side", "reason_id")
    def _check_reason_side(self):
        for deviation in self:
            if deviation.reason_id and deviation.reason_id.side != deviation.side:
                raise ValidationError(
                    self.env._(
                        "The sub-reason %(reason)s belongs to another cause. Choose a "
                        "sub-reason of the cause you selected.",
                        reason=deviation.reason_id.name,
                    )
                )

    @api.model
    def _record_deviations(self, lines, kind):
        """Create a deviation for each snapshot line, unless one is already recorded."""
        if not lines:
            return self.browse()
        existing = self.sudo().search(
            [
                ("lead_id", "in", lines.lead_id.ids),
                ("period_start", "in", list(set(lines.mapped("period_start")))),
                ("kind", "=", kind),
            ]
        )
        known = {(d.lead_id.id, d.period_start) for d in existing}
        vals_list = []
        for line in lines:
            key = (line.lead_id.id, line.period_start)
            if not line.lead_id or key in known:
                continue
            known.add(key)
            vals_list.append(
                {
                    "lead_id": line.lead_id.id,
                    "company_id": line.company_id.id,
                    "team_id": line.team_id.id,
                    "user_id": line.user_id.id,
                    "period_start": line.period_start,
                    "kind": kind,
                    "forecast_color": line.forecast_color,
                    "weighted_revenue": line.weighted_revenue,
                }
            )
        deviations = self.sudo().create(vals_list)
        if deviations:
            _logger.info("Recorded %s forecast deviations (%s)", len(deviations), kind)
        return deviations
