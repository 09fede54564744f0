from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmStageGateEvidence(models.Model):
    """Evidence files a lead must have before it may enter a stage.

    A rule is met by at least ``min_count`` distinct files attached to
    evidence records of any of ``type_ids``. A file is counted once, however
    many evidence records link it and wherever it was uploaded (the evidence
    record, the lead's attachments or a chatter message), because files are
    compared by content.
    """

    _name = "crm.stage.gate.evidence"
    _description = "Stage Gate Required Evidence"
    _order = "stage_id, sequence, id"

    sequence = fields.Integer(default=10)
    stage_id = fields.Many2one(
        "crm.stage", string="Stage", required=True, ondelete="cascade", index=True
    )
    type_ids = fields.Many2many(
        "crm.evidence.type",
        "crm_stage_gate_evidence_type_link_rel",
        "rule_id",
        "type_id",
        string="Evidence Types",
        required=True,
        help="Evidence of any of these types counts for the rule.",
    )
    min_count = fields.Integer(
        string="Minimum Files", default=1, required=True, help="Number of distinct files needed."
    )
    max_age_days = fields.Integer(
        string="Maximum Age (days)",
        help="Only evidence dated within this many days before the stage change counts. "
        "0 means any date.",
    )
    allowed_extensions = fields.Char(
        string="Allowed File Types",
        help="File name extensions that count, separated by commas, for example: pdf, jpg, "
        "png. Empty means any file.",
    )

    _sql_constraints = [
        ("min_count_positive", "CHECK(min_count >= 1)", "The minimum number of files is 1."),
        ("max_age_positive", "CHECK(max_age_days >= 0)", "The maximum age cannot be negative."),
    ]

    @api.constrains("type_ids")
    def _check_type_ids(self):
        for rule in self:
            if not rule.with_context(active_test=False).type_ids:
                raise ValidationError(
                    self.env._("An evidence rule needs at least one evidence type.")
                )

    @api.depends("type_ids", "min_count", "max_age_days", "allowed_extensions")
    def _compute_display_name(self):
        for rule in self:
            rule.display_name = rule._get_label()

    def _get_extensions(self):
        """Return the allowed extensions as a set of lower-case strings without dots."""
        self.ensure_one()
        parts = (self.allowed_extensions or "").replace(";", ",").replace(" ", ",").split(",")
        return {part.strip().lstrip(".").lower() for part in parts if part.strip()}

    def _get_label(self):
        """Return the checklist line of the rule, naming the types in the user's language."""
        self.ensure_one()
        types = " / ".join(self.type_ids.mapped("name"))
        if self.min_count > 1:
            label = self.env._("%(types)s: %(count)s files", types=types, count=self.min_count)
        else:
            label = types
        details = []
        if self.max_age_days:
            details.append(self.env._("dated within %(days)s days", days=self.max_age_days))
        if self.allowed_extensions:
            details.append(
                self.env._(
                    "file types %(extensions)s",
                    extensions=", ".join(sorted(self._get_extensions())),
                )
            )
        if details:
            label = f"{label} ({', '.join(details)})"
        return label

    def _count_files(self, files, today):
        """Return how many distinct files of ``files`` count for this rule.

        ``files`` is the list of dicts that ``crm.lead._gate_get_evidence_files``
        gathered for one lead, with keys ``type_id``, ``date``, ``key`` and
        ``extension``.
        """
        self.ensure_one()
        type_ids = set(self.type_ids.ids)
        extensions = self._get_extensions()
        keys = set()
        for file in files:
            if file["type_id"] not in type_ids:
                continue
            if self.max_age_days and (today - file["date"]).days > self.max_age_days:
                continue
            if extensions and file["extension"] not in extensions:
                continue
            keys.add(file["key"])
        return len(keys)

    def _is_simple(self):
        """Return whether the rule is one type, one file, any age, any file type."""
        self.ensure_one()
        return (
            len(self.type_ids) == 1
            and self.min_count == 1
            and not self.max_age_days
            and not self.allowed_extensions
        )
