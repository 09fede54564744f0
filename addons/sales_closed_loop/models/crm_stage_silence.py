from odoo import fields, models


class CrmStage(models.Model):
    _inherit = "crm.stage"

    silence_breaker_hours = fields.Float(
        string="Escalate After (Hours)",
        help="Hours without a valid interaction before a lead in this stage is "
        "reassigned, in the team's way of counting hours. 0 uses the sales "
        "team's value.",
    )
