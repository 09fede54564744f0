from odoo import api, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model_create_multi
    def create(self, vals_list):
        """Store the canonical industry when a company is given one of its aliases."""
        self.env["res.partner.industry"]._map_industry_vals_list(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("industry_id"):
            vals = dict(vals)
            self.env["res.partner.industry"]._map_industry_vals_list([vals])
        return super().write(vals)
