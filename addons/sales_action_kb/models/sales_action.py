import re

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import html_translate

# One to three capital letters followed by one to four digits, such as D37 or
# OBJ120, so that a code is short enough to type as "#D37" in a chatter note.
ACTION_CODE_PATTERN = re.compile(r"[A-Z]{1,3}[0-9]{1,4}")

ACTION_CATEGORIES = [
    ("ice_breaking", "Ice-Breaking"),
    ("qualification", "Qualification"),
    ("needs_deep_dive", "Needs Deep-Dive"),
    ("decision_chain", "Decision Chain"),
    ("value_presentation", "Value Presentation"),
    ("competitor_response", "Competitor Response"),
    ("objection_handling", "Objection Handling"),
    ("closing", "Closing"),
]


class SalesAction(models.Model):
    """An atomic sales action: one small, reusable step of the sales process.

    Each action has a code that reps can quote (``#D37``), the stages and
    industries it fits, a standard script, reference documents and a typical
    recording excerpt. An action in use is archived, never deleted, so the
    history that refers to it stays complete.
    """

    _name = "sales.action"
    _description = "Sales Action"
    _order = "sequence, code, id"
    _rec_names_search = ["code", "name"]

    code = fields.Char(
        required=True,
        index=True,
        copy=False,
        help="Unique code of the action, such as D37: one to three capital letters "
        "followed by one to four digits. Reps quote it as #D37 in notes and reports.",
    )
    name = fields.Char(required=True, translate=True)
    category = fields.Selection(
        ACTION_CATEGORIES,
        string="Dimension",
        required=True,
        default="needs_deep_dive",
        help="Skill dimension the action trains. Compliance and the red/black list "
        "are counted per dimension.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to share the action with every company.",
    )
    stage_ids = fields.Many2many(
        "crm.stage",
        "sales_action_crm_stage_rel",
        "action_id",
        "stage_id",
        string="Stages",
        help="Pipeline stages in which the action is suggested.",
    )
    industry_ids = fields.Many2many(
        "res.partner.industry",
        "sales_action_res_partner_industry_rel",
        "action_id",
        "industry_id",
        string="Industries",
        help="Customer industries the action suits. Leave empty when it suits every industry.",
    )
    tag_ids = fields.Many2many(
        "sales.action.tag",
        "sales_action_sales_action_tag_rel",
        "action_id",
        "tag_id",
        string="Tags",
    )
    script = fields.Html(
        string="Standard Script",
        translate=html_translate,
        help="What to say or do, step by step, as the team agreed it.",
    )
    document_ids = fields.Many2many(
        "ir.attachment",
        "sales_action_ir_attachment_rel",
        "action_id",
        "attachment_id",
        string="Reference Documents",
        help="Templates, scoring sheets and examples to use with the action.",
    )
    recording_excerpt = fields.Text(
        string="Recording Transcript",
        translate=True,
        help="Transcript of a typical conversation where the action was used well.",
    )
    recording_file = fields.Binary(
        string="Recording",
        attachment=True,
        help="Audio file of the typical conversation, recorded with the customer's consent.",
    )
    recording_filename = fields.Char()
    usage_count = fields.Integer(string="Uses", compute="_compute_usage_count")
    is_standard = fields.Boolean(
        string="Standard Action",
        help="Standard actions are drilled for the action certification: a salesperson "
        "with a confirmed drill of each one gets the certification badge.",
    )

    _sql_constraints = [
        ("code_unique", "unique(code)", "Each sales action must have a unique code."),
    ]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for action in self:
            action.display_name = f"[{action.code}] {action.name}" if action.code else action.name

    def _compute_usage_count(self):
        counts = dict(
            self.env["sales.action.usage"]._read_group(
                [("action_id", "in", self.ids)], ["action_id"], ["__count"]
            )
        )
        for action in self:
            action.usage_count = counts.get(action, 0)

    @api.constrains("code")
    def _check_code(self):
        for action in self:
            if not ACTION_CODE_PATTERN.fullmatch(action.code or ""):
                raise ValidationError(
                    self.env._(
                        "The action code “%(code)s” is not valid. Use one to three capital "
                        "letters followed by one to four digits, for example D37.",
                        code=action.code,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._normalize_code(vals)
        self._check_code_free([vals.get("code") for vals in vals_list])
        actions = super().create(vals_list)
        actions._link_documents()
        return actions

    def write(self, vals):
        self._normalize_code(vals)
        if vals.get("code"):
            self._check_code_free([vals["code"]])
        result = super().write(vals)
        if "document_ids" in vals:
            self._link_documents()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        used = self._get_used_actions()
        if used:
            raise UserError(
                self.env._(
                    "The sales actions %(actions)s are in use and cannot be deleted. "
                    "Archive them instead, so their history stays in every report.",
                    actions=", ".join(used.mapped("display_name")),
                )
            )

    @api.model
    def _normalize_code(self, vals):
        """Strip and upper-case the code in ``vals``, so "d37 " and "D37" are one code."""
        if vals.get("code"):
            vals["code"] = vals["code"].strip().upper()

    def _check_code_free(self, codes):
        """Raise a ValidationError when another action already uses one of ``codes``.

        This check runs before the database's unique constraint so that the
        message can name the action that owns the code. The constraint still
        catches two transactions that take one code at the same time.
        """
        codes = [code for code in codes if code]
        if not codes:
            return

        # Archived actions keep their code reserved: a note that quotes it
        # must keep pointing at one action.
        owner = (
            self.with_context(active_test=False)
            .sudo()
            .search([("code", "in", codes), ("id", "not in", self.ids)], limit=1)
        )
        if not owner:
            return
        if owner.with_env(self.env).has_access("read"):
            raise ValidationError(
                self.env._(
                    "The action code “%(code)s” is already used by “%(action)s”. Choose "
                    "another code.",
                    code=owner.code,
                    action=owner.with_env(self.env).display_name,
                )
            )
        raise ValidationError(
            self.env._(
                "The action code “%(code)s” is already used by an action of another "
                "company. Choose another code.",
                code=owner.code,
            )
        )

    def _get_used_actions(self):
        """Return the actions of ``self`` that other records refer to.

        Override to add a kind of reference that must keep an action from being
        deleted. A usage counts even when the current user cannot read it, so the
        check runs in sudo.
        """
        groups = (
            self.env["sales.action.usage"]
            .sudo()
            ._read_group([("action_id", "in", self.ids)], ["action_id"])
        )
        return self.browse([action.id for (action,) in groups])

    def action_use_on_lead(self):
        """Record that the current user used this action on the lead in the context.

        The lead form's "Use" button calls this with ``sales_action_lead_id``. A
        note on the lead keeps the use visible in its chatter.
        """
        self.ensure_one()
        lead = self.env["crm.lead"].browse(self.env.context.get("sales_action_lead_id")).exists()
        if not lead:
            raise UserError(self.env._("Save the lead before recording a sales action on it."))
        lead.check_access("read")

        self.env["sales.action.usage"].create(
            {"action_id": self.id, "lead_id": lead.id, "source": "lead_form"}
        )
        lead.with_context(sales_action_kb_skip_mentions=True).message_post(
            body=self.env._("Sales action used: %(action)s", action=self.display_name),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_view_usages(self):
        """Open the usages of this action."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Uses of %(action)s", action=self.display_name),
            "res_model": "sales.action.usage",
            "view_mode": "list,pivot,graph",
            "domain": [("action_id", "=", self.id)],
            "context": {"default_action_id": self.id},
        }

    def _link_documents(self):
        """Link freshly uploaded reference documents to their action.

        The form uploads a file before a new action has an id, so the attachment
        is stored without ``res_id`` and only its uploader could read it. Linking
        it gives it the access rights of the action.
        """
        for action in self:
            unlinked = action.document_ids.filtered(
                lambda attachment: (
                    not attachment.res_id and attachment.res_model in (False, self._name)
                )
            )
            if unlinked:
                unlinked.write({"res_model": self._name, "res_id": action.id})
