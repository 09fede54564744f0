from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import ClosedLoopCase

# Every test freezes time at NOW, long after the setUpClass data was created.
NOW = datetime(2030, 3, 4, 9, 0, 0)
DAY = timedelta(days=1)


@tagged("post_install", "-at_install")
class TestLeadHealth(ClosedLoopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Lead = cls.env["crm.lead"]
        cls.HealthModel = cls.env["crm.lead.health.model"]
        cls.source_fair = cls.env["utm.source"].create({"name": "Trade Fair"})
        cls.source_cold = cls.env["utm.source"].create({"name": "Cold Call"})
        cls.company = cls.env.company

    def _set_stays(self, lead, stays):
        """Replace the history of ``lead`` with ``stays``: (stage, date_in, date_out) tuples."""
        History = self.env["crm.lead.stage.history"].sudo()
        History.search([("lead_id", "=", lead.id)]).unlink()
        History.create(
            [
                {
                    "lead_id": lead.id,
                    "stage_id": stage.id,
                    "team_id": lead.team_id.id,
                    "date_in": date_in,
                    "date_out": date_out,
                }
                for stage, date_in, date_out in stays
            ]
        )

    def _add_interaction(self, lead, date):
        return (
            self.env["crm.lead.interaction"]
            .sudo()
            .create({"lead_id": lead.id, "date": date, "kind": "call", "direction": "two_way"})
        )

    def _create_closed_leads(self, count, won_count, source, closed=NOW - 10 * DAY):
        """Create ``count`` closed opportunities of ``source``, the first ``won_count`` won.

        Each one was created 5 days before ``closed`` and spent them in Lead Screening.
        """
        Lead = self.Lead.sudo().with_context(sales_closed_loop_import=True)
        leads = Lead.create(
            [
                {
                    "name": f"{source.name} deal {index}",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "user_id": self.user_salesman.id,
                    "source_id": source.id,
                    "stage_id": (self.stage_won if index < won_count else self.stage_screening).id,
                }
                for index in range(count)
            ]
        )
        won = leads[:won_count]
        lost = leads[won_count:]
        entered = closed - 5 * DAY
        for lead in won:
            self._set_stays(
                lead,
                [(self.stage_screening, entered, closed), (self.stage_won, closed, False)],
            )
        for lead in lost:
            self._set_stays(lead, [(self.stage_screening, entered, False)])
        lost.write({"active": False, "probability": 0})
        leads.write({"date_closed": closed})
        self._set_create_date(leads, entered)
        return leads

    def _set_create_date(self, leads, created):
        leads.flush_recordset()
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id = ANY(%s)", [created, leads.ids]
        )
        leads.invalidate_recordset(["create_date"])

    def _create_lost_lead(self, created, closed, stays=None):
        """Create a lead created at ``created``, lost at ``closed``, with ``stays`` as history."""
        lead = self._create_lead("Lost deal", self.user_salesman)
        self._set_stays(lead, stays or [(self.stage_screening, created, False)])
        lead = lead.sudo().with_context(sales_closed_loop_import=True)
        lead.write({"active": False, "probability": 0})
        lead.date_closed = closed
        self._set_create_date(lead, created)
        return lead

    def _samples(self, leads, closed_before=None):
        return list(
            self.Lead._health_training_samples(
                closed_before=closed_before, domain=[("id", "in", leads.ids)]
            )
        )

    def _create_training_set(self):
        """Create 80 closed leads whose outcome depends on their source only."""
        return self._create_closed_leads(40, 36, self.source_fair) | self._create_closed_leads(
            40, 4, self.source_cold
        )

    def _create_open_lead(self, name, source):
        lead = self._create_lead(name, self.user_salesman, source_id=source.id)
        self._set_stays(lead, [(self.stage_screening, NOW - 2 * DAY, False)])
        return lead

    # ------------------------------------------------------------
    # FEATURES
    # ------------------------------------------------------------

    def test_features_past_date(self):
        """Features at a past date read the stage, days, interactions and evidence of that date."""
        start = NOW - 30 * DAY
        self.stage_diagnosis.flow_threshold_days = 2
        self._set_stays(
            self.lead,
            [
                (self.stage_screening, start, start + 10 * DAY),
                (self.stage_diagnosis, start + 10 * DAY, False),
            ],
        )
        self._add_interaction(self.lead, start + 3 * DAY)
        self._add_interaction(self.lead, start + 15 * DAY)
        evidence_red = self._add_evidence(self.lead, self.type_verbal, with_file=False)
        evidence_red.date = (start + 2 * DAY).date()
        evidence_green = self._add_evidence(
            self.lead, self.env.ref("sales_closed_loop.evidence_type_signed_contract"), False
        )
        evidence_green.date = (start + 20 * DAY).date()

        with freeze_time(NOW):
            early = self.lead._health_features(at=start + 5 * DAY)[self.lead.id]
            later = self.lead._health_features(at=start + 13 * DAY)[self.lead.id]
            latest = self.lead._health_features(at=start + 16 * DAY)[self.lead.id]

        self.assertEqual(early["stage"], str(self.stage_screening.id))
        self.assertEqual(early["stage_days"], "lt_7d")
        self.assertEqual(early["recency"], "d0_7")
        self.assertEqual(early["interactions"], "1_2")
        self.assertEqual(early["evidence"], "red")
        self.assertEqual(later["stage"], str(self.stage_diagnosis.id))
        self.assertEqual(later["stage_days"], "over_norm")
        self.assertEqual(later["recency"], "d7_14")
        self.assertEqual(later["interactions"], "1_2")
        self.assertEqual(later["evidence"], "red")
        self.assertEqual(latest["stage_days"], "twice_norm")
        self.assertEqual(latest["recency"], "d0_7")
        self.assertEqual(latest["interactions"], "1_2")
        self.assertEqual(latest["evidence"], "red")

    def test_features_before_creation(self):
        """A moment before the lead's first stage gives no stage and no interactions."""
        self._set_stays(self.lead, [(self.stage_screening, NOW - 5 * DAY, False)])
        self.lead.sudo().date_last_stage_update = NOW - 5 * DAY
        features = self.lead._health_features(at=NOW - 6 * DAY)[self.lead.id]
        self.assertEqual(features["stage"], "none")
        self.assertEqual(features["recency"], "none")
        self.assertEqual(features["interactions"], "0")

    def test_features_silence_escalation(self):
        """An escalation counts only from its date on."""
        self.env["crm.lead.escalation"].sudo().create(
            {
                "lead_id": self.lead.id,
                "company_id": self.company.id,
                "rule": "round_robin",
                "date": NOW - 3 * DAY,
            }
        )
        before = self.lead._health_features(at=NOW - 4 * DAY)[self.lead.id]
        after = self.lead._health_features(at=NOW - 2 * DAY)[self.lead.id]
        self.assertEqual(before["silence"], "none")
        self.assertEqual(after["silence"], "escalated")

    # ------------------------------------------------------------
    # TRAINING
    # ------------------------------------------------------------

    def test_samples_no_leakage(self):
        """A won lead's snapshots show its stage and evidence of their day, never the Won stage."""
        start = NOW - 40 * DAY
        pipeline = [self.stage_diagnosis, self.stage_matching, self.stage_consensus]
        pipeline += [self.stage_closing, self.stage_won]
        self._fill_gate_fields(self.lead)
        for index, stage in enumerate(pipeline, start=1):
            with freeze_time(start + index * 3 * DAY):
                for rule in stage.gate_evidence_ids:
                    for _count in range(rule.min_count):
                        self._add_evidence(self.lead, rule.type_ids[:1])
                self.lead.write({"stage_id": stage.id})
        self._set_stays(
            self.lead,
            [(self.stage_screening, start, start + 3 * DAY)]
            + [
                (stage, start + index * 3 * DAY, start + (index + 1) * 3 * DAY)
                for index, stage in enumerate(pipeline[:-1], start=1)
            ]
            + [(self.stage_won, start + 15 * DAY, False)],
        )
        self.lead.date_closed = start + 15 * DAY
        self._set_create_date(self.lead, start)

        samples = self._samples(self.lead)

        # Open 15 days: seen at creation and on days 7 and 14, in the stages of those days.
        stages = [features["stage"] for features, _won, _weight in samples]
        expected = [self.stage_screening, self.stage_matching, self.stage_closing]
        self.assertEqual(stages, [str(stage.id) for stage in expected])
        self.assertTrue(all(won for _features, won, _weight in samples))
        # The green evidence the Won stage requires is dated on the win day, after
        # every snapshot.
        self.assertNotEqual(samples[2][0]["evidence"], "green")
        # Evidence is added when the lead enters a stage, so the first stay has none.
        self.assertEqual(samples[0][0]["evidence"], "none")

    def test_samples_closed_before(self):
        """Leads closed after ``closed_before`` are left out of training."""
        leads = self._create_closed_leads(2, 1, self.source_fair, closed=NOW - 10 * DAY)
        later = self._create_closed_leads(2, 1, self.source_cold, closed=NOW - 2 * DAY)
        samples = list(
            self.Lead._health_training_samples(
                closed_before=NOW - 5 * DAY, domain=[("id", "in", (leads | later).ids)]
            )
        )
        sources = {features["source"] for features, _won, _weight in samples}
        self.assertEqual(sources, {str(self.source_fair.id)})
        self.assertEqual(len(samples), 2)

    def test_samples_fixed_ages(self):
        """A lead open 50 days is seen at creation and on days 7, 14 and 30, weighted in weeks."""
        created = NOW - 100 * DAY
        lead = self._create_lost_lead(created, created + 50 * DAY)

        samples = self._samples(lead)

        # Day 60 is after the closing; each weight is the time up to the next age.
        weights = [weight for _features, _won, weight in samples]
        self.assertEqual(len(weights), 4)
        for weight, expected in zip(weights, (1, 1, 16 / 7, 20 / 7), strict=True):
            self.assertAlmostEqual(weight, expected)
        self.assertFalse(any(won for _features, won, _weight in samples))
        stage_days = [features["stage_days"] for features, _won, _weight in samples]
        self.assertEqual(stage_days, ["lt_7d", "7_30d", "7_30d", "30d_plus"])

    def test_samples_open_only(self):
        """No snapshot at or after the closing moment, and none at creation for an instant close."""
        created = NOW - 100 * DAY
        closed_on_day_30 = self._create_lost_lead(created, created + 30 * DAY)
        closed_at_creation = self._create_lost_lead(created, created)

        samples = self._samples(closed_on_day_30 | closed_at_creation)

        self.assertEqual(len(samples), 3)
        self.assertAlmostEqual(sum(weight for _features, _won, weight in samples), 30 / 7)

    def test_samples_won_stage_dropped(self):
        """A snapshot that falls in a won stage before the closing date is dropped."""
        created = NOW - 100 * DAY
        lead = self._create_lost_lead(
            created,
            created + 40 * DAY,
            [
                (self.stage_screening, created, created + 10 * DAY),
                (self.stage_won, created + 10 * DAY, False),
            ],
        )

        samples = self._samples(lead)

        stages = {features["stage"] for features, _won, _weight in samples}
        self.assertEqual(stages, {str(self.stage_screening.id)})
        self.assertEqual(len(samples), 2)

    def test_samples_as_of_moment(self):
        """Each snapshot counts only the interactions dated before its moment."""
        created = NOW - 100 * DAY
        lead = self._create_lost_lead(created, created + 20 * DAY)
        self._add_interaction(lead, created + 10 * DAY)

        samples = self._samples(lead)

        interactions = [features["interactions"] for features, _won, _weight in samples]
        self.assertEqual(interactions, ["0", "0", "1_2"])
        self.assertEqual(samples[2][0]["recency"], "d0_7")

    def test_fit_driving_feature(self):
        """The feature that drives winning gets the largest weight and sensible probabilities."""
        leads = self._create_training_set()
        samples = self.Lead._health_training_samples(domain=[("id", "in", leads.ids)])
        model = self.HealthModel._health_fit(samples, company=self.company)

        strongest = max(model.weight_ids, key=lambda line: abs(line.weight))
        self.assertEqual(strongest.feature, "source")
        # 80 leads open 5 days each, seen once at creation: 5/7 of a week each.
        self.assertAlmostEqual(model.sample_count, 80 * 5 / 7)
        self.assertAlmostEqual(model.won_sample_count, 40 * 5 / 7)

        lead_fair = self._create_open_lead("Fair visitor", self.source_fair)
        lead_cold = self._create_open_lead("Cold prospect", self.source_cold)
        with freeze_time(NOW):
            features = (lead_fair | lead_cold)._health_features()
        probabilities = model._health_probabilities(features)
        self.assertGreater(probabilities[lead_fair.id], 0.75)
        self.assertLess(probabilities[lead_fair.id], 0.95)
        self.assertLess(probabilities[lead_cold.id], 0.25)
        self.assertGreater(probabilities[lead_cold.id], 0.05)
        factors = model._health_top_factors(features[lead_cold.id])
        self.assertEqual(len(factors), 3)
        self.assertEqual(factors[0][:2], ("source", str(self.source_cold.id)))
        self.assertLess(factors[0][2], 0)

    def test_fit_newest_model_used(self):
        """Only the newest model of a company is the current one."""
        leads = self._create_training_set()
        first = self.HealthModel._health_fit(
            self.Lead._health_training_samples(domain=[("id", "in", leads.ids)]), self.company
        )
        second = self.HealthModel._health_fit(
            self.Lead._health_training_samples(domain=[("id", "in", leads.ids)]), self.company
        )
        self.assertNotEqual(first, second)
        self.assertEqual(self.HealthModel._health_get_current(self.company), second)

    # ------------------------------------------------------------
    # SCHEDULED JOB
    # ------------------------------------------------------------

    def test_cron_fallback_below_minimum(self):
        """Below the minimum of closed leads, the score is Odoo's automated probability."""
        self.company.health_min_closed_leads = 10**6
        self.lead.flush_recordset()
        self.env.cr.execute(
            "UPDATE crm_lead SET automated_probability = 37 WHERE id = %s", [self.lead.id]
        )
        self.lead.invalidate_recordset(["automated_probability"])
        self.lead.expected_revenue = 1000

        with freeze_time(NOW):
            self.Lead._cron_health_train_and_score()

        self.assertAlmostEqual(self.lead.health_probability, 0.37)
        self.assertEqual(self.lead.health_source, "pls")
        self.assertFalse(self.lead.health_factors)
        self.assertAlmostEqual(self.lead.health_expected_value, 370)
        self.assertEqual(self.lead.health_scored_date, NOW)

    def test_cron_scores_open_only(self):
        """The job scores open leads with the model and leaves won, lost and archived leads."""
        self._create_training_set()
        self.company.health_min_closed_leads = 20
        lead_open = self._create_open_lead("Open fair lead", self.source_fair)
        lead_won, lead_lost = self._create_closed_leads(2, 1, self.source_fair, NOW - DAY)
        lead_archived = self._create_lead("Archived lead", self.user_salesman)
        lead_archived.action_archive()

        with freeze_time(NOW):
            self.Lead._cron_health_train_and_score()

        self.assertEqual(lead_open.health_source, "model")
        self.assertGreater(lead_open.health_probability, 0.5)
        self.assertEqual(len(lead_open.health_factors), 3)
        for lead in lead_won | lead_lost | lead_archived:
            self.assertFalse(lead.health_scored_date, lead.name)
            self.assertFalse(lead.health_source, lead.name)

    def test_cron_training_failure_isolated(self):
        """A company whose training fails is logged and its leads get Odoo's score."""
        self.company.health_min_closed_leads = 2
        self._create_closed_leads(2, 1, self.source_fair)
        lead_without_company = self._create_lead("Lead without company", self.user_salesman)
        lead_without_company.flush_recordset()
        self.env.cr.execute(
            "UPDATE crm_lead SET company_id = NULL WHERE id = %s", [lead_without_company.id]
        )
        lead_without_company.invalidate_recordset(["company_id"])

        def fail(lead_model, company):
            raise UserError("Training failed")

        with (
            patch.object(type(self.Lead), "_health_train_company", fail),
            freeze_time(NOW),
            self.assertLogs(
                "odoo.addons.sales_closed_loop.models.crm_lead_health", "ERROR"
            ) as logs,
        ):
            counts = self.Lead._cron_health_train_and_score()

        self.assertEqual(counts["training_failed"], 1)
        self.assertEqual(counts["trained"], 0)
        self.assertIn(f"training of company {self.company.id} failed", logs.output[0])
        self.assertEqual(self.lead.health_source, "pls")
        self.assertEqual(lead_without_company.health_source, "pls")

    def test_cron_scoring_failure_fallback(self):
        """A batch whose scoring fails is logged and gets Odoo's score."""
        self._create_training_set()
        self.company.health_min_closed_leads = 20

        def fail(lead_model, *args):
            raise ValueError("Scoring failed")

        with (
            patch.object(type(self.Lead), "_health_write_scores", fail),
            freeze_time(NOW),
            self.assertLogs(
                "odoo.addons.sales_closed_loop.models.crm_lead_health", "ERROR"
            ) as logs,
        ):
            counts = self.Lead._cron_health_train_and_score()

        self.assertEqual(counts["trained"], 1)
        self.assertEqual(counts["model"], 0)
        self.assertGreater(counts["failed"], 0)
        self.assertIn("Lead health: scoring", logs.output[0])
        self.assertEqual(self.lead.health_source, "pls")
        self.assertEqual(self.lead.health_scored_date, NOW)

    def test_cron_round_in_bounded_calls(self):
        """Calls score a bounded batch each and train only when a new round starts."""
        self._create_training_set()
        self.company.health_min_closed_leads = 20
        open_count = self.Lead.search_count(self.Lead._health_open_domain())
        Model = self.HealthModel.sudo()

        with freeze_time(NOW):
            first = self.Lead._cron_health_train_and_score(limit=2)
        with freeze_time(NOW + timedelta(minutes=1)):
            second = self.Lead._cron_health_train_and_score()
        models_after_round = Model.search_count([("company_id", "=", self.company.id)])
        with freeze_time(NOW + DAY):
            third = self.Lead._cron_health_train_and_score()

        self.assertEqual(first["trained"], 1)
        self.assertEqual(first["model"] + first["fallback"], 2)
        self.assertEqual(first["remaining"], open_count - 2)
        self.assertEqual(second["trained"], 0)
        self.assertEqual(second["model"] + second["fallback"], open_count - 2)
        self.assertEqual(second["remaining"], 0)
        self.assertEqual(models_after_round, 1)
        self.assertEqual(third["trained"], 1)
        self.assertEqual(third["model"] + third["fallback"], open_count)

    def test_cron_expected_value_follows_revenue(self):
        """Editing the expected revenue updates the expected value without a new run."""
        self.company.health_min_closed_leads = 10**6
        self.lead.write({"expected_revenue": 1000, "health_probability": 0.2})
        self.assertAlmostEqual(self.lead.health_expected_value, 200)

    # ------------------------------------------------------------
    # FACTORS IN WORDS
    # ------------------------------------------------------------

    def test_factors_english_and_chinese(self):
        """The top factors read as sentences in the user's language."""
        with freeze_time(NOW):
            self.lead.sudo().write(
                {
                    "last_interaction_date": NOW - 12 * DAY,
                    "health_source": "model",
                    "health_scored_date": NOW,
                    "health_factors": [
                        ["recency", "d7_14", -0.8],
                        ["source", str(self.source_fair.id), 0.5],
                        ["evidence", "yellow", 0.2],
                    ],
                }
            )
            self.lead.source_id = self.source_fair
            english = self.lead.with_context(lang="en_US")._health_factor_sentences()
            chinese = self.lead.with_context(lang="zh_CN")._health_factor_sentences()

        self.assertEqual(
            english,
            [
                "No customer interaction for 12 days (lowers)",
                "Source: Trade Fair (raises)",
                "Yellow evidence (written purchase intent) (raises)",
            ],
        )
        self.assertEqual(chinese[0], "客户已 12 天没有有效互动（降低）")
        self.assertEqual(chinese[2], "黄色凭证（书面采购意向）（提高）")
        self.assertIn("Trade Fair", chinese[1])

    def test_factors_stage_norm_sentence(self):
        """The days-in-stage factor names the stage, the days and the stage's norm."""
        self.stage_screening.flow_threshold_days = 3
        with freeze_time(NOW):
            self.lead.sudo().write(
                {
                    "date_last_stage_update": NOW - 8 * DAY,
                    "health_factors": [["stage_days", "twice_norm", -1.2]],
                }
            )
            sentences = self.lead.with_context(lang="en_US")._health_factor_sentences()
        self.assertEqual(
            sentences,
            ["8 days in Lead Screening, more than twice the norm of 3 days (lowers)"],
        )

    # ------------------------------------------------------------
    # DASHBOARD
    # ------------------------------------------------------------

    def test_untouched_week_filter(self):
        """The filter keeps high-potential leads without an interaction in the last 7 days."""
        self.company.health_high_potential_threshold = 0.5
        lead_silent = self.lead
        lead_touched = self._create_lead("Touched lead", self.user_salesman)
        lead_low = self._create_lead("Low lead", self.user_salesman)
        with freeze_time(NOW):
            (lead_silent | lead_touched).sudo().write(
                {"health_probability": 0.8, "health_scored_date": NOW}
            )
            lead_low.sudo().write({"health_probability": 0.3, "health_scored_date": NOW})
            lead_silent.sudo().last_interaction_date = NOW - 10 * DAY
            lead_touched.sudo().last_interaction_date = NOW - 2 * DAY
            leads = lead_silent | lead_touched | lead_low
            found = self.Lead.search(
                [("health_untouched_week", "=", True), ("id", "in", leads.ids)]
            )
            not_found = self.Lead.search(
                [("health_untouched_week", "=", False), ("id", "in", leads.ids)]
            )
            flags = {lead: lead.health_untouched_week for lead in leads}

        self.assertEqual(found, lead_silent)
        self.assertEqual(not_found, lead_touched | lead_low)
        self.assertEqual(flags, {lead_silent: True, lead_touched: False, lead_low: False})

    def test_high_potential_lift(self):
        """By default, high potential means odds 1.5 times the model's average open lead."""
        self.company.write(
            {"health_high_potential_threshold": 0.5, "health_high_potential_lift": 1.5}
        )
        lead_below = self.lead
        lead_above = self._create_lead("Above lead", self.user_salesman)
        (lead_below | lead_above).sudo().write({"health_scored_date": NOW})
        lead_below.sudo().health_probability = 0.68
        lead_above.sudo().health_probability = 0.70
        leads = lead_below | lead_above

        def flagged():
            leads.invalidate_recordset(["health_is_high_potential"])
            found = self.Lead.search(
                [("health_is_high_potential", "=", True), ("id", "in", leads.ids)]
            )
            return found, leads.filtered("health_is_high_potential")

        # No trained model yet: the fixed score of 50% applies.
        self.assertEqual(flagged(), (leads, leads))
        # Average open lead won at 60%: odds 1.5 * 0.6 / 0.4 = 2.25, so from 69.2%.
        self.HealthModel.sudo().create(
            {"company_id": self.company.id, "sample_count": 100.0, "won_sample_count": 60.0}
        )
        self.assertEqual(flagged(), (lead_above, lead_above))
        self.company.health_high_potential_rule = "score"
        self.assertEqual(flagged(), (leads, leads))

    def test_settings_show_high_potential_level(self):
        """The settings show the high-potential score from the values being edited."""
        self.company.write(
            {"health_high_potential_threshold": 0.5, "health_high_potential_lift": 1.5}
        )
        settings = self.env["res.config.settings"].create({})
        self.assertIn("50%", settings.health_high_potential_level_text)
        self.assertIn("no lead health model", settings.health_high_potential_level_text)

        self.HealthModel.sudo().create(
            {"company_id": self.company.id, "sample_count": 100.0, "won_sample_count": 60.0}
        )
        settings = self.env["res.config.settings"].create({})
        self.assertIn("69%", settings.health_high_potential_level_text)
        self.assertIn("wins 60%", settings.health_high_potential_level_text)
        # Odds 2 * 0.6 / 0.4 = 3, so from 75%, while the form is edited and not saved.
        form = Form(self.env["res.config.settings"])
        form.health_high_potential_lift = 2.0
        self.assertIn("75%", form.health_high_potential_level_text)
        form.health_high_potential_lift = 0.9
        self.assertIn("Enter a lift of at least 1", form.health_high_potential_level_text)
        self.assertEqual(self.company.health_high_potential_lift, 1.5)

    def test_settings_invalid_lift(self):
        """A lift below 1 is rejected, because it would flag leads worse than average."""
        with self.assertRaises(ValidationError):
            self.company.health_high_potential_lift = 0.8

    def test_dashboard_record_rules(self):
        """The dashboard lists a salesman's own leads only, and all leads for a manager."""
        (self.lead | self.lead_other).sudo().write(
            {"health_probability": 0.6, "health_scored_date": NOW}
        )
        action = self.env.ref("sales_closed_loop.crm_lead_health_action")
        domain = [*safe_eval(action.domain), ("id", "in", (self.lead | self.lead_other).ids)]

        seen_by_salesman = self.Lead.with_user(self.user_salesman).search(domain)
        seen_by_manager = self.Lead.with_user(self.user_manager).search(domain)

        self.assertEqual(seen_by_salesman, self.lead)
        self.assertEqual(seen_by_manager, self.lead | self.lead_other)

    def test_settings_invalid_threshold(self):
        """A high-potential score outside 0 to 1 is rejected."""
        with self.assertRaisesRegex(
            ValidationError, "between 0% and 100%. Enter a value such as 50%"
        ):
            self.company.health_high_potential_threshold = 1.5
        with self.assertRaises(ValidationError):
            self.company.health_min_closed_leads = 1

    def test_views_show_health(self):
        """The lead form has the health box and the CRM settings have both health settings."""
        form = self.Lead.get_views([(False, "form")])["views"]["form"]["arch"]
        settings = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]
        self.assertIn('name="health_box"', form)
        self.assertIn('name="health_factor_text"', form)
        self.assertIn('name="health_min_closed_leads"', settings["arch"])
        self.assertIn('name="health_high_potential_threshold"', settings["arch"])
        self.assertIn('name="health_high_potential_rule"', settings["arch"])
        self.assertIn('name="health_high_potential_lift"', settings["arch"])
