from datetime import datetime, timedelta
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from odoo.addons.crm.models.crm_lead import Lead as CrmLead
from odoo.addons.sales_closed_loop.cli import score_backtest
from odoo.addons.sales_closed_loop.health_metrics import evaluate
from odoo.addons.sales_closed_loop.wizards.crm_pipeline_import import IMPORT_CONTEXT

SPLIT = datetime(2025, 7, 1)
# Training leads: open 30 days in the first stage, closed long before the split.
TRAIN_CREATED = datetime(2025, 2, 1, 12)
TRAIN_CLOSED = datetime(2025, 3, 3, 12)
# Test leads: created 20 days before the split, closed 30 days after it.
TEST_CREATED = SPLIT - timedelta(days=20)
TEST_CLOSED = SPLIT + timedelta(days=30)
# (source, won, lost) counts of each set. Source A wins 8 of 10 in training.
TRAIN_COUNTS = (("A", 8, 2), ("B", 2, 8))
TEST_COUNTS = (("A", 3, 1), ("B", 1, 3))

# crm's scheduled action, kept before any test patches it.
ODOO_PLS_CRON = CrmLead._cron_update_automated_probabilities


@tagged("post_install", "-at_install")
class TestHealthBacktest(TransactionCase):
    """A small synthetic history of one company, backtested at ``SPLIT``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env(context=dict(cls.env.context, **IMPORT_CONTEXT), su=True)
        cls.company = env["res.company"].create({"name": "Backtest Trading Co."})
        cls.team = env["crm.team"].create({"name": "Backtest Team", "company_id": cls.company.id})
        cls.stage_first = env.ref("sales_closed_loop.stage_lead_screening")
        cls.stage_won = env.ref("crm.stage_lead4")
        cls.sources = {
            name: env["utm.source"].create({"name": f"Backtest source {name}"})
            for name in ("A", "B")
        }
        cls.train_leads = cls._create_history(env, TRAIN_COUNTS, TRAIN_CREATED, TRAIN_CLOSED)
        cls.test_leads = cls._create_history(env, TEST_COUNTS, TEST_CREATED, TEST_CLOSED)

    @classmethod
    def _create_history(cls, env, counts, created, closed):
        """Create closed leads with their dates and stage history; return them by source."""
        rows = [
            (source, won)
            for source, won_count, lost_count in counts
            for won in [True] * won_count + [False] * lost_count
        ]
        leads = env["crm.lead"].create(
            [
                {
                    "name": f"Backtest {source} {index}",
                    "type": "opportunity",
                    "company_id": cls.company.id,
                    "team_id": cls.team.id,
                    "user_id": False,
                    "source_id": cls.sources[source].id,
                    "stage_id": (cls.stage_won if won else cls.stage_first).id,
                    "probability": 100 if won else 0,
                }
                for index, (source, won) in enumerate(rows)
            ]
        )
        leads.filtered(lambda lead: not lead.probability).action_set_lost()
        leads.flush_recordset()
        env.cr.execute(
            SQL(
                """UPDATE crm_lead
                      SET create_date = %s, date_closed = %s, date_last_stage_update = %s
                    WHERE id = ANY(%s)""",
                created,
                closed,
                closed,
                leads.ids,
            )
        )
        leads.invalidate_recordset()
        history = []
        for lead, (_source, won) in zip(leads, rows, strict=True):
            common = {"lead_id": lead.id, "team_id": cls.team.id, "is_imported": True}
            history.append(
                dict(common, stage_id=cls.stage_first.id, date_in=created, date_out=closed)
            )
            if won:
                history.append(dict(common, stage_id=cls.stage_won.id, date_in=closed))
        env["crm.lead.stage.history"].create(history)
        return leads

    def _run(self):
        return score_backtest.run_backtest(self.env, SPLIT, self.company, [("source_id",)])

    def _lead_state(self):
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT id, stage_id, active, probability, automated_probability, date_closed
                 FROM crm_lead ORDER BY id"""
        )
        leads = self.env.cr.fetchall()
        self.env.cr.execute(
            """SELECT key, value FROM ir_config_parameter
                WHERE key IN ('crm.pls_fields', 'crm.pls_start_date') ORDER BY key"""
        )
        settings = self.env.cr.fetchall()
        self.env.cr.execute("SELECT count(*) FROM crm_lead_scoring_frequency")
        frequencies = self.env.cr.fetchone()[0]
        self.env.cr.execute("SELECT count(*) FROM crm_lead_health_model")
        models = self.env.cr.fetchone()[0]
        return leads, settings, frequencies, models

    def test_split_default_date(self):
        """The default split is the closing moment at 70 % of the closed leads."""
        # 28 closed leads: index ceil(28 × 0.7) = 20 is the first test lead.
        split_date = score_backtest.default_split_date(self.env, self.company)
        self.assertEqual(split_date, TEST_CLOSED)

    def test_split_sets(self):
        """Training contains the leads closed before the split, the test those open at it."""
        split = score_backtest.split_leads(self.env, SPLIT, self.company)
        self.assertEqual(set(split["train"]), set(self.train_leads.ids))
        self.assertEqual(set(split["test"]), set(self.test_leads.ids))
        self.assertEqual(sum(split["train"].values()), 10)
        self.assertEqual(sum(split["test"].values()), 4)
        self.assertEqual(split["first_created"], TRAIN_CREATED)

    def test_split_empty_side(self):
        """A split with nothing to test on raises a UserError."""
        with self.assertRaises(UserError):
            score_backtest.run_backtest(self.env, datetime(2030, 1, 1), self.company)

    def test_metrics_of_each_model(self):
        """Each model's metrics are those of its probabilities on the test leads."""
        result = self._run()
        self.assertEqual(result["train_count"], 20)
        self.assertEqual(result["test_count"], 8)
        self.assertEqual(result["evaluated_count"], 8)
        self.assertAlmostEqual(result["base_rate"], 0.5)
        names = [model["name"] for model in result["models"]]
        self.assertEqual(names, ["Lead health", "Odoo PLS", "Training win rate"])
        outcomes = result["test_outcomes"]
        lead_ids = sorted(outcomes)
        for model in result["models"]:
            expected = evaluate(
                [model["probabilities"][lead_id] for lead_id in lead_ids],
                [1 if outcomes[lead_id] else 0 for lead_id in lead_ids],
            )
            self.assertAlmostEqual(model["metrics"]["brier"], expected["brier"])
            self.assertAlmostEqual(model["metrics"]["auc"], expected["auc"])
        constant = result["models"][2]["metrics"]
        self.assertAlmostEqual(constant["brier"], 0.25)
        self.assertAlmostEqual(constant["auc"], 0.5)

    def test_health_model_ranks_source(self):
        """Our model, trained before the split, ranks source A above source B."""
        ours = self._run()["models"][0]
        by_source = {lead.source_id: ours["probabilities"][lead.id] for lead in self.test_leads}
        self.assertGreater(by_source[self.sources["A"]], by_source[self.sources["B"]])
        # Won A leads above lost B leads, ties inside a source: 12 of 16 pairs.
        self.assertAlmostEqual(ours["metrics"]["auc"], 0.75)

    def test_pls_is_odoo_cron(self):
        """PLS probabilities come from crm's own cron, as its naive Bayes gives them."""
        first_stage = self.env["crm.stage"].search(
            [("team_id", "=", False)], order="sequence, id", limit=1
        )
        self.assertEqual(first_stage, self.stage_first, "the hand computation assumes it")
        with patch.object(
            CrmLead,
            "_cron_update_automated_probabilities",
            autospec=True,
            side_effect=ODOO_PLS_CRON,
        ) as cron:
            pls = self._run()["models"][1]
        self.assertEqual(cron.call_count, 1)
        # PLS adds 0.1 to every count. Stage and team are the same for every
        # lead, so only the source moves the odds: won 8.1 / lost 2.1 for A,
        # 2.1 / 8.1 for B, each over 10.2 in total, and a base rate of 1/2.
        expected = {"A": round(8.1 / 10.2, 4), "B": round(2.1 / 10.2, 4)}
        for lead in self.test_leads:
            source = "A" if lead.source_id == self.sources["A"] else "B"
            self.assertAlmostEqual(pls["probabilities"][lead.id], expected[source], places=6)
        self.assertEqual(pls["pls_fields"], ("source_id",))

    def test_pls_sees_leads_at_split(self):
        """PLS scores the test leads, though they are closed today, in their stage at the split."""
        seen = {}

        def record_state(lead_model):
            lead_model.env.cr.execute(
                """SELECT DISTINCT stage_id, active, probability IS NULL, date_closed IS NULL
                     FROM crm_lead WHERE id = ANY(%s)""",
                [self.test_leads.ids],
            )
            seen["test"] = lead_model.env.cr.fetchall()
            seen["other_active"] = lead_model.search_count(
                [("id", "not in", self.train_leads.ids + self.test_leads.ids)]
            )
            return ODOO_PLS_CRON(lead_model)

        with patch.object(
            CrmLead,
            "_cron_update_automated_probabilities",
            autospec=True,
            side_effect=record_state,
        ):
            self._run()
        # One row: first stage, active, no probability, not closed.
        self.assertEqual(seen["test"], [(self.stage_first.id, True, True, True)])
        self.assertEqual(seen["other_active"], 0)

    def test_backtest_leaves_data(self):
        """The leads, the PLS settings and tables and the models are unchanged afterwards."""
        before = self._lead_state()
        self._run()
        self.assertEqual(self._lead_state(), before)
        # The registry's settings cache was cleared after the rollback.
        self.assertEqual(
            self.env["ir.config_parameter"].sudo().get_param("crm.pls_fields"),
            dict(before[1]).get("crm.pls_fields"),
        )

    def test_report_lists_models(self):
        """The report has one line per model and one reliability table each."""
        report = score_backtest.format_report(self._run())
        self.assertIn("| Odoo PLS (stage_id, team_id, source_id) |", report)
        self.assertIn("| Lead health |", report)
        self.assertEqual(report.count("| forecast bin |"), 3)
