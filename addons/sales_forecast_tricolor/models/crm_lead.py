import datetime

from odoo import api, fields, models
from odoo.tools.misc import format_date

FORECAST_COLORS = [
    ("green", "Green"),
    ("yellow", "Yellow"),
    ("red", "Red"),
]

# Higher is more credible. A lead takes the most credible colour among its
# evidence, so a payment voucher outweighs any number of verbal promises.
COLOR_RANK = {"red": 0, "yellow": 1, "green": 2}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    forecast_color = fields.Selection(
        FORECAST_COLORS,
        string="Forecast Colour",
        compute="_compute_forecast_color",
        store=True,
        index=True,
        tracking=True,
        help="Credibility of the deal, taken from its evidence: green for a "
        "signed contract, purchase order or payment voucher; yellow for a "
        "written purchase intent with an expected closing date; red for "
        "verbal or vague commitments and for deals without evidence.",
    )
    forecast_color_reason = fields.Char(
        string="Forecast Colour Reason",
        compute="_compute_forecast_color_reason",
        help="The evidence that sets the forecast colour.",
    )
    forecast_weight = fields.Float(
        string="Forecast Weight",
        compute="_compute_forecast_weight",
        store=True,
        aggregator="avg",
        help="Share of the expected revenue counted in the weighted forecast, "
        "set by the company's weight for the forecast colour.",
    )
    forecast_weighted_revenue = fields.Monetary(
        string="Weighted Forecast",
        currency_field="company_currency",
        compute="_compute_forecast_weight",
        store=True,
        help="Expected revenue multiplied by the forecast weight.",
    )

    @api.depends("evidence_ids.color_class", "date_deadline")
    def _compute_forecast_color(self):
        for lead in self:
            lead.forecast_color = lead._get_forecast_decision()[0]

    @api.depends(
        "evidence_ids.color_class",
        "evidence_ids.date",
        "evidence_ids.type_id",
        "date_deadline",
    )
    def _compute_forecast_color_reason(self):
        labels = dict(self._fields["forecast_color"]._description_selection(self.env))
        for lead in self:
            color, evidence = lead._get_forecast_decision()
            lead.forecast_color_reason = lead._format_forecast_reason(labels[color], evidence)

    @api.depends("forecast_color", "expected_revenue", "company_id")
    def _compute_forecast_weight(self):
        for lead in self:
            weight = lead._get_forecast_weight()
            lead.forecast_weight = weight
            lead.forecast_weighted_revenue = (lead.expected_revenue or 0.0) * weight

    def _track_subtype(self, init_values):
        self.ensure_one()
        subtype = super()._track_subtype(init_values)
        if not subtype and "forecast_color" in init_values:
            return self.env.ref("sales_forecast_tricolor.mt_lead_forecast_color")
        return subtype

    def _get_forecast_evidence(self):
        """Return the evidence that counts for the forecast colour.

        Override to leave out expired or rejected evidence. The overriding
        module must extend the ``@api.depends`` of the colour to match.
        """
        self.ensure_one()
        return self.evidence_ids

    def _get_forecast_weight(self):
        """Return the weight for the lead's colour.

        Override to apply weights per industry or per sales team.
        """
        self.ensure_one()
        company = self.company_id or self.env.company
        return company._get_forecast_weights()[self.forecast_color or "red"]

    def _get_forecast_decision(self):
        """Return the lead's colour and the evidence record that sets it.

        Yellow evidence counts as red while the lead has no expected closing
        date, because a purchase intent without a date cannot be placed in a
        forecast period. Among evidence of the deciding colour the one with
        the more credible type wins, then the newest, so the explanation names
        the document a manager would look at first. The evidence is empty when
        the lead has none.
        """
        self.ensure_one()
        best_color = "red"
        best_key = None
        best_evidence = self.env["crm.lead.evidence"]
        for evidence in self._get_forecast_evidence():
            own_color = evidence.color_class or "red"
            color = own_color
            if color == "yellow" and not self.date_deadline:
                color = "red"
            key = (
                COLOR_RANK[color],
                COLOR_RANK[own_color],
                evidence.date or datetime.date.min,
                evidence.id or 0,
            )
            if best_key is None or key > best_key:
                best_color, best_key, best_evidence = color, key, evidence
        return best_color, best_evidence

    def _format_forecast_reason(self, color_label, evidence):
        """Return the sentence that explains the colour, in the user's language."""
        self.ensure_one()
        if not evidence:
            return self.env._("%(color)s because: no evidence", color=color_label)

        evidence_type = evidence.type_id.name
        evidence_date = format_date(self.env, evidence.date)
        if evidence.color_class == "yellow" and not self.date_deadline:
            return self.env._(
                "%(color)s because: %(evidence_type)s of %(date)s counts as "
                "yellow only with an expected closing date",
                color=color_label,
                evidence_type=evidence_type,
                date=evidence_date,
            )
        if evidence.color_class == "yellow":
            return self.env._(
                "%(color)s because: %(evidence_type)s of %(date)s, expected closing %(deadline)s",
                color=color_label,
                evidence_type=evidence_type,
                date=evidence_date,
                deadline=format_date(self.env, self.date_deadline),
            )
        return self.env._(
            "%(color)s because: %(evidence_type)s of %(date)s",
            color=color_label,
            evidence_type=evidence_type,
            date=evidence_date,
        )

    @api.model
    def _get_forecast_open_domain(self, companies=None):
        """Return the domain of open leads: active and not in a won stage."""
        domain = [
            ("active", "=", True),
            "|",
            ("stage_id", "=", False),
            ("stage_id.is_won", "=", False),
        ]
        if companies is not None:
            domain.append(("company_id", "in", companies.ids))
        return domain
