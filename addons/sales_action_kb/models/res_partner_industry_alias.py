from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..industry_matching import industry_key


class ResPartnerIndustryAlias(models.Model):
    """Another name of an industry, such as 饭店 or "Restaurants" for Food/Hospitality.

    A company or lead given an alias gets the industry instead. Aliases are
    compared by key (width, case, spaces and punctuation ignored), so one alias
    covers "餐饮业", "餐饮 业" and "餐饮业。".
    """

    _name = "res.partner.industry.alias"
    _description = "Industry Alias"
    _order = "industry_id, name"

    name = fields.Char(string="Alias", required=True)
    key = fields.Char(compute="_compute_key", store=True, index=True)
    industry_id = fields.Many2one(
        "res.partner.industry", string="Industry", required=True, ondelete="cascade", index=True
    )

    _sql_constraints = [
        ("key_unique", "unique(key)", "This alias is already used by an industry."),
    ]

    @api.depends("name")
    def _compute_key(self):
        for alias in self:
            alias.key = industry_key(alias.name)

    @api.constrains("key")
    def _check_key(self):
        for alias in self:
            if not alias.key:
                raise ValidationError(
                    self.env._(
                        "The alias “%(alias)s” has no letter or digit. Enter a name, "
                        "such as 餐饮业.",
                        alias=alias.name,
                    )
                )
