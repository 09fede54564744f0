from odoo import api, fields, models


class CrmIcebreakerTemplate(models.Model):
    """A message that reopens a conversation with a silent customer (破冰话术)."""

    _name = "crm.icebreaker.template"
    _description = "Ice-Breaker Template"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    body = fields.Text(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    stage_ids = fields.Many2many(
        "crm.stage",
        string="Stages",
        help="Stages where the template fits. Empty means every stage.",
    )
    industry_ids = fields.Many2many(
        "res.partner.industry",
        string="Industries",
        help="Customer industries where the template fits. Empty means every industry.",
    )

    @api.model
    def _select_for_lead(self, lead, limit):
        """Return up to ``limit`` templates for ``lead``, the most specific first.

        A template that names the lead's stage or industry ranks above a general
        one; templates naming another stage or industry are left out.
        """
        industry = lead.partner_id.commercial_partner_id.industry_id
        templates = self.search([])
        fitting = templates.filtered(
            lambda template: (
                (not template.stage_ids or lead.stage_id in template.stage_ids)
                and (not template.industry_ids or industry in template.industry_ids)
            )
        )
        ranked = fitting.sorted(
            lambda template: (
                -(bool(template.stage_ids) + bool(template.industry_ids)),
                template.sequence,
                template.id,
            )
        )
        return ranked[:limit]
