from odoo import fields, models


class CrmLeadEscalationReply(models.TransientModel):
    _name = "crm.lead.escalation.reply"
    _description = "Explain a Silent Lead Escalation"

    escalation_id = fields.Many2one("crm.lead.escalation", required=True, ondelete="cascade")
    explanation = fields.Text(required=True)
    request_extension = fields.Boolean(string="Request an Extension")
    extension_hours = fields.Float(
        string="Extension (Hours)",
        default=24.0,
        help="Hours during which the lead comes back to you and is not escalated "
        "again, if the manager approves.",
    )

    def action_confirm(self):
        self.ensure_one()
        hours = self.extension_hours if self.request_extension else 0.0
        self.escalation_id._escalation_reply(self.explanation, hours)
        return {"type": "ir.actions.act_window_close"}
