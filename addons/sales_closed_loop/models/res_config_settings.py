from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    health_min_closed_leads = fields.Integer(
        related="company_id.health_min_closed_leads", readonly=False
    )
    health_high_potential_rule = fields.Selection(
        related="company_id.health_high_potential_rule", readonly=False
    )
    health_high_potential_lift = fields.Float(
        related="company_id.health_high_potential_lift", readonly=False
    )
    health_high_potential_threshold = fields.Float(
        related="company_id.health_high_potential_threshold", readonly=False
    )
