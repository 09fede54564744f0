from odoo import api, fields, models


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
    health_high_potential_level_text = fields.Char(
        string="High Potential Today",
        compute="_compute_health_high_potential_level_text",
    )

    @api.depends(
        "company_id",
        "health_high_potential_rule",
        "health_high_potential_lift",
        "health_high_potential_threshold",
    )
    def _compute_health_high_potential_level_text(self):
        for settings in self:
            lift = settings.health_high_potential_lift
            threshold = settings.health_high_potential_threshold
            if lift < 1 or not 0 <= threshold <= 1:
                settings.health_high_potential_level_text = self.env._(
                    "Enter a lift of at least 1 and a score from 0 to 100 percent."
                )
                continue
            cutoff, rate = settings.company_id._health_high_potential_level(
                rule=settings.health_high_potential_rule,
                lift=lift,
                threshold=threshold,
            )
            # Formatted before the calls: babel cannot extract a message whose
            # arguments contain an f-string.
            cutoff_text = f"{cutoff:.0%}"
            if rate is None:
                settings.health_high_potential_level_text = self.env._(
                    "From a health score of %(cutoff)s: no lead health model is trained yet, "
                    "so the fixed score applies.",
                    cutoff=cutoff_text,
                )
            else:
                settings.health_high_potential_level_text = self.env._(
                    "From a health score of %(cutoff)s. An average open lead of the company "
                    "wins %(rate)s of the time.",
                    cutoff=cutoff_text,
                    rate=format(rate, ".0%"),
                )
