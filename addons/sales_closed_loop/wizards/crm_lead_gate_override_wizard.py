from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.crm_lead import OVERRIDE_CONTEXT_KEY, OVERRIDE_GROUP


class CrmLeadGateOverrideWizard(models.TransientModel):
    """Move leads into a stage whose gate they do not meet, with a written reason.

    The gate itself records the override (see ``crm.lead._gate_check``), so
    this wizard only collects the reason and runs the stage change.
    """

    _name = "crm.lead.gate.override.wizard"
    _description = "Override Stage Gate"

    lead_ids = fields.Many2many("crm.lead", string="Leads", required=True)
    stage_id = fields.Many2one(
        "crm.stage", string="Move To", required=True, help="Stage the leads enter."
    )
    reason = fields.Text(
        required=True, help="Why the leads may pass the gate. Recorded and posted in the chatter."
    )
    missing = fields.Text(string="Rules to Skip", compute="_compute_missing")

    @api.depends("lead_ids", "stage_id")
    def _compute_missing(self):
        for wizard in self:
            leads = wizard.lead_ids
            if not leads or not wizard.stage_id:
                wizard.missing = False
                continue
            gate_data = leads._gate_prepare_data(wizard.stage_id)
            lines = []
            for lead in leads:
                items = lead._gate_get_rule_items(wizard.stage_id, gate_data)
                for problem in lead._gate_format_missing(wizard.stage_id, items):
                    lines.append(f"{lead.display_name}: {problem}")
            wizard.missing = "\n".join(lines) or self.env._("Nothing: the leads meet the gate.")

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group(OVERRIDE_GROUP):
            raise AccessError(
                self.env._(
                    "Only members of the group Sales / Override Stage Gates may "
                    "override a stage gate."
                )
            )
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason for the override."))
        # Lost leads are archived: read them too, so that the gate refuses them.
        leads = self.with_context(active_test=False).lead_ids
        leads.with_context(**{OVERRIDE_CONTEXT_KEY: self.reason}).write(
            {"stage_id": self.stage_id.id}
        )
        return {"type": "ir.actions.act_window_close"}
