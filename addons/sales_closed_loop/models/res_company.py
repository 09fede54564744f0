from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .crm_lead_health import DEFAULT_HIGH_POTENTIAL, DEFAULT_MIN_CLOSED_LEADS


class ResCompany(models.Model):
    _inherit = "res.company"

    health_min_closed_leads = fields.Integer(
        string="Closed Leads to Train Lead Health",
        default=DEFAULT_MIN_CLOSED_LEADS,
        help="Minimum number of closed leads, with at least one won and one lost, before "
        "the lead health model is trained for this company. Below it, the health score "
        "is Odoo's predictive lead scoring probability.",
    )
    health_high_potential_threshold = fields.Float(
        string="High-Potential Health Score",
        default=DEFAULT_HIGH_POTENTIAL,
        help="Health score, between 0 and 1, from which an open lead counts as high potential.",
    )

    @api.constrains("health_min_closed_leads", "health_high_potential_threshold")
    def _check_health_settings(self):
        for company in self:
            if company.health_min_closed_leads < 2:
                raise ValidationError(
                    self.env._(
                        "The lead health model of %(company)s needs at least 2 closed leads, "
                        "one won and one lost. Enter 2 or more.",
                        company=company.name,
                    )
                )
            if not 0 <= company.health_high_potential_threshold <= 1:
                raise ValidationError(
                    self.env._(
                        "The high-potential health score of %(company)s must be between 0 "
                        "and 1. Enter a value such as 0.5.",
                        company=company.name,
                    )
                )
