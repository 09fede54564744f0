from odoo import fields, models


class CrmTeamMember(models.Model):
    _inherit = "crm.team.member"

    silence_lead_cap = fields.Integer(
        string="Escalated Leads Cap",
        help="Maximum number of open leads of the team this member may own before "
        "the circuit breaker skips them. 0 means no cap.",
    )
    silence_optout = fields.Boolean(
        string="No Escalated Leads",
        help="The circuit breaker never reassigns a silent lead to this member.",
    )
    silence_away = fields.Boolean(
        string="Away",
        help="The member is away (leave, trip): the circuit breaker skips them "
        "until this is unchecked.",
    )
