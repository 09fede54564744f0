import re

from odoo import api, fields, models
from odoo.tools import html2plaintext

# "#D37" in a note is a hash followed by an action code. The lookbehind skips
# "&#39;" and words such as "abc#D1". Case is ignored because reps type "#d37" too.
ACTION_CODE_MENTION = re.compile(r"(?<![\w&#])#([A-Za-z]{1,3}[0-9]{1,4})\b")

# Enough suggestions to cover a stage without burying the best ones.
SUGGESTED_ACTION_LIMIT = 8


class CrmLead(models.Model):
    _inherit = "crm.lead"

    action_usage_ids = fields.One2many(
        "sales.action.usage", "lead_id", string="Sales Action Usages"
    )
    industry_id = fields.Many2one(
        "res.partner.industry",
        string="Industry",
        compute="_compute_industry_id",
        store=True,
        readonly=False,
        index=True,
        help="Industry of the customer, taken from the company when there is one.",
    )
    suggested_action_ids = fields.Many2many(
        "sales.action",
        string="Suggested Actions",
        compute="_compute_suggested_action_ids",
        help="Actions for the lead's stage, those for the customer's industry first.",
    )

    @api.depends("partner_id.industry_id", "partner_id.commercial_partner_id.industry_id")
    def _compute_industry_id(self):
        """Follow the company's industry; keep the lead's own when the company has none."""
        for lead in self:
            partner = lead.partner_id
            industry = partner.commercial_partner_id.industry_id or partner.industry_id
            lead.industry_id = industry or lead.industry_id

    @api.model_create_multi
    def create(self, vals_list):
        """Store the canonical industry when a lead is given one of its aliases."""
        self.env["res.partner.industry"]._map_industry_vals_list(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("industry_id"):
            vals = dict(vals)
            self.env["res.partner.industry"]._map_industry_vals_list([vals])
        return super().write(vals)

    @api.depends("stage_id", "industry_id")
    def _compute_suggested_action_ids(self):
        """Suggest actions for each lead's stage, ranked for the rep.

        Actions for the lead's industry come first and ice-breakers last,
        because ice-breakers fit every stage and would otherwise crowd out the
        stage's own actions. An action limited to other industries is left out
        only when the lead's industry is known. One search covers every
        lead in ``self``, and the ranking runs in memory.
        """
        actions = self.env["sales.action"].search([("stage_ids", "in", self.stage_id.ids)])
        for lead in self:
            industry = lead.industry_id
            candidates = actions.filtered(
                lambda action, lead=lead, industry=industry: (
                    lead.stage_id in action.stage_ids
                    and (not industry or not action.industry_ids or industry in action.industry_ids)
                )
            )
            # sorted() is stable, so the library order stays within each rank.
            ranked = candidates.sorted(
                lambda action, industry=industry: (
                    not (industry and industry in action.industry_ids),
                    action.category == "ice_breaking",
                )
            )
            lead.suggested_action_ids = ranked[:SUGGESTED_ACTION_LIMIT]

    def _get_icebreaker_templates(self, limit=3):
        """Return the library's ice-breakers for the 48h nudge, then the shipped ones.

        Ice-breaking actions that fit the lead's stage and industry come first,
        those of its industry before general ones. Their code is in the name,
        so the rep can record the use by quoting it in the chatter.
        """
        self.ensure_one()
        industry = self.industry_id
        actions = self.env["sales.action"].search([("category", "=", "ice_breaking")])
        fitting = actions.filtered(
            lambda action: (
                (not action.stage_ids or self.stage_id in action.stage_ids)
                and (not industry or not action.industry_ids or industry in action.industry_ids)
            )
        )
        ranked = fitting.sorted(lambda action: not (industry and industry in action.industry_ids))
        templates = [
            {"name": action.display_name, "body": html2plaintext(action.script or "")}
            for action in ranked[:limit]
        ]
        if len(templates) < limit:
            templates += super()._get_icebreaker_templates(limit=limit - len(templates))
        return templates

    def _message_post_after_hook(self, message, msg_vals):
        """Record a usage for every action code (``#D37``) quoted in a rep's note or activity."""
        result = super()._message_post_after_hook(message, msg_vals)
        if not self.env.context.get("sales_action_kb_skip_mentions"):
            self._record_action_mentions(message)
        return result

    def _record_action_mentions(self, message):
        """Create one usage per action code quoted in ``message``.

        Only messages written by the current internal user count: notes,
        messages, and the message posted when an activity is marked done, which
        carries the activity's summary, note and feedback. Emails, such as
        replies from customers, are skipped.
        """
        user = self.env.user
        if (
            len(self) != 1
            or message.message_type not in ("comment", "notification")
            or message.author_id != user.partner_id
            or not user._is_internal()
        ):
            return

        codes = {
            code.upper() for code in ACTION_CODE_MENTION.findall(html2plaintext(message.body or ""))
        }
        if not codes:
            return

        # The user's own rights apply even when an activity is marked done
        # in sudo, so an action of another company is never recorded.
        actions = self.env(su=False)["sales.action"].search([("code", "in", list(codes))])
        self.env["sales.action.usage"].sudo().create(
            [
                {
                    "action_id": action.id,
                    "lead_id": self.id,
                    "user_id": user.id,
                    "source": "message",
                }
                for action in actions
            ]
        )

    def _merge_dependences(self, opportunities):
        """Move the action usages of merged leads to the surviving lead, so none is lost."""
        result = super()._merge_dependences(opportunities)
        self.env["sales.action.usage"].sudo().search([("lead_id", "in", opportunities.ids)]).write(
            {"lead_id": self.id}
        )
        return result
