from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import is_html_empty

# Field types whose value is a number, so that a "greater than" rule applies.
NUMERIC_TYPES = ("integer", "float", "monetary")


class CrmStageGateField(models.Model):
    """A field a lead must fill in before it may enter a stage.

    "Set" depends on the field type, see ``_is_value_set``. Numbers can also
    be required to be greater than a threshold, which is how a stage requires
    an amount.
    """

    _name = "crm.stage.gate.field"
    _description = "Stage Gate Required Field"
    _order = "stage_id, sequence, id"

    sequence = fields.Integer(default=10)
    stage_id = fields.Many2one(
        "crm.stage", string="Stage", required=True, ondelete="cascade", index=True
    )
    field_id = fields.Many2one(
        "ir.model.fields",
        string="Field",
        required=True,
        ondelete="cascade",
        domain="[('model', '=', 'crm.lead'), ('store', '=', True), "
        "('ttype', 'not in', ('binary', 'properties', 'json'))]",
        help="A stored field of the lead, custom fields included.",
    )
    field_type = fields.Selection(related="field_id.ttype", string="Field Type")
    operator = fields.Selection(
        [("set", "Is set"), ("greater", "Greater than")],
        required=True,
        default="set",
        help="Is set: the field contains a value (for whole numbers 0 is a value; for decimal "
        "numbers and amounts 0 is not). Greater than: the number is above the threshold.",
    )
    threshold = fields.Float(help="Used by the Greater than rule.")

    @api.constrains("field_id", "operator")
    def _check_field(self):
        for rule in self:
            if rule.field_id.model != "crm.lead" or not rule.field_id.store:
                raise ValidationError(
                    self.env._(
                        "The stage %(stage)s can only require stored fields of the lead, "
                        "not %(field)s.",
                        stage=rule.stage_id.name,
                        field=rule.field_id.field_description,
                    )
                )
            if rule.operator == "greater" and rule.field_id.ttype not in NUMERIC_TYPES:
                raise ValidationError(
                    self.env._(
                        "The rule Greater than needs a number or an amount, but %(field)s "
                        "is not a number. Choose Is set instead.",
                        field=rule.field_id.field_description,
                    )
                )

    @api.depends("field_id", "operator", "threshold")
    def _compute_display_name(self):
        for rule in self:
            rule.display_name = rule._get_label()

    def _get_label(self):
        """Return the checklist line of the rule, with the field's label in the user's language."""
        self.ensure_one()
        label = self.field_id.field_description or ""
        if self.operator == "greater":
            # Formatted outside the call: Babel's extractor evaluates string
            # arguments, and an f-string there stops the whole file's export.
            threshold = f"{self.threshold:g}"
            return self.env._(
                "%(field)s greater than %(threshold)s",
                field=label,
                threshold=threshold,
            )
        return label

    def _is_met(self, lead):
        """Return whether ``lead`` satisfies this rule."""
        self.ensure_one()
        field = lead._fields.get(self.field_id.name)
        if field is None:
            # The field belongs to a module that was uninstalled after the rule was made.
            return True
        value = lead[field.name]
        if self.operator == "greater":
            return (value or 0) > self.threshold
        return self._is_value_set(field, value)

    @api.model
    def _is_value_set(self, field, value):
        """Return whether ``value`` of ``field`` counts as filled in.

        Whole numbers are always set because Odoo stores 0 for an empty
        integer, so 0 is a value. Decimal numbers and amounts are set when they
        are not 0, because 0.00 is what an untouched amount shows. Texts must
        hold more than spaces, HTML more than empty tags, booleans must be
        checked, and relations must point to at least one record.
        """
        if field.type == "integer":
            return True
        if field.type in ("float", "monetary"):
            return bool(value)
        if field.type in ("char", "text"):
            return bool(value and value.strip())
        if field.type == "html":
            return not is_html_empty(value)
        return bool(value)
