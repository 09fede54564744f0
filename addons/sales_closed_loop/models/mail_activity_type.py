from odoo import fields, models


class MailActivityType(models.Model):
    _inherit = "mail.activity.type"

    counts_as_interaction = fields.Boolean(
        string="Counts as Customer Interaction",
        help="Marking an activity of this type done on a lead records a valid "
        "interaction with the customer and restarts its silence clocks.",
    )
