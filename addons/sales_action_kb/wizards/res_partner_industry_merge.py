import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..industry_matching import industry_key

_logger = logging.getLogger(__name__)


class ResPartnerIndustryMerge(models.TransientModel):
    """Fold duplicate industries into one.

    Every company and lead of the merged industries, archived ones included,
    moves to the kept industry, and so do the sales actions meant for them.
    The merged names become aliases of the kept industry, so the next import
    that spells the industry the old way lands in the right place. The merged
    industries are archived, not deleted.
    """

    _name = "res.partner.industry.merge"
    _description = "Merge Industries"

    industry_ids = fields.Many2many(
        "res.partner.industry",
        string="Industries to Merge",
        required=True,
        context={"active_test": False},
    )
    target_industry_id = fields.Many2one(
        "res.partner.industry",
        string="Keep",
        required=True,
        help="Industry that remains. It becomes canonical and takes the other names as aliases.",
    )

    @api.model
    def default_get(self, fields_list):
        """Preselect the selected industries, keeping the canonical or most used one."""
        result = super().default_get(fields_list)
        if self.env.context.get("active_model") != "res.partner.industry":
            return result
        industries = self.env["res.partner.industry"].browse(self.env.context.get("active_ids"))
        suggested = industries.suggested_industry_id
        industries |= suggested
        if "industry_ids" in fields_list:
            result["industry_ids"] = [fields.Command.set(industries.ids)]
        if "target_industry_id" in fields_list and industries:
            target = industries.sorted(
                lambda industry: (
                    industry.is_canonical,
                    industry.partner_count + industry.lead_count,
                ),
                reverse=True,
            )[:1]
            result["target_industry_id"] = target.id
        return result

    def action_merge(self):
        """Move every company, lead and sales action to the kept industry, then archive the rest.

        1. Check the user is a sales manager.
        2. Move companies and leads, archived ones included, in sudo: a
           manager may not be able to edit every company.
        3. Give the kept industry the merged names and aliases as aliases.
        4. Archive the merged industries.
        """
        self.ensure_one()
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise UserError(self.env._("Only sales managers can merge industries."))
        target = self.target_industry_id
        sources = self.industry_ids - target
        if not sources:
            raise UserError(self.env._("Select at least one industry other than the one you keep."))

        # 2. Move every record. write() on the models is used so that stored
        # fields depending on the industry are recomputed.
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        partners = Partner.search([("industry_id", "in", sources.ids)])
        partners.write({"industry_id": target.id})
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        leads = Lead.search([("industry_id", "in", sources.ids)])
        leads.write({"industry_id": target.id})
        Action = self.env["sales.action"].sudo().with_context(active_test=False)
        actions = Action.search([("industry_ids", "in", sources.ids)])
        for action in actions:
            action.industry_ids = (action.industry_ids - sources) | target

        # 3. Names become aliases. Names in English and in the user's language.
        Alias = self.env["res.partner.industry.alias"].sudo()
        sources.sudo().alias_ids.write({"industry_id": target.id})
        taken = set(Alias.search([]).mapped("key"))
        taken |= {industry_key(target.name), industry_key(target.with_context(lang="en_US").name)}
        new_aliases = []
        for source in sources:
            for name in {source.name, source.with_context(lang="en_US").name}:
                key = industry_key(name)
                if key and key not in taken:
                    taken.add(key)
                    new_aliases.append({"name": name, "industry_id": target.id})
        Alias.create(new_aliases)

        # 4. Archive.
        target.sudo().is_canonical = True
        sources.sudo().write({"active": False, "is_canonical": False})
        _logger.info(
            "Merged industries %s into %s: %d companies, %d leads, %d sales actions moved",
            sources.ids,
            target.id,
            len(partners),
            len(leads),
            len(actions),
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s industries merged into %(industry)s: %(partners)s companies and "
                    "%(leads)s leads moved.",
                    count=len(sources),
                    industry=target.display_name,
                    partners=len(partners),
                    leads=len(leads),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
