from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.crm_lead import COLOR_RANK, FORECAST_COLORS


class SalesForecastDowngradeWizard(models.TransientModel):
    _name = "sales.forecast.downgrade.wizard"
    _description = "Lower Forecast Colour"

    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True)
    current_color = fields.Selection(related="lead_id.forecast_color", string="Current Colour")
    color_to = fields.Selection(
        FORECAST_COLORS,
        string="Lower To",
        required=True,
        default="red",
        help="New forecast colour of the deal. It must be lower than the current one.",
    )
    reason = fields.Text(
        required=True,
        help="Why the deal is less credible than its evidence shows. The reason is "
        "logged on the deal and shown next to its colour.",
    )

    @api.onchange("lead_id")
    def _onchange_lead_id(self):
        if self.lead_id.forecast_color == "green":
            self.color_to = "yellow"

    def action_confirm(self):
        self.ensure_one()
        current = self.lead_id.forecast_color or "red"
        if COLOR_RANK[self.color_to] >= COLOR_RANK[current]:
            raise UserError(
                self.env._(
                    "%(lead)s is already %(color)s. Choose a lower colour: a colour "
                    "can only be raised by recording evidence.",
                    lead=self.lead_id.display_name,
                    color=dict(self._fields["color_to"]._description_selection(self.env))[current],
                )
            )
        self.lead_id._forecast_downgrade(self.color_to, self.reason)
        return {"type": "ir.actions.act_window_close"}
