from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval


class CrmStageGateCondition(models.Model):
    """A condition on the lead, written as an Odoo domain, that must hold to enter a stage."""

    _name = "crm.stage.gate.condition"
    _description = "Stage Gate Condition"
    _order = "stage_id, sequence, id"

    sequence = fields.Integer(default=10)
    stage_id = fields.Many2one(
        "crm.stage", string="Stage", required=True, ondelete="cascade", index=True
    )
    domain = fields.Char(
        required=True,
        default="[]",
        help="The lead must match this domain to enter the stage.",
    )
    message = fields.Char(
        required=True,
        translate=True,
        help="Shown to the sales rep when the lead does not match, for example: "
        "The customer must have a phone number.",
    )

    @api.constrains("domain")
    def _check_domain(self):
        for condition in self:
            try:
                self.env["crm.lead"].search_count(condition._get_domain(), limit=1)
            except Exception as error:  # Any parse or field error makes the domain invalid.
                raise ValidationError(
                    self.env._(
                        "The condition %(message)s has an invalid domain: %(error)s",
                        message=condition.message,
                        error=error,
                    )
                ) from error

    @api.depends("message")
    def _compute_display_name(self):
        for condition in self:
            condition.display_name = condition.message

    def _get_domain(self):
        """Return the domain as a list, evaluated with no variables."""
        self.ensure_one()
        return safe_eval(self.domain or "[]")
