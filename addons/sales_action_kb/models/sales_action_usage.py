from odoo import api, fields, models
from odoo.exceptions import UserError

USAGE_SOURCES = [
    ("lead_form", "Lead Form"),
    ("message", "Chatter Code"),
]


class SalesActionUsage(models.Model):
    """One use of a sales action on a lead.

    Usage is append-only: every use inserts its own row and nothing is ever
    written on the shared action, so many reps using one action at the same
    moment neither lose a record nor block each other. Sales users can neither
    edit nor delete a row. Merging leads moves rows to the surviving lead, and
    deleting a lead deletes its rows.
    """

    _name = "sales.action.usage"
    _description = "Sales Action Usage"
    _order = "date desc, id desc"
    _rec_name = "action_id"

    action_id = fields.Many2one(
        "sales.action", string="Action", required=True, index=True, ondelete="restrict"
    )
    category = fields.Selection(related="action_id.category", store=True)
    lead_id = fields.Many2one(
        "crm.lead", string="Lead", required=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        index=True,
        default=lambda self: self.env.user,
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True)
    stage_id = fields.Many2one(
        "crm.stage", string="Stage", help="Stage of the lead when the action was used."
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    source = fields.Selection(USAGE_SOURCES, required=True, default="lead_form")
    company_id = fields.Many2one("res.company", index=True)

    @api.model_create_multi
    def create(self, vals_list):
        """Create usages, taking team, stage and company from the lead at the time of use."""
        lead_ids = {vals["lead_id"] for vals in vals_list if vals.get("lead_id")}
        leads = self.env["crm.lead"].sudo().browse(lead_ids)
        lead_by_id = {lead.id: lead for lead in leads}
        for vals in vals_list:
            lead = lead_by_id.get(vals.get("lead_id"))
            if not lead:
                continue
            vals.setdefault("team_id", lead.team_id.id)
            vals.setdefault("stage_id", lead.stage_id.id)
            vals.setdefault("company_id", lead.company_id.id)
        return super().create(vals_list)

    def write(self, vals):
        # Only superuser code changes a usage, to move it to the surviving lead
        # when leads are merged. Sales groups have no write access either.
        if not self.env.su:
            raise UserError(
                self.env._("A sales action usage records what happened and cannot be changed.")
            )
        return super().write(vals)
