from odoo import fields, models


class CrmStage(models.Model):
    _inherit = "crm.stage"

    gate_evidence_type_ids = fields.Many2many(
        "crm.evidence.type",
        "crm_stage_gate_evidence_type_rel",
        "stage_id",
        "evidence_type_id",
        string="Required Evidence",
        help="A lead may enter this stage only when it has, for each of these evidence "
        "types, at least one evidence record with a file attached.",
    )
    gate_allow_back = fields.Boolean(
        string="Allow Moving Back",
        default=True,
        help="When unchecked, leads in this stage cannot be moved back to an earlier stage.",
    )
