from odoo import fields, models

COLOR_CLASSES = [
    ("green", "Green"),
    ("yellow", "Yellow"),
    ("red", "Red"),
]


class CrmEvidenceType(models.Model):
    """Kind of proof a sales rep attaches to a lead, such as a signed contract.

    Stages list the evidence types a lead needs before it may enter them, and
    the colour class shows how firm the proof is (green: signed documents or
    payments, yellow: written intent, red: verbal or vague).
    """

    _name = "crm.evidence.type"
    _description = "Evidence Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable technical key of the type, used by data files and other modules, "
        "e.g. pain_points.",
    )
    color_class = fields.Selection(
        COLOR_CLASSES,
        string="Colour Class",
        required=True,
        default="red",
        help="How firm this proof is: green for signed documents or payments, yellow "
        "for written intent, red for verbal or vague statements.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(
        translate=True, help="What a file of this type must show to count as evidence."
    )

    _sql_constraints = [
        (
            "code_unique",
            "unique(code)",
            "Another evidence type already uses this code. Choose a different code.",
        ),
    ]
