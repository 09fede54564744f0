from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .crm_lead import COLOR_RANK, FORECAST_COLORS


class SalesForecastDowngrade(models.Model):
    """A lowering of a deal's forecast colour below what its evidence proves.

    A sales manager lowers a colour by hand with a reason, and the calibration
    day lowers the colour of deals that were not re-confirmed. While a
    downgrade is active, the deal's colour is at most the downgrade's colour.
    New valid evidence of at least the colour that was taken away lifts it;
    nothing else raises the colour again.
    """

    _name = "sales.forecast.downgrade"
    _description = "Forecast Colour Downgrade"
    _order = "create_date desc, id desc"

    lead_id = fields.Many2one(
        "crm.lead", string="Opportunity", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="lead_id.company_id", store=True)
    color_from = fields.Selection(
        FORECAST_COLORS, string="Colour Before", required=True, readonly=True
    )
    color_to = fields.Selection(FORECAST_COLORS, string="Lowered To", required=True, readonly=True)
    kind = fields.Selection(
        [
            ("manual", "By a manager"),
            ("calibration", "Calibration day"),
            ("signal", "External signal"),
        ],
        string="Origin",
        required=True,
        default="manual",
        readonly=True,
    )
    reason = fields.Text(required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Lowered By",
        default=lambda self: self.env.user,
        readonly=True,
    )
    signal_id = fields.Many2one(
        "sales.forecast.signal", string="Signal", ondelete="set null", readonly=True
    )
    date_end = fields.Date(
        string="Active Until",
        readonly=True,
        help="Last day of a downgrade set by an external signal; empty for the others.",
    )
    state = fields.Selection(
        [("active", "Active"), ("lifted", "Lifted"), ("expired", "Expired")],
        required=True,
        default="active",
        index=True,
        readonly=True,
    )
    lift_evidence_id = fields.Many2one(
        "crm.lead.evidence",
        string="Lifted By Evidence",
        ondelete="set null",
        readonly=True,
    )
    date_lifted = fields.Datetime(string="Lifted On", readonly=True)

    @api.constrains("color_from", "color_to")
    def _check_lower(self):
        for downgrade in self:
            if COLOR_RANK[downgrade.color_to] >= COLOR_RANK[downgrade.color_from]:
                raise ValidationError(
                    self.env._(
                        "A downgrade of %(lead)s must lower the forecast colour, "
                        "but it goes from %(color_from)s to %(color_to)s.",
                        lead=downgrade.lead_id.display_name,
                        color_from=downgrade.color_from,
                        color_to=downgrade.color_to,
                    )
                )

    def _is_lifted_by(self, evidence):
        """Return whether new evidence re-proves the colour this downgrade took away.

        A downgrade from an external signal is about the customer, not about
        the deal's documents, so only its end date lifts it.
        """
        self.ensure_one()
        return (
            self.kind != "signal"
            and COLOR_RANK[evidence.color_class or "red"] >= COLOR_RANK[self.color_from]
        )

    def _lift(self, evidence):
        """Lift the downgrade because of the evidence and log it on the deal."""
        self.ensure_one()
        self.write(
            {
                "state": "lifted",
                "lift_evidence_id": evidence.id,
                "date_lifted": fields.Datetime.now(),
            }
        )
        self.lead_id._message_log(
            body=self.env._(
                "Forecast downgrade to %(color)s lifted by new evidence: %(evidence)s.",
                color=self._color_label(self.color_to),
                evidence=evidence.display_name,
            )
        )

    @api.model
    def _cron_expire_downgrades(self):
        """End the signal downgrades whose last day has passed, which recomputes the colour."""
        today = fields.Date.context_today(self)
        expired = self.sudo().search([("state", "=", "active"), ("date_end", "<", today)])
        expired.write({"state": "expired"})
        return expired

    def _color_label(self, color):
        return dict(self._fields["color_to"]._description_selection(self.env))[color]
