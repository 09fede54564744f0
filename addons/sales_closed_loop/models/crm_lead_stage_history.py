from odoo import api, fields, models


class CrmLeadStageHistory(models.Model):
    """One stay of a lead in a stage, from the time it entered to the time it left.

    The row is written by the stage gate when a lead is created in or moved to
    a stage. ``date_out`` stays empty while the lead is still in the stage.
    ``create_uid`` is the user who moved the lead and ``user_id`` the
    salesperson of the lead at that time.
    """

    _name = "crm.lead.stage.history"
    _description = "Lead Stage History"
    _order = "date_in desc, id desc"

    lead_id = fields.Many2one(
        "crm.lead", string="Lead", required=True, ondelete="cascade", index=True
    )
    stage_id = fields.Many2one("crm.stage", string="Stage", required=True, ondelete="cascade")
    team_id = fields.Many2one("crm.team", string="Sales Team")
    user_id = fields.Many2one(
        "res.users", string="Salesperson", help="Salesperson of the lead when it entered the stage."
    )
    date_in = fields.Datetime(string="Entered On", required=True, default=fields.Datetime.now)
    date_out = fields.Datetime(string="Left On")
    duration_days = fields.Float(
        string="Days in Stage",
        compute="_compute_duration_days",
        store=True,
        aggregator="avg",
        help="Time between entering and leaving the stage, in days. Empty while the lead "
        "is still in the stage.",
    )
    is_imported = fields.Boolean(
        string="Imported", help="Row loaded from a pipeline history file, with its original dates."
    )
    company_id = fields.Many2one(related="lead_id.company_id", store=True)

    @api.depends("date_in", "date_out")
    def _compute_duration_days(self):
        for row in self:
            if row.date_in and row.date_out:
                row.duration_days = (row.date_out - row.date_in).total_seconds() / 86400
            else:
                row.duration_days = 0.0
