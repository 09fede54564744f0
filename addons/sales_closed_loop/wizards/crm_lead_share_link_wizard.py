from odoo import api, fields, models


class CrmLeadShareLinkWizard(models.TransientModel):
    """Pick a file of a lead or of one of its evidence records, and get its tracked link."""

    _name = "crm.lead.share.link.wizard"
    _description = "Share a Lead Document"

    lead_id = fields.Many2one("crm.lead", string="Lead", required=True, readonly=True)
    evidence_id = fields.Many2one("crm.lead.evidence", string="Evidence", readonly=True)
    allowed_attachment_ids = fields.Many2many(
        "ir.attachment", compute="_compute_allowed_attachment_ids"
    )
    attachment_id = fields.Many2one(
        "ir.attachment",
        string="Document",
        domain="[('id', 'in', allowed_attachment_ids)]",
        help="A file attached to the lead or to one of its evidence records.",
    )
    link_id = fields.Many2one("crm.lead.share.link", string="Share Link", readonly=True)
    url = fields.Char(related="link_id.url", string="Link")

    @api.model
    def _action_open(self, lead, evidence=None):
        """Return the action opening this dialog for ``lead`` (and ``evidence``)."""
        evidence = evidence or self.env["crm.lead.evidence"]
        files = evidence.attachment_ids if evidence else self.env["ir.attachment"]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Share a Document"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_lead_id": lead.id,
                "default_evidence_id": evidence.id,
                "default_attachment_id": files.id if len(files) == 1 else False,
            },
        }

    @api.depends("lead_id", "evidence_id")
    def _compute_allowed_attachment_ids(self):
        for wizard in self:
            if wizard.evidence_id:
                wizard.allowed_attachment_ids = wizard.evidence_id.attachment_ids
                continue
            lead_files = self.env["ir.attachment"].search(
                [("res_model", "=", "crm.lead"), ("res_id", "=", wizard.lead_id.id)]
            )
            wizard.allowed_attachment_ids = lead_files | wizard.lead_id.evidence_ids.attachment_ids

    def action_create_link(self):
        """Create the tracked link of the chosen file and show it to copy."""
        self.ensure_one()
        if not self.link_id:
            if not self.attachment_id:
                return self._action_reopen()
            self.link_id = self.env["crm.lead.share.link"].create(
                {
                    "lead_id": self.lead_id.id,
                    "attachment_id": self.attachment_id.id,
                    "evidence_id": self.evidence_id.id,
                }
            )
        return self._action_reopen()

    def _action_reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Share a Document"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
