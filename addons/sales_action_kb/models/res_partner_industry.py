from odoo import api, fields, models
from odoo.osv import expression

from ..industry_matching import industry_key, near_misses


class ResPartnerIndustry(models.Model):
    """Canonical industries with aliases.

    Canonical industries are the ones reports should use. Every other industry
    is a variant: typed by hand or created by an import. A variant whose name
    is an alias of a canonical industry is replaced by it whenever a company or
    lead is saved. A variant that is only close to one (a typo such as 餐钦) is
    suggested for merging and never changed silently.
    """

    _inherit = "res.partner.industry"

    is_canonical = fields.Boolean(
        string="Canonical",
        help="Reports use canonical industries. Other industries are variants to merge into them.",
    )
    alias_ids = fields.One2many("res.partner.industry.alias", "industry_id", string="Aliases")
    suggested_industry_id = fields.Many2one(
        "res.partner.industry",
        string="Suggested Industry",
        compute="_compute_suggested_industry_id",
        help="Canonical industry whose name or alias is closest to this variant's name.",
    )
    partner_count = fields.Integer(string="Companies", compute="_compute_usage_counts")
    lead_count = fields.Integer(string="Leads", compute="_compute_usage_counts")
    in_use = fields.Boolean(compute="_compute_usage_counts", search="_search_in_use")

    def _compute_suggested_industry_id(self):
        keys = self._get_canonical_keys()
        for industry in self:
            industry.suggested_industry_id = False
            if industry.is_canonical:
                continue
            exact = keys.get(industry_key(industry.name))
            if exact:
                industry.suggested_industry_id = exact
                continue
            matches = near_misses(industry.name, keys)
            if matches:
                industry.suggested_industry_id = matches[0][0]

    def _compute_usage_counts(self):
        partner_counts = dict(
            self.env["res.partner"]
            .with_context(active_test=False)
            .sudo()
            ._read_group([("industry_id", "in", self.ids)], ["industry_id"], ["__count"])
        )
        lead_counts = dict(
            self.env["crm.lead"]
            .with_context(active_test=False)
            .sudo()
            ._read_group([("industry_id", "in", self.ids)], ["industry_id"], ["__count"])
        )
        for industry in self:
            industry.partner_count = partner_counts.get(industry, 0)
            industry.lead_count = lead_counts.get(industry, 0)
            industry.in_use = bool(industry.partner_count or industry.lead_count)

    def _search_in_use(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError()
        used = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .sudo()
            ._read_group([("industry_id", "!=", False)], ["industry_id"])
        )
        used += (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .sudo()
            ._read_group([("industry_id", "!=", False)], ["industry_id"])
        )
        ids = list({industry.id for (industry,) in used})
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", ids)]

    @api.model
    def _get_canonical_keys(self):
        """Return ``{key: canonical industry}`` for the names and aliases of canonical industries.

        Names count in English and in the user's language, so both "Food/Hospitality"
        and its translation match.
        """
        canonical = self.sudo().search([("is_canonical", "=", True)])
        keys = {}
        for lang_industries in (canonical.with_context(lang="en_US"), canonical):
            for industry in lang_industries:
                keys.setdefault(industry_key(industry.name), industry.with_env(self.env))
        for alias in canonical.alias_ids:
            keys[alias.key] = alias.industry_id.with_env(self.env)
        keys.pop("", None)
        return keys

    @api.model
    def _find_canonical(self, name):
        """Return the canonical industry whose name or alias is ``name``, or an empty recordset."""
        return self._get_canonical_keys().get(industry_key(name), self.browse())

    @api.model
    def _map_industry_id(self, industry_id, keys=None):
        """Return the id to store for ``industry_id``: its canonical industry when it is an alias.

        Near misses are left as they are; only an exact key match is mapped.
        """
        if not industry_id:
            return industry_id
        industry = self.sudo().browse(industry_id).exists()
        if not industry or industry.is_canonical:
            return industry_id
        keys = self._get_canonical_keys() if keys is None else keys
        canonical = keys.get(industry_key(industry.name))
        return canonical.id if canonical else industry_id

    @api.model
    def _map_industry_vals_list(self, vals_list):
        """Map ``industry_id`` in each of ``vals_list`` to its canonical industry, in place."""
        if not any(vals.get("industry_id") for vals in vals_list):
            return
        keys = self._get_canonical_keys()
        for vals in vals_list:
            if vals.get("industry_id"):
                vals["industry_id"] = self._map_industry_id(vals["industry_id"], keys)

    @api.model
    def name_search(self, name="", args=None, operator="ilike", limit=100):
        """Resolve an exact alias to its canonical industry, as imports and typing expect."""
        if name and operator == "=":
            canonical = self._find_canonical(name)
            if canonical and canonical.filtered_domain(args or []):
                return [(canonical.id, canonical.display_name)]
        return super().name_search(name=name, args=args, operator=operator, limit=limit)

    @api.model
    def name_create(self, name):
        """Return the canonical industry instead of creating a copy of one of its aliases."""
        canonical = self._find_canonical(name)
        if canonical:
            return canonical.id, canonical.display_name
        return super().name_create(name)

    @api.model
    def _search_display_name(self, operator, value):
        """Find industries by alias too, so typing 饭店 offers Food/Hospitality."""
        domain = super()._search_display_name(operator, value)
        if (
            isinstance(value, str)
            and value
            and operator in ("=", "ilike", "=ilike", "like", "=like")
        ):
            domain = expression.OR([domain, [("alias_ids.name", operator, value)]])
        return domain

    def action_open_merge_wizard(self):
        """Open the merge wizard on the selected industries."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Merge Industries"),
            "res_model": "res.partner.industry.merge",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }
