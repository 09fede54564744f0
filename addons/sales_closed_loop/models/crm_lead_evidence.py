from odoo import api, fields, models


class CrmLeadEvidence(models.Model):
    """Proof attached to a lead: a type, the files that show it, a date and a note.

    Files uploaded on an evidence record are attached to its lead, so they
    appear among the lead's attachments and anyone who can read the lead can
    open them.
    """

    _name = "crm.lead.evidence"
    _description = "Lead Evidence"
    _order = "date desc, id desc"

    lead_id = fields.Many2one(
        "crm.lead", string="Lead", required=True, ondelete="cascade", index=True
    )
    type_id = fields.Many2one(
        "crm.evidence.type", string="Evidence Type", required=True, ondelete="restrict"
    )
    color_class = fields.Selection(related="type_id.color_class", store=True)
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "crm_lead_evidence_ir_attachment_rel",
        "evidence_id",
        "attachment_id",
        string="Files",
    )
    attachment_count = fields.Integer(string="Files Count", compute="_compute_attachment_count")
    date = fields.Date(required=True, default=fields.Date.context_today)
    note = fields.Text()
    user_id = fields.Many2one("res.users", string="Recorded By", default=lambda self: self.env.user)
    company_id = fields.Many2one(related="lead_id.company_id", store=True)

    @api.depends("attachment_ids")
    def _compute_attachment_count(self):
        for evidence in self:
            evidence.attachment_count = len(evidence.attachment_ids)

    @api.depends("type_id", "lead_id")
    def _compute_display_name(self):
        for evidence in self:
            evidence.display_name = evidence.env._(
                "%(type)s on %(lead)s",
                type=evidence.type_id.name or "",
                lead=evidence.lead_id.name or "",
            )

    @api.model_create_multi
    def create(self, vals_list):
        evidences = super().create(vals_list)
        evidences._attach_files_to_lead()
        return evidences

    def write(self, vals):
        result = super().write(vals)
        if "attachment_ids" in vals or "lead_id" in vals:
            self._attach_files_to_lead()
        return result

    def _attach_files_to_lead(self):
        """Point the files uploaded on these evidence records to their lead.

        The upload widget creates the file for the evidence model with no
        record id, and Odoo lets only its uploader read such a file. Files that
        already belong to another document are left where they are. The write
        runs with the user's own rights, so it needs write access to the lead.
        """
        for evidence in self:
            uploaded_here = evidence.attachment_ids.filtered(
                lambda attachment: attachment.res_model in (False, self._name)
            )
            if uploaded_here:
                uploaded_here.write({"res_model": "crm.lead", "res_id": evidence.lead_id.id})
