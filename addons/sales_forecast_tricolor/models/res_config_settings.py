from odoo import api, fields, models

from .res_company import FORECAST_WEIGHT_FIELDS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # These are not related fields because a related field writes each weight
    # to the company on its own, so lowering all three weights would fail the
    # green ≥ yellow ≥ red check halfway. set_values() writes them in one call.
    forecast_weight_green = fields.Float(
        string="Green Forecast Weight",
        compute="_compute_forecast_weights",
        store=True,
        readonly=False,
    )
    forecast_weight_yellow = fields.Float(
        string="Yellow Forecast Weight",
        compute="_compute_forecast_weights",
        store=True,
        readonly=False,
    )
    forecast_weight_red = fields.Float(
        string="Red Forecast Weight",
        compute="_compute_forecast_weights",
        store=True,
        readonly=False,
    )

    forecast_budget_threshold = fields.Float(
        related="company_id.forecast_budget_threshold", readonly=False
    )
    forecast_budget_quarters = fields.Integer(
        related="company_id.forecast_budget_quarters", readonly=False
    )
    forecast_budget_cut = fields.Float(related="company_id.forecast_budget_cut", readonly=False)
    forecast_signal_token = fields.Char(
        related="company_id.forecast_signal_token", readonly=False, groups="base.group_system"
    )

    @api.depends("company_id")
    def _compute_forecast_weights(self):
        for settings in self:
            for fname in FORECAST_WEIGHT_FIELDS:
                settings[fname] = settings.company_id[fname]

    def set_values(self):
        super().set_values()
        vals = {fname: self[fname] for fname in FORECAST_WEIGHT_FIELDS}
        company = self.company_id
        if any(company[fname] != value for fname, value in vals.items()):
            company.write(vals)
