from odoo import fields, models


class CrmEvidenceType(models.Model):
    _inherit = "crm.evidence.type"

    forecast_validity_days = fields.Integer(
        string="Forecast Validity (Days)",
        default=0,
        help="Number of days after its date during which evidence of this type "
        "counts for the forecast colour. 0 means it never expires.",
    )

    _sql_constraints = [
        (
            "forecast_validity_days_positive",
            "CHECK(forecast_validity_days >= 0)",
            "The forecast validity of an evidence type cannot be negative. "
            "Enter 0 for evidence that never expires.",
        ),
    ]
