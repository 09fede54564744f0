from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .crm_lead_health import (
    DEFAULT_HIGH_POTENTIAL,
    DEFAULT_HIGH_POTENTIAL_LIFT,
    DEFAULT_MIN_CLOSED_LEADS,
)


class ResCompany(models.Model):
    _inherit = "res.company"

    health_min_closed_leads = fields.Integer(
        string="Closed Leads to Train Lead Health",
        default=DEFAULT_MIN_CLOSED_LEADS,
        help="Minimum number of closed leads, with at least one won and one lost, before "
        "the lead health model is trained for this company. Below it, the health score "
        "is Odoo's predictive lead scoring probability.",
    )
    health_high_potential_rule = fields.Selection(
        [
            ("lift", "Better than the Average Lead"),
            ("score", "Fixed Health Score"),
        ],
        string="High Potential Means",
        required=True,
        default="lift",
        help="Better than the Average Lead: an open lead counts as high potential when its "
        "chance of winning is clearly above that of an average open lead of the company, so "
        "the flag means the same whether the company wins most of its leads or few of them. "
        "Fixed Health Score: from the score set below. Until the lead health model is "
        "trained, the fixed score applies.",
    )
    health_high_potential_lift = fields.Float(
        string="Lift over the Average Lead",
        default=DEFAULT_HIGH_POTENTIAL_LIFT,
        help="How much better than an average open lead a lead must be, in odds (chance of "
        "winning against chance of losing). With 1.5 and an average chance of 20%, a lead "
        "counts from 27%; with an average chance of 60%, from 69%.",
    )
    health_high_potential_threshold = fields.Float(
        string="High-Potential Health Score",
        default=DEFAULT_HIGH_POTENTIAL,
        help="Health score, between 0 and 1, from which an open lead counts as high potential "
        "with the Fixed Health Score rule, or before the lead health model is trained.",
    )

    @api.constrains(
        "health_min_closed_leads", "health_high_potential_threshold", "health_high_potential_lift"
    )
    def _check_health_settings(self):
        for company in self:
            if company.health_min_closed_leads < 2:
                raise ValidationError(
                    self.env._(
                        "The lead health model of %(company)s needs at least 2 closed leads, "
                        "one won and one lost. Enter 2 or more.",
                        company=company.name,
                    )
                )
            if not 0 <= company.health_high_potential_threshold <= 1:
                raise ValidationError(
                    self.env._(
                        "The high-potential health score of %(company)s must be between 0%% "
                        "and 100%%. Enter a value such as 50%%.",
                        company=company.name,
                    )
                )
            if company.health_high_potential_lift < 1:
                raise ValidationError(
                    self.env._(
                        "The high-potential lift of %(company)s must be 1 or more: below 1, "
                        "leads worse than the average lead would count as high potential. "
                        "Enter a value such as 1.5.",
                        company=company.name,
                    )
                )

    def _health_high_potential_level(self, rule=None, lift=None, threshold=None, model=None):
        """Return ``(lowest high-potential score, average open lead's win rate or None)``.

        ``rule``, ``lift`` and ``threshold`` default to the company's settings;
        the settings form passes the values being edited. ``model`` is the
        company's current ``crm.lead.health.model``, searched when not given. The average is the
        weighted training win rate of the company's current lead health model.
        It is None without a model, and the lift rule then uses the threshold.
        """
        self.ensure_one()
        rule = rule or self.health_high_potential_rule
        lift = self.health_high_potential_lift if lift is None else lift
        threshold = self.health_high_potential_threshold if threshold is None else threshold
        if model is None:
            model = self.env["crm.lead.health.model"]._health_get_current(self)
        if not model or not 0 < model.won_sample_count < model.sample_count:
            return threshold, None
        rate = model.won_sample_count / model.sample_count
        if rule != "lift":
            return threshold, rate
        odds = lift * rate / (1 - rate)
        return odds / (1 + odds), rate
