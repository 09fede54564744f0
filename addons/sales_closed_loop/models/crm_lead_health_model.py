"""Trained lead health models: one intercept and one weight per feature value.

A model is written by ``_health_fit`` from the closed leads of a company and
never changed afterwards. Scoring uses only the newest model of the company
(``_health_get_current``). The arithmetic lives in ``lead_health``.
"""

import time

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import lead_health

# Older models are kept for comparison and then deleted, so that a daily
# training does not grow the table without bound.
KEEP_MODELS_PER_COMPANY = 10


class CrmLeadHealthModel(models.Model):
    """A logistic regression trained on the closed leads of one company."""

    _name = "crm.lead.health.model"
    _description = "Lead Health Model"
    _order = "date desc, id desc"
    _rec_name = "date"

    company_id = fields.Many2one("res.company", string="Company", index=True, readonly=True)
    date = fields.Datetime(
        string="Trained On", required=True, readonly=True, default=fields.Datetime.now
    )
    sample_count = fields.Float(
        string="Training Samples",
        readonly=True,
        help="Sum of the weights of the training samples: the weeks that the closed leads "
        "the model learned from were open.",
    )
    won_sample_count = fields.Float(
        string="Won Samples",
        readonly=True,
        help="Sum of the weights of the training samples of won leads.",
    )
    vector_count = fields.Integer(
        string="Distinct Feature Vectors",
        readonly=True,
        help="Number of distinct feature combinations the training samples were summed into.",
    )
    iteration_count = fields.Integer(string="Iterations", readonly=True)
    duration_seconds = fields.Float(string="Training Time (s)", readonly=True)
    intercept = fields.Float(readonly=True, digits=(16, 8))
    train_brier = fields.Float(
        string="Brier Score on Training Data",
        readonly=True,
        digits=(16, 6),
        help="Mean squared error of the predicted probabilities on the samples the model "
        "was trained on. Lower is better; it is optimistic compared with new leads.",
    )
    weight_ids = fields.One2many(
        "crm.lead.health.weight", "model_id", string="Weights", readonly=True
    )

    # ------------------------------------------------------------
    # TRAINING
    # ------------------------------------------------------------

    @api.model
    def _health_fit(self, samples, company=None):
        """Train a new model on ``samples`` and return it.

        ``samples`` is an iterable of ``(features, won, weight)``, as returned
        by ``crm.lead._health_training_samples``: ``features`` is a
        ``{feature: value_key}`` dict of strings, ``won`` a bool and ``weight``
        a float. The samples are consumed once and summed per distinct feature
        vector, so memory does not grow with their number. Values seen in
        fewer than ``lead_health.MIN_VALUE_SUPPORT`` samples are merged into
        the ``other`` value of their feature. ``company`` (a ``res.company`` record or None)
        is the company the model is used for. Raises ``UserError`` when the
        samples do not contain both a won and a lost lead.
        """
        started = time.monotonic()

        # 1. Sum the samples per feature vector and merge rare values.
        table = lead_health.aggregate(samples)
        won = sum(row[0] for row in table.values())
        total = sum(row[1] for row in table.values())
        if not won or won >= total:
            raise UserError(
                self.env._(
                    "The lead health model needs closed leads with both outcomes, won and "
                    "lost. Close more leads, then run the training again."
                )
            )
        table = lead_health.collapse_rare(table)

        # 2. Fit the regression.
        result = lead_health.fit(table)

        # 3. Measure the fit on the training table itself.
        weights_by_feature = {}
        for (feature, value), weight in result["weights"].items():
            weights_by_feature.setdefault(feature, {})[value] = weight
        squared_error = 0.0
        for key, (won_weight, total_weight) in table.items():
            probability = lead_health.predict(result["intercept"], weights_by_feature, dict(key))
            squared_error += won_weight * (1 - probability) ** 2
            squared_error += (total_weight - won_weight) * probability**2

        # 4. Store the model and its weights.
        model = self.sudo().create(
            {
                "company_id": company.id if company else False,
                "sample_count": result["total"],
                "won_sample_count": result["won"],
                "vector_count": len(table),
                "iteration_count": result["iterations"],
                "duration_seconds": time.monotonic() - started,
                "intercept": result["intercept"],
                "train_brier": squared_error / result["total"],
                "weight_ids": [
                    fields.Command.create(
                        {
                            "feature": feature,
                            "value_key": value,
                            "weight": weight,
                            "support": result["support"][(feature, value)],
                        }
                    )
                    for (feature, value), weight in sorted(result["weights"].items())
                ],
            }
        )
        model._health_prune_old()
        return model.sudo(False)

    def _health_prune_old(self):
        """Delete the models of this company older than the newest KEEP_MODELS_PER_COMPANY."""
        self.ensure_one()
        old = (
            self.sudo()
            .search([("company_id", "=", self.company_id.id)], order="date desc, id desc")
            .filtered(lambda model: model != self)[KEEP_MODELS_PER_COMPANY - 1 :]
        )
        old.unlink()

    @api.model
    def _health_get_current(self, company):
        """Return the newest model of ``company`` (a record or an empty recordset)."""
        return self.sudo().search(
            [("company_id", "=", company.id if company else False)],
            order="date desc, id desc",
            limit=1,
        )

    # ------------------------------------------------------------
    # SCORING
    # ------------------------------------------------------------

    def _health_table(self):
        """Return ``(intercept, {feature: {value_key: weight}}, {feature: baseline})``.

        The table is built once per model record and environment: a model is
        never changed after training, so it cannot go stale.
        """
        self.ensure_one()
        cache = self.env.cr.cache.setdefault("crm_lead_health_tables", {})
        if self.id not in cache:
            weights_by_feature = {}
            support_by_feature = {}
            for line in self.sudo().weight_ids:
                weights_by_feature.setdefault(line.feature, {})[line.value_key] = line.weight
                support_by_feature.setdefault(line.feature, {})[line.value_key] = line.support
            cache[self.id] = (
                self.intercept,
                weights_by_feature,
                lead_health.baselines(weights_by_feature, support_by_feature),
            )
        return cache[self.id]

    def _health_probabilities(self, features_by_lead):
        """Return ``{lead_id: probability in [0, 1]}`` for ``{lead_id: features}``.

        ``features`` is the ``{feature: value_key}`` dict of
        ``crm.lead._health_features``. A value the model does not know counts
        as the ``other`` value of its feature, or adds nothing when the model
        has no ``other`` value for it.
        """
        intercept, weights_by_feature, _baselines = self._health_table()
        return {
            lead_id: lead_health.predict(intercept, weights_by_feature, features)
            for lead_id, features in features_by_lead.items()
        }

    def _health_top_factors(self, features, limit=3):
        """Return the ``limit`` factors that move the score of ``features`` most.

        Each factor is ``(feature, value_key, contribution)``, sorted by
        decreasing ``abs(contribution)``. The contribution is in log-odds and
        measured against the average closed lead: positive raises the
        probability, negative lowers it.
        """
        _intercept, weights_by_feature, baseline_by_feature = self._health_table()
        return lead_health.top_factors(weights_by_feature, baseline_by_feature, features, limit)


class CrmLeadHealthWeight(models.Model):
    """The weight of one feature value in a lead health model."""

    _name = "crm.lead.health.weight"
    _description = "Lead Health Model Weight"
    _order = "model_id, feature, value_key"

    model_id = fields.Many2one(
        "crm.lead.health.model", string="Model", required=True, ondelete="cascade", index=True
    )
    feature = fields.Char(required=True, readonly=True)
    value_key = fields.Char(string="Value", required=True, readonly=True)
    weight = fields.Float(readonly=True, digits=(16, 6), help="Weight in log-odds.")
    support = fields.Float(
        readonly=True,
        help="Weeks that closed leads were open with this value, summed over the training samples.",
    )
