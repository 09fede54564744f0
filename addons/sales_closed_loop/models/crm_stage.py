from odoo import Command, api, fields, models


class CrmStage(models.Model):
    _inherit = "crm.stage"

    gate_field_ids = fields.One2many(
        "crm.stage.gate.field",
        "stage_id",
        string="Required Fields",
        help="Fields of the lead that must be filled in before it may enter this stage.",
    )
    gate_evidence_ids = fields.One2many(
        "crm.stage.gate.evidence",
        "stage_id",
        string="Required Evidence Rules",
        help="Evidence files the lead must have before it may enter this stage.",
    )
    gate_condition_ids = fields.One2many(
        "crm.stage.gate.condition",
        "stage_id",
        string="Conditions",
        help="Conditions on the lead, each with the message shown when it fails.",
    )
    gate_evidence_type_ids = fields.Many2many(
        "crm.evidence.type",
        string="Required Evidence",
        compute="_compute_gate_evidence_type_ids",
        inverse="_inverse_gate_evidence_type_ids",
        help="Shortcut for evidence rules of one type and one file each. Setting it "
        "replaces those simple rules and keeps the others.",
    )
    gate_allow_back = fields.Boolean(
        string="Allow Moving Back",
        default=True,
        help="When unchecked, leads in this stage cannot be moved back to an earlier stage.",
    )
    gate_rule_count = fields.Integer(string="Gate Rules", compute="_compute_gate_rule_count")

    @api.depends("gate_evidence_ids.type_ids")
    def _compute_gate_evidence_type_ids(self):
        for stage in self:
            stage.gate_evidence_type_ids = stage.gate_evidence_ids.type_ids

    def _inverse_gate_evidence_type_ids(self):
        for stage in self:
            simple_rules = stage.gate_evidence_ids.filtered(lambda rule: rule._is_simple())
            kept_types = simple_rules.type_ids & stage.gate_evidence_type_ids
            commands = [
                Command.unlink(rule.id) for rule in simple_rules if rule.type_ids not in kept_types
            ]
            missing_types = stage.gate_evidence_type_ids - stage.gate_evidence_ids.type_ids
            commands += [
                Command.create({"type_ids": [Command.set(evidence_type.ids)]})
                for evidence_type in missing_types
            ]
            if commands:
                stage.gate_evidence_ids = commands

    @api.depends("gate_field_ids", "gate_evidence_ids", "gate_condition_ids")
    def _compute_gate_rule_count(self):
        for stage in self:
            stage.gate_rule_count = (
                len(stage.gate_field_ids)
                + len(stage.gate_evidence_ids)
                + len(stage.gate_condition_ids)
            )
