"""Lead health (线索健康度): the probability that an open lead is won.

A logistic regression (``lead_health``) learns from the company's closed
leads, each seen at moments of its life when it was still open. Features are
categories a sales manager recognises. They are the industry, source, sales
team, amount band and stage, the days in the stage against the stage's norm,
how recently and how often the customer was in touch, the best evidence
colour, and the silence nudges and escalations. Every feature is read as it was at a given moment
(``_health_features``), from the stage history, the interaction ledger, the
evidence dates and the escalation log, so that training never uses what
happened after the moment it learns from.

The scheduled action ``_cron_health_train_and_score`` trains one model per
company with enough closed leads and scores the open leads. A company below
its minimum number of closed leads gets Odoo's own predictive lead scoring
(``automated_probability``) instead.
"""

import json
import logging
import time
from datetime import datetime, timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, split_every

from .. import lead_health

_logger = logging.getLogger(__name__)

# Feature names, in the order the lead form lists them.
HEALTH_FEATURES = (
    "industry",
    "source",
    "team",
    "amount",
    "stage",
    "stage_days",
    "recency",
    "interactions",
    "evidence",
    "silence",
)
# Upper bounds of the expected revenue bands, in the company's currency.
# NOTE: the bands are the same for every company and currency, so a company
# that sells in much larger or smaller amounts gets most leads in one band.
AMOUNT_BANDS = ((10_000, "lt_10k"), (50_000, "10k_50k"), (200_000, "50k_200k"))
AMOUNT_TOP_BAND = "200k_plus"
# Days since the last valid interaction.
RECENCY_BANDS = ((7, "d0_7"), (14, "d7_14"), (30, "d14_30"))
RECENCY_TOP_BAND = "d30_plus"
# Days in a stage without a stall threshold (crm.stage.flow_threshold_days = 0).
STAGE_DAYS_BANDS = ((7, "lt_7d"), (30, "7_30d"))
STAGE_DAYS_TOP_BAND = "30d_plus"
# Number of valid interactions.
INTERACTION_BANDS = ((1, "0"), (3, "1_2"), (6, "3_5"))
INTERACTION_TOP_BAND = "6_plus"
EVIDENCE_RANKS = {3: "green", 2: "yellow", 1: "red", 0: "none"}
NONE = "none"

# One query computes the features of this many (lead, moment) pairs. Each
# pair costs four index lookups, so a batch takes about a second and its
# result a few megabytes.
FEATURE_BATCH_SIZE = 10_000
# Closed leads read per training batch. A closed lead gives at most one
# snapshot per age below, about four for a lead open two months, so one batch
# fills one or two feature queries.
TRAINING_LEAD_BATCH_SIZE = 2_500
# Ages, in days after a lead's start, at which a closed lead is seen while it
# was still open (see _health_training_samples).
TRAINING_SNAPSHOT_AGES = (0, 7, 14, 30, 60, 90, 180, 365)
# A snapshot stands for the days from its age to the next age; the last one
# for at most this many days.
LAST_SNAPSHOT_SPAN_DAYS = 365
# Unit of the snapshot weights: a snapshot that stands for one week weighs 1.
SNAPSHOT_WEIGHT_DAYS = 7
# Open leads scored and written per batch: one feature query and one UPDATE.
SCORING_BATCH_SIZE = 10_000
# Open leads scored per call of the scheduled action. ir.cron commits after
# each call and calls again while leads remain, so a transaction locks at most
# this many leads. Five batches keep a call within a few minutes (an estimate:
# the feature query and the Python scoring of 10,000 leads take seconds).
SCORING_RUN_LIMIT = 50_000
# Start of the current scoring round (UTC), see _cron_health_train_and_score.
HEALTH_ROUND_PARAM = "sales_closed_loop.health_round_start"
# "Untouched this week": no valid interaction within this many days.
UNTOUCHED_DAYS = 7
DEFAULT_MIN_CLOSED_LEADS = 50
DEFAULT_HIGH_POTENTIAL = 0.5
# Default lift of the high-potential rule: a lead counts when its odds of
# winning (won against lost) are at least 1.5 times those of the average open
# lead the company's model learned from.
DEFAULT_HIGH_POTENTIAL_LIFT = 1.5


def _band(value, bands, top_band):
    """Return the key of the first ``(bound, key)`` band with ``value < bound``, else top_band."""
    for bound, key in bands:
        if value < bound:
            return key
    return top_band


