from odoo import fields, models


class CrmLeadGateOverride(models.Model):
    """One stage change that passed a gate the lead did not meet, with its reason.

    Rows are written by the stage gate itself when a member of the override
    group moves a lead through the override wizard, so that no override goes
    unrecorded. No group has write access to them.
    """

    _name = "crm.lead.gate.override"
    _description = "Stage Gate Override"
    _order = "date desc, id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one(
        "crm.lead", string="Lead", required=True, ondelete="cascade", index=True
    )
    stage_from_id = fields.Many2one("crm.stage", string="From Stage", ondelete="set null")
    stage_id = fields.Many2one("crm.stage", string="To Stage", required=True, ondelete="cascade")
    user_id = fields.Many2one(
        "res.users", string="Overridden By", required=True, default=lambda self: self.env.user
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    rules_skipped = fields.Text(
        string="Rules Skipped", help="What the lead missed when the gate was passed."
    )
    reason = fields.Text(required=True)
    team_id = fields.Many2one("crm.team", string="Sales Team")
    company_id = fields.Many2one(related="lead_id.company_id", store=True)