class CrmLead(models.Model):
    _inherit = "crm.lead"

    health_probability = fields.Float(
        string="Health Score",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Probability that the lead is won, between 0 and 1, computed by the daily lead "
        "health job.",
    )
    health_source = fields.Selection(
        [("model", "Lead Health Model"), ("pls", "Odoo Predictive Score")],
        string="Score Source",
        readonly=True,
        copy=False,
        help="Lead Health Model: learned from the company's closed leads. Odoo Predictive "
        "Score: the company has too few closed leads, so the score is Odoo's automated "
        "probability.",
    )
    health_factors = fields.Json(string="Health Factors", readonly=True, copy=False)
    health_factor_text = fields.Html(
        string="What Moves the Score",
        compute="_compute_health_factor_text",
        sanitize=False,
    )
    health_expected_value = fields.Monetary(
        string="Expected Value",
        currency_field="company_currency",
        compute="_compute_health_expected_value",
        store=True,
        help="Expected revenue multiplied by the health score.",
    )
    health_scored_date = fields.Datetime(string="Scored On", readonly=True, copy=False)
    health_is_high_potential = fields.Boolean(
        string="High Potential",
        compute="_compute_health_flags",
        search="_search_health_is_high_potential",
        help="The health score reaches the company's high-potential level: by default, "
        "clearly above the win chance of an average open lead of the company (see Settings "
        "› CRM › Lead Health).",
    )
    health_untouched_week = fields.Boolean(
        string="High Potential, Untouched This Week",
        compute="_compute_health_flags",
        search="_search_health_untouched_week",
        help="High-potential lead without a valid interaction in the last 7 days.",
    )

    @api.depends("expected_revenue", "health_probability")
    def _compute_health_expected_value(self):
        for lead in self:
            lead.health_expected_value = (lead.expected_revenue or 0.0) * (
                lead.health_probability or 0.0
            )

    @api.depends("health_probability", "health_scored_date", "last_interaction_date", "company_id")
    def _compute_health_flags(self):
        untouched_since = fields.Datetime.now() - timedelta(days=UNTOUCHED_DAYS)
        cutoffs = self._health_high_potential_cutoffs()
        for lead in self:
            high = bool(
                lead.health_scored_date
                and lead.health_probability >= cutoffs[lead.company_id.id or False]
            )
            lead.health_is_high_potential = high
            lead.health_untouched_week = high and (
                not lead.last_interaction_date or lead.last_interaction_date < untouched_since
            )

    @api.model
    def _health_high_potential_cutoffs(self):
        """Return ``{company_id: lowest high-potential score}``, with ``False`` for no company.

        With the lift rule (the default), a lead is high potential when its
        odds of winning are at least ``health_high_potential_lift`` times the
        odds of the average open lead that the company's current model learned
        from (its weighted training win rate). A company without a trained
        model, or set to the fixed rule, uses ``health_high_potential_threshold``.
        Leads without a company use the current company's level.
        """
        companies = self.env["res.company"].sudo().search([])
        # One search for every company's newest model, instead of one per company.
        current_models = {}
        for model in (
            self.env["crm.lead.health.model"]
            .sudo()
            .search([("company_id", "in", companies.ids)], order="date desc, id desc")
        ):
            current_models.setdefault(model.company_id.id, model)
        empty_model = self.env["crm.lead.health.model"]
        cutoffs = {
            company.id: company._health_high_potential_level(
                model=current_models.get(company.id, empty_model)
            )[0]
            for company in companies
        }
        cutoffs[False] = cutoffs.get(
            self.env.company.id, self.env.company.health_high_potential_threshold
        )
        return cutoffs

    def _health_high_potential_domain(self):
        """Return the domain of leads whose score reaches their company's high-potential level."""
        cutoffs = self._health_high_potential_cutoffs()
        domains = [
            [("company_id", "=", company_id), ("health_probability", ">=", cutoff)]
            for company_id, cutoff in cutoffs.items()
        ]
        return expression.AND([[("health_scored_date", "!=", False)], expression.OR(domains)])

    def _health_search_flag(self, operator, value, domain):
        if operator not in ("=", "!="):
            raise NotImplementedError(
                self.env._("Lead health flags can only be searched with = or !=.")
            )
        if (operator == "=") == bool(value):
            return domain
        return ["!", *expression.normalize_domain(domain)]

    def _search_health_is_high_potential(self, operator, value):
        return self._health_search_flag(operator, value, self._health_high_potential_domain())

    def _search_health_untouched_week(self, operator, value):
        untouched_since = fields.Datetime.now() - timedelta(days=UNTOUCHED_DAYS)
        domain = expression.AND(
            [
                self._health_high_potential_domain(),
                [
                    "|",
                    ("last_interaction_date", "=", False),
                    ("last_interaction_date", "<", untouched_since),
                ],
            ]
        )
        return self._health_search_flag(operator, value, domain)

    # ------------------------------------------------------------
    # FEATURES
    # ------------------------------------------------------------

    def _health_features(self, at=None):
        """Return ``{lead_id: {feature: value_key}}`` as the leads were at ``at``.

        ``at`` is a naive UTC datetime (default: now). Every value is a string:
        a record id for ``industry`` (the customer's, else its company's),
        ``source`` and ``team``, a band name for the others, ``"none"`` when
        empty. The stage is read from the stage history, else it is the
        current stage if the lead entered it before ``at``. The days spent in
        it are compared with its stall threshold. Interactions, escalations
        and the nudge count when dated before ``at``, evidence when known at
        ``at``. Industry, source, team and expected revenue have
        no history and are read as they are now. The leads are read in SQL,
        ``FEATURE_BATCH_SIZE`` at a time, without record rules.
        """
        # Not fields.Datetime.now(): it drops the microseconds, and a stage
        # entered earlier in the same second would then count as after ``at``.
        at = at or datetime.now()
        result = {}
        for lead_ids in split_every(FEATURE_BATCH_SIZE, self.ids, list):
            features = self._health_snapshot_features(lead_ids, [at] * len(lead_ids))
            result.update(zip(lead_ids, features, strict=True))
        return result

    @api.model
    def _health_snapshot_features(self, lead_ids, moments):
        """Return the feature dicts of ``(lead_ids[i], moments[i])`` pairs, in that order.

        One query for the whole list, so callers pass at most
        ``FEATURE_BATCH_SIZE`` pairs. A lead id may appear several times with
        different moments.
        """
        if not lead_ids:
            return []
        for model_name in (
            "crm.lead",
            "crm.lead.stage.history",
            "crm.lead.interaction",
            "crm.lead.evidence",
            "crm.lead.escalation",
        ):
            self.env[model_name].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH snapshot AS (
                    SELECT pair.lead_id, pair.at, pair.position
                      FROM unnest(%(lead_ids)s::int[], %(moments)s::timestamp[])
                           WITH ORDINALITY AS pair(lead_id, at, position)
                )
                SELECT snapshot.position,
                       COALESCE(partner.industry_id, commercial.industry_id),
                       lead.source_id,
                       lead.team_id,
                       lead.expected_revenue,
                       COALESCE(
                           stay.stage_id,
                           CASE WHEN lead.date_last_stage_update <= snapshot.at
                                THEN lead.stage_id END
                       ),
                       EXTRACT(EPOCH FROM snapshot.at - COALESCE(
                           stay.date_in,
                           CASE WHEN lead.date_last_stage_update <= snapshot.at
                                THEN lead.date_last_stage_update END
                       )) / 86400.0,
                       touch.interaction_count,
                       EXTRACT(EPOCH FROM snapshot.at - touch.last_date) / 86400.0,
                       proof.best_rank,
                       (SELECT count(*)
                          FROM crm_lead_escalation escalation
                         WHERE escalation.lead_id = snapshot.lead_id
                           AND escalation.date < snapshot.at),
                       lead.silence_nudged_date < snapshot.at
                  FROM snapshot
                  JOIN crm_lead lead ON lead.id = snapshot.lead_id
             LEFT JOIN res_partner partner ON partner.id = lead.partner_id
             LEFT JOIN res_partner commercial ON commercial.id = partner.commercial_partner_id
             LEFT JOIN LATERAL (
                           SELECT history.stage_id, history.date_in
                             FROM crm_lead_stage_history history
                            WHERE history.lead_id = snapshot.lead_id
                              AND history.date_in <= snapshot.at
                         ORDER BY history.date_in DESC, history.id DESC
                            LIMIT 1
                       ) stay ON TRUE
             LEFT JOIN LATERAL (
                           SELECT count(*) AS interaction_count, max(interaction.date) AS last_date
                             FROM crm_lead_interaction interaction
                            WHERE interaction.lead_id = snapshot.lead_id
                              AND interaction.date < snapshot.at
                       ) touch ON TRUE
             LEFT JOIN LATERAL (
                           SELECT max(CASE evidence.color_class
                                          WHEN 'green' THEN 3
                                          WHEN 'yellow' THEN 2
                                          WHEN 'red' THEN 1
                                          ELSE 0 END) AS best_rank
                             FROM crm_lead_evidence evidence
                            WHERE evidence.lead_id = snapshot.lead_id
                              AND (evidence.date < snapshot.at::date
                                   OR (evidence.date = snapshot.at::date
                                       AND evidence.create_date <= snapshot.at))
                       ) proof ON TRUE
              ORDER BY snapshot.position
                """,
                lead_ids=list(lead_ids),
                moments=list(moments),
            )
        )
        rows = {row[0]: row for row in self.env.cr.fetchall()}
        norms = dict(
            self.env["crm.stage"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch([], ["flow_threshold_days"])
            .mapped(lambda stage: (stage.id, stage.flow_threshold_days))
        )
        return [
            self._health_row_features(rows.get(position), norms)
            for position in range(1, len(lead_ids) + 1)
        ]

    @api.model
    def _health_row_features(self, row, norms):
        """Turn one row of the feature query into a ``{feature: value_key}`` dict."""
        if row is None:
            return {}
        (
            _position,
            industry_id,
            source_id,
            team_id,
            amount,
            stage_id,
            stage_days,
            interaction_count,
            recency_days,
            evidence_rank,
            escalation_count,
            nudged,
        ) = row
        return {
            "industry": str(industry_id) if industry_id else NONE,
            "source": str(source_id) if source_id else NONE,
            "team": str(team_id) if team_id else NONE,
            "amount": _band(amount, AMOUNT_BANDS, AMOUNT_TOP_BAND) if amount else NONE,
            "stage": str(stage_id) if stage_id else NONE,
            "stage_days": self._health_stage_days_band(stage_days, norms.get(stage_id) or 0),
            "recency": (
                _band(recency_days, RECENCY_BANDS, RECENCY_TOP_BAND)
                if recency_days is not None
                else NONE
            ),
            "interactions": _band(interaction_count or 0, INTERACTION_BANDS, INTERACTION_TOP_BAND),
            "evidence": EVIDENCE_RANKS[evidence_rank or 0],
            "silence": (
                "escalated_twice"
                if escalation_count >= 2
                else "escalated"
                if escalation_count
                else "nudged"
                if nudged
                else NONE
            ),
        }

    @api.model
    def _health_stage_days_band(self, days, norm):
        """Band the days spent in a stage against its stall threshold ``norm`` (0: none)."""
        if days is None:
            return NONE
        if norm:
            if days <= norm:
                return "within_norm"
            return "over_norm" if days <= 2 * norm else "twice_norm"
        return _band(days, STAGE_DAYS_BANDS, STAGE_DAYS_TOP_BAND)

    # ------------------------------------------------------------
    # TRAINING SAMPLES
    # ------------------------------------------------------------

    @api.model
    def _health_closed_domain(self):
        """Return the domain of closed leads: won (active, in a won stage) or lost.

        Lost means archived with a probability of 0 and not in a won stage, as
        crm's "Mark as Lost" leaves it. An archived lead in a won stage is
        neither, because its outcome is unclear.
        """
        return [
            "|",
            "&",
            ("active", "=", True),
            ("stage_id.is_won", "=", True),
            "&",
            "&",
            ("active", "=", False),
            ("probability", "=", 0),
            ("stage_id.is_won", "=", False),
        ]

    @api.model
    def _health_training_samples(self, closed_before=None, domain=None):
        """Yield ``(features, won, weight)`` training samples from closed leads.

        Closed leads are those of ``_health_closed_domain`` that also match
        ``domain`` (searched with the caller's record rules, archived leads
        included) and, when ``closed_before`` (naive UTC datetime) is given,
        were closed before it. The closing moment is ``date_closed``, else the
        last write.

        Snapshot rule: a closed lead is seen at fixed ages while it was still
        open, at each age of ``TRAINING_SNAPSHOT_AGES`` (days after its start)
        that is before its closing moment. Its start is its creation, or its
        first stage entry when its history starts earlier (imported leads). The
        open leads the job scores are of every age. Each age band of the
        training samples therefore contains every closed lead that was still
        open at that age, won or lost, as the scored leads do. The features of
        each snapshot come from ``_health_snapshot_features`` at that moment,
        so nothing after it is used. A snapshot whose stage resolves to a won
        stage is dropped, so the won stage never appears in training.

        Weight: the time the snapshot stands for, in weeks
        (``SNAPSHOT_WEIGHT_DAYS``): from its age to the next age, cut at the
        closing moment, and ``LAST_SNAPSHOT_SPAN_DAYS`` at most after the last
        age. A lead therefore weighs as much as the time it was open, because
        that is how likely it is to be among the open leads on a scoring day.
        Its weight in an age band is the time it was open in that band, so a
        lead that closed a day after a snapshot counts little and one that
        stayed open through the band counts fully. One unit per snapshot would undercount
        the long bands (a year after day 365 against a week after day 0). One
        unit per lead, shared among its snapshots, was also tried
        (``docs/scoring.md``).

        NOTE: only closed leads are read. Leads of the last months that are
        still open are missing, so the recent leads in training are those
        that closed fast, and the win rate learned follows how fast wins and
        losses close.

        The generator reads ``TRAINING_LEAD_BATCH_SIZE`` leads at a time, so
        memory stays bounded however many leads are closed.
        """
        closed_domain = expression.AND([domain or [], self._health_closed_domain()])
        if closed_before:
            closed_domain = expression.AND(
                [
                    closed_domain,
                    [
                        "|",
                        ("date_closed", "<", closed_before),
                        "&",
                        ("date_closed", "=", False),
                        ("write_date", "<", closed_before),
                    ],
                ]
            )
        lead_ids = self.with_context(active_test=False).search(closed_domain, order="id").ids
        won_stage_ids = set(
            self.env["crm.stage"]
            .sudo()
            .with_context(active_test=False)
            .search([("is_won", "=", True)])
            .ids
        )
        for batch_ids in split_every(TRAINING_LEAD_BATCH_SIZE, lead_ids, list):
            yield from self._health_batch_samples(batch_ids, won_stage_ids)

    @api.model
    def _health_snapshot_plan(self, start, closed):
        """Return the ``(moment, weight)`` snapshots of a lead open from ``start`` to ``closed``.

        The list is empty when the lead closed at its start.
        """
        spans = []
        ages = TRAINING_SNAPSHOT_AGES
        for index, age in enumerate(ages):
            moment = start + timedelta(days=age)
            if moment >= closed:
                break
            if index + 1 < len(ages):
                span_end = start + timedelta(days=ages[index + 1])
            else:
                span_end = moment + timedelta(days=LAST_SNAPSHOT_SPAN_DAYS)
            spans.append((moment, (min(span_end, closed) - moment).total_seconds()))
        return [(moment, span / 86400 / SNAPSHOT_WEIGHT_DAYS) for moment, span in spans]

    @api.model
    def _health_batch_samples(self, lead_ids, won_stage_ids):
        """Return the training samples of one batch of closed leads."""
        self.flush_model()
        self.env["crm.lead.stage.history"].flush_model()

        # 1. Outcome, start and closing moment of each lead.
        self.env.cr.execute(
            SQL(
                """SELECT lead.id,
                          lead.active AND COALESCE(stage.is_won, FALSE),
                          COALESCE(lead.date_closed, lead.write_date),
                          LEAST(lead.create_date, (SELECT min(history.date_in)
                                                     FROM crm_lead_stage_history history
                                                    WHERE history.lead_id = lead.id))
                     FROM crm_lead lead
                LEFT JOIN crm_stage stage ON stage.id = lead.stage_id
                    WHERE lead.id = ANY(%s)
                 ORDER BY lead.id""",
                lead_ids,
            )
        )

        # 2. The snapshots of each lead at fixed ages while it was open.
        snapshot_leads, snapshot_moments, snapshot_weights, outcomes = [], [], [], {}
        for lead_id, won, closed, start in self.env.cr.fetchall():
            outcomes[lead_id] = won
            for moment, weight in self._health_snapshot_plan(start, closed):
                snapshot_leads.append(lead_id)
                snapshot_moments.append(moment)
                snapshot_weights.append(weight)

        # 3. Features at each moment; drop the moments that resolve to a won stage.
        samples = []
        for offset in range(0, len(snapshot_leads), FEATURE_BATCH_SIZE):
            chunk = slice(offset, offset + FEATURE_BATCH_SIZE)
            features_list = self._health_snapshot_features(
                snapshot_leads[chunk], snapshot_moments[chunk]
            )
            for lead_id, weight, features in zip(
                snapshot_leads[chunk], snapshot_weights[chunk], features_list, strict=True
            ):
                if not features or weight <= 0:
                    continue
                if features["stage"] != NONE and int(features["stage"]) in won_stage_ids:
                    continue
                samples.append((features, outcomes[lead_id], weight))
        return samples

    # ------------------------------------------------------------
    # SCHEDULED TRAINING AND SCORING
    # ------------------------------------------------------------

    @api.model
    def _cron_health_train_and_score(self, limit=SCORING_RUN_LIMIT):
        """Train the lead health model of each company and score its open leads.

        The work is done in rounds. A call that finds no round in progress
        starts one: it trains every company that has at least
        ``health_min_closed_leads`` closed leads (company setting, default 50)
        with at least one won and one lost. Each call then scores up to
        ``limit`` open leads that the round has not scored yet, and reports
        the rest to ``ir.cron._notify_progress``, so that ``ir.cron`` commits
        and calls again until the round is done. The daily run therefore
        trains once and scores every open lead in bounded transactions.

        A trainable company's leads get its newest model's probability and top
        three factors. The leads of other companies, and leads without a
        company, get Odoo's ``automated_probability`` / 100 with the source
        "Odoo Predictive Score". Open leads are the active leads and
        opportunities not in a won stage, and a round scores those created
        before it started. Won, lost and archived leads keep their last score.
        A company whose training fails keeps its previous model, and a batch
        whose scoring fails gets Odoo's probability. Both failures are logged.
        Returns the counts of the summary line.
        """
        started = time.monotonic()
        _logger.info("Lead health: run started")
        lead_model = self.sudo()
        counts = {"trained": 0, "training_failed": 0, "model": 0, "fallback": 0, "failed": 0}

        # 1. Continue the round in progress, or start a new one and train.
        round_start = lead_model._health_get_round_start()
        if not round_start or not lead_model.search_count(
            lead_model._health_pending_domain(round_start), limit=1
        ):
            round_start = fields.Datetime.now()
            self.env["ir.config_parameter"].sudo().set_param(
                HEALTH_ROUND_PARAM, fields.Datetime.to_string(round_start)
            )
            _logger.info("Lead health: new round, training started")
            trained, failed = lead_model._health_train_companies()
            counts["trained"], counts["training_failed"] = trained, failed

        # 2. Score a bounded batch of the leads the round has not scored yet.
        pending_domain = lead_model._health_pending_domain(round_start)
        leads = lead_model.search_fetch(pending_domain, ["company_id"], order="id", limit=limit)
        models_by_company = lead_model._health_get_scoring_models()
        now = datetime.now()
        for company, company_leads in leads.grouped("company_id").items():
            model = models_by_company.get(company.id)
            for batch_ids in split_every(SCORING_BATCH_SIZE, company_leads.ids, list):
                source = lead_model._health_score_batch(batch_ids, model, now)
                counts[source] += len(batch_ids)

        # 3. Report progress and log the summary.
        remaining = lead_model.search_count(pending_domain)
        self.env["ir.cron"]._notify_progress(done=len(leads), remaining=remaining)
        counts["remaining"] = remaining
        _logger.info(
            "Lead health: done: %s companies trained (%s failed), %s leads scored by the "
            "model, %s by Odoo's score (%s after a scoring error), %s remaining, %.2f s",
            counts["trained"],
            counts["training_failed"],
            counts["model"],
            counts["fallback"] + counts["failed"],
            counts["failed"],
            remaining,
            time.monotonic() - started,
        )
        return counts

    @api.model
    def _health_open_domain(self):
        """Return the domain of the leads the health job scores: active, not won."""
        return [("active", "=", True), ("stage_id.is_won", "=", False)]

    @api.model
    def _health_get_round_start(self):
        value = self.env["ir.config_parameter"].sudo().get_param(HEALTH_ROUND_PARAM)
        return fields.Datetime.to_datetime(value) if value else None

    @api.model
    def _health_pending_domain(self, round_start):
        """Return the open leads created before ``round_start`` and not scored since."""
        return expression.AND(
            [
                self._health_open_domain(),
                [("create_date", "<=", round_start)],
                [
                    "|",
                    ("health_scored_date", "=", False),
                    ("health_scored_date", "<", round_start),
                ],
            ]
        )

    @api.model
    def _health_closed_counts(self):
        """Return ``{company_id: (won, lost)}`` counts of closed leads."""
        counts = {}
        groups = self.with_context(active_test=False)._read_group(
            self._health_closed_domain(), ["company_id", "active"], ["__count"]
        )
        for company, active, count in groups:
            won, lost = counts.get(company.id, (0, 0))
            # Closed and active means won (see _health_closed_domain).
            counts[company.id] = (won + count, lost) if active else (won, lost + count)
        return counts

    @api.model
    def _health_is_trainable(self, company, closed_counts):
        won, lost = closed_counts.get(company.id, (0, 0))
        return bool(won and lost and won + lost >= company.health_min_closed_leads)

    @api.model
    def _health_train_companies(self):
        """Train every trainable company, each in a savepoint; return (trained, failed)."""
        closed_counts = self._health_closed_counts()
        trained = failed = 0
        for company in self.env["res.company"].sudo().search([]):
            if not self._health_is_trainable(company, closed_counts):
                won, lost = closed_counts.get(company.id, (0, 0))
                _logger.info(
                    "Lead health: company %s has %s won and %s lost leads, below its "
                    "minimum of %s: it keeps Odoo's predictive score",
                    company.id,
                    won,
                    lost,
                    company.health_min_closed_leads,
                )
                continue
            try:
                with self.env.cr.savepoint():
                    model = self._health_train_company(company)
            except Exception:
                # NOTE: not re-raised, because ir.cron would then roll back the
                # other companies. The company keeps its previous model.
                _logger.exception("Lead health: training of company %s failed", company.id)
                failed += 1
                continue
            trained += bool(model)
        return trained, failed

    @api.model
    def _health_get_scoring_models(self):
        """Return ``{company_id: model or None}``: the newest model of trainable companies."""
        closed_counts = self._health_closed_counts()
        HealthModel = self.env["crm.lead.health.model"]
        return {
            company.id: HealthModel._health_get_current(company) or None
            for company in self.env["res.company"].sudo().search([])
            if self._health_is_trainable(company, closed_counts)
        }

    @api.model
    def _health_train_company(self, company):
        """Train and return a model for ``company``, or None when its samples lack an outcome."""
        samples = self._health_training_samples(domain=[("company_id", "=", company.id)])
        try:
            with self.env.cr.savepoint():
                model = self.env["crm.lead.health.model"]._health_fit(samples, company=company)
        except UserError as error:
            # Closed leads without any stay before their closing (won at
            # creation, for example) give no sample, so one outcome can be
            # missing even though the closed leads have both.
            _logger.warning(
                "Lead health: company %s cannot be trained (%s): it keeps Odoo's predictive score",
                company.id,
                error,
            )
            return None
        _logger.info(
            "Lead health: company %s trained on %.0f weeks of closed leads' open time "
            "(%s feature vectors, %s iterations, %.2f s)",
            company.id,
            model.sample_count,
            model.vector_count,
            model.iteration_count,
            model.duration_seconds,
        )
        return model

    @api.model
    def _health_score_batch(self, lead_ids, model, now):
        """Score ``lead_ids`` with ``model``, or with Odoo's probability when it is None.

        Writes in SQL, so that scoring does not touch ``write_date``, the
        chatter or the stage gate. Returns the counts key of the result:
        "model", "fallback", or "failed" when the model failed and Odoo's
        probability was written instead.
        """
        if not model:
            self._health_write_fallback_scores(lead_ids, now)
            return "fallback"
        try:
            with self.env.cr.savepoint():
                features_by_lead = self.browse(lead_ids)._health_features(at=now)
                probabilities = model._health_probabilities(features_by_lead)
                factors = [
                    [
                        list(factor)
                        for factor in model._health_top_factors(features_by_lead[lead_id])
                    ]
                    for lead_id in lead_ids
                ]
                self._health_write_scores(
                    lead_ids,
                    [probabilities[lead_id] for lead_id in lead_ids],
                    factors,
                    "model",
                    now,
                )
        except Exception:
            # NOTE: not re-raised, so that the round ends. The leads show
            # Odoo's probability until the next round.
            _logger.exception(
                "Lead health: scoring %s leads with model %s failed, from lead %s",
                len(lead_ids),
                model.id,
                lead_ids[0],
            )
            self._health_write_fallback_scores(lead_ids, now)
            return "failed"
        return "model"

    @api.model
    def _health_write_scores(self, lead_ids, probabilities, factors, source, now):
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """UPDATE crm_lead lead
                      SET health_probability = score.probability,
                          health_source = %(source)s,
                          health_factors = score.factors::jsonb,
                          health_expected_value = COALESCE(lead.expected_revenue, 0)
                                                  * score.probability,
                          health_scored_date = %(now)s
                     FROM unnest(%(ids)s::int[], %(probabilities)s::float8[], %(factors)s::text[])
                          AS score(id, probability, factors)
                    WHERE lead.id = score.id""",
                source=source,
                now=now,
                ids=lead_ids,
                probabilities=probabilities,
                factors=[json.dumps(lead_factors) for lead_factors in factors],
            )
        )
        self.invalidate_model(
            [
                "health_probability",
                "health_source",
                "health_factors",
                "health_expected_value",
                "health_scored_date",
            ]
        )

    @api.model
    def _health_write_fallback_scores(self, lead_ids, now):
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """UPDATE crm_lead
                      SET health_probability = COALESCE(automated_probability, 0) / 100.0,
                          health_source = 'pls',
                          health_factors = NULL,
                          health_expected_value = COALESCE(expected_revenue, 0)
                                                  * COALESCE(automated_probability, 0) / 100.0,
                          health_scored_date = %(now)s
                    WHERE id = ANY(%(ids)s)""",
                now=now,
                ids=lead_ids,
            )
        )
        self.invalidate_model(
            [
                "health_probability",
                "health_source",
                "health_factors",
                "health_expected_value",
                "health_scored_date",
            ]
        )

    # ------------------------------------------------------------
    # FACTORS IN WORDS
    # ------------------------------------------------------------

    @api.depends_context("lang")
    @api.depends("health_factors", "last_interaction_date", "stage_id", "date_last_stage_update")
    def _compute_health_factor_text(self):
        for lead in self:
            sentences = lead._health_factor_sentences()
            if not sentences:
                lead.health_factor_text = False
                continue
            items = Markup("").join(Markup("<li>%s</li>") % sentence for sentence in sentences)
            lead.health_factor_text = Markup('<ul class="mb-0 ps-3">%s</ul>') % items

    def _health_factor_sentences(self):
        """Return the stored top factors of the lead as sentences in the user's language.

        Each sentence describes the factor and ends with whether it raises or
        lowers the score, e.g. "No customer interaction for 12 days (lowers)".
        Day counts are measured now, from the lead's current data.
        """
        self.ensure_one()
        sentences = []
        for feature, value, contribution in self.health_factors or []:
            description = self._health_describe_factor(feature, value)
            if contribution >= 0:
                sentences.append(self.env._("%(factor)s (raises)", factor=description))
            else:
                sentences.append(self.env._("%(factor)s (lowers)", factor=description))
        return sentences

    def _health_describe_factor(self, feature, value):
        """Return one feature value of the lead as a phrase. Override to describe new features."""
        self.ensure_one()
        _ = self.env._
        now = fields.Datetime.now()
        if value == lead_health.OTHER:
            return _(
                "%(feature)s rarely seen among closed leads",
                feature=self._health_feature_label(feature),
            )

        if feature in ("industry", "source", "team", "stage"):
            model_name = {
                "industry": "res.partner.industry",
                "source": "utm.source",
                "team": "crm.team",
                "stage": "crm.stage",
            }[feature]
            record = (
                self.env[model_name].sudo().browse(int(value)).exists() if value != NONE else None
            )
            name = record.display_name if record else _("not set")
            return _(
                "%(feature)s: %(value)s", feature=self._health_feature_label(feature), value=name
            )

        if feature == "amount":
            return {
                NONE: _("No expected revenue"),
                "lt_10k": _("Expected revenue under 10,000"),
                "10k_50k": _("Expected revenue from 10,000 to 50,000"),
                "50k_200k": _("Expected revenue from 50,000 to 200,000"),
                AMOUNT_TOP_BAND: _("Expected revenue of 200,000 or more"),
            }.get(value, value)

        if feature == "stage_days":
            days = (
                int((now - self.date_last_stage_update).days) if self.date_last_stage_update else 0
            )
            stage = self.stage_id.name or ""
            norm = self.stage_id.flow_threshold_days
            if value == "within_norm":
                return _(
                    "%(days)s days in %(stage)s, within the norm of %(norm)s days",
                    days=days,
                    stage=stage,
                    norm=norm,
                )
            if value == "over_norm":
                return _(
                    "%(days)s days in %(stage)s, over the norm of %(norm)s days",
                    days=days,
                    stage=stage,
                    norm=norm,
                )
            if value == "twice_norm":
                return _(
                    "%(days)s days in %(stage)s, more than twice the norm of %(norm)s days",
                    days=days,
                    stage=stage,
                    norm=norm,
                )
            return _("%(days)s days in %(stage)s", days=days, stage=stage)

        if feature == "recency":
            if value == NONE or not self.last_interaction_date:
                return _("No customer interaction recorded")
            days = int((now - self.last_interaction_date).days)
            if value == "d0_7":
                return _("Customer interaction %(days)s days ago", days=days)
            return _("No customer interaction for %(days)s days", days=days)

        if feature == "interactions":
            return {
                "0": _("No interactions recorded"),
                "1_2": _("1 or 2 interactions recorded"),
                "3_5": _("3 to 5 interactions recorded"),
                INTERACTION_TOP_BAND: _("6 or more interactions recorded"),
            }.get(value, value)

        if feature == "evidence":
            return {
                NONE: _("No evidence recorded"),
                "red": _("Only red evidence (verbal or vague)"),
                "yellow": _("Yellow evidence (written purchase intent)"),
                "green": _("Green evidence (signed contract, order or payment)"),
            }.get(value, value)

        if feature == "silence":
            return {
                NONE: _("No silence nudge or escalation"),
                "nudged": _("Salesperson nudged about a silent customer"),
                "escalated": _("Escalated once for silence"),
                "escalated_twice": _("Escalated twice or more for silence"),
            }.get(value, value)
        return f"{feature}: {value}"

    def _health_feature_label(self, feature):
        """Return the translated name of a feature."""
        _ = self.env._
        return {
            "industry": _("Industry"),
            "source": _("Source"),
            "team": _("Sales team"),
            "amount": _("Expected revenue"),
            "stage": _("Stage"),
            "stage_days": _("Days in stage"),
            "recency": _("Last interaction"),
            "interactions": _("Interactions"),
            "evidence": _("Evidence"),
            "silence": _("Silence"),
        }.get(feature, feature)
