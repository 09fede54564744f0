import logging
from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..effectiveness_stats import rate_difference_interval, wilson_interval
from .common import SalesActionCommon

# Far enough ahead that the demo leads, closed around the install date, fall
# outside the 365-day period and only this test's leads are compared.
TODAY = date(2031, 6, 15)
NOW = datetime(2031, 6, 15, 9, 0)


@tagged("post_install", "-at_install")
class TestSalesActionEffectiveness(SalesActionCommon):
    """A hand-computed example of ten closed leads for one action.

    The action was first used in Needs Diagnosis (sequence 2), so leads must
    have reached that stage. With the action, used before closing: W1, W2, W3 won,
    L1 lost: 3/4. Without it: W4 won; L2, L3, L4 lost after Needs Diagnosis;
    L5 lost in Lead Screening after reaching Solution Matching (history); L8
    lost, the action quoted only after it closed: 1/6. Left out: L6 lost in
    Lead Screening, L7 closed 400 days ago, O1 still open. Uses in the period:
    W1 twice, W2, W3, L1, L8, O1 = 7 uses on 6 leads.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.won_stage = cls.env.ref("crm.stage_lead4")
        screening, diagnosis, matching, consensus, closing = cls.stages
        cls.kpi_action = cls.env["sales.action"].create(
            {
                "code": "T200",
                "name": "Test action: quantify the cost of the problem",
                "category": "needs_deep_dive",
                "stage_ids": [(6, 0, (diagnosis | matching).ids)],
            }
        )
        closed = NOW - timedelta(days=10)
        used = closed - timedelta(days=1)
        cls.leads = {}
        for name, stage, won in [
            ("W1", cls.won_stage, True),
            ("W2", cls.won_stage, True),
            ("W3", cls.won_stage, True),
            ("W4", cls.won_stage, True),
            ("L1", consensus, False),
            ("L2", diagnosis, False),
            ("L3", matching, False),
            ("L4", closing, False),
            ("L5", screening, False),
            ("L6", screening, False),
            ("L8", matching, False),
        ]:
            cls.leads[name] = cls._create_closed_lead(name, stage, won, closed)
        cls.leads["L7"] = cls._create_closed_lead("L7", consensus, False, NOW - timedelta(days=400))
        cls.leads["O1"] = cls._create_closed_lead("O1", diagnosis, None, None)
        cls.env["crm.lead.stage.history"].create(
            {
                "lead_id": cls.leads["L5"].id,
                "stage_id": matching.id,
                "date_in": closed - timedelta(days=20),
                "date_out": closed - timedelta(days=15),
                "is_imported": True,
            }
        )
        uses = [
            ("W1", used),
            ("W1", used - timedelta(days=3)),
            ("W2", used),
            ("W3", used),
            ("L1", used),
            ("L8", closed + timedelta(days=5)),
            ("O1", NOW - timedelta(days=1)),
            ("L7", NOW - timedelta(days=401)),
        ]
        cls.env["sales.action.usage"].create(
            [
                {
                    "action_id": cls.kpi_action.id,
                    "lead_id": cls.leads[name].id,
                    "user_id": cls.user_salesman.id,
                    "stage_id": (diagnosis if name == "O1" else matching).id,
                    "date": when,
                }
                for name, when in uses
            ]
        )
        cls.Effectiveness = cls.env["sales.action.effectiveness"]

    @classmethod
    def _create_closed_lead(cls, name, stage, won, date_closed):
        """Create an opportunity in ``stage``; won, lost (archived) or open when ``won`` is None."""
        vals = {
            "name": f"Effectiveness {name}",
            "type": "opportunity",
            "user_id": cls.user_salesman.id,
            "stage_id": stage.id,
        }
        if won is not None:
            vals.update(probability=100 if won else 0, active=bool(won), date_closed=date_closed)
        return cls.env["crm.lead"].with_context(sales_closed_loop_import=True).create(vals)

    def _row(self, min_sample):
        self.env["ir.config_parameter"].set_param(
            "sales_action_kb.effectiveness_min_sample", str(min_sample)
        )
        self.Effectiveness._refresh(self.kpi_action, today=TODAY)
        self.Effectiveness._update_ranks()
        return self.Effectiveness.search([("action_id", "=", self.kpi_action.id)])

    def test_hand_computed_counts(self):
        """Uses, leads touched and both groups match the hand count of the example."""
        row = self._row(min_sample=3)
        self.assertEqual(row.reference_stage_id, self.stages[1])
        self.assertEqual((row.use_count, row.lead_count), (7, 6))
        self.assertEqual((row.won_with_count, row.closed_with_count), (3, 4))
        self.assertEqual((row.won_without_count, row.closed_without_count), (1, 6))
        self.assertAlmostEqual(row.win_rate_with, 0.75)
        self.assertAlmostEqual(row.win_rate_without, 1 / 6)
        self.assertAlmostEqual(row.uplift, 0.75 - 1 / 6)

    def test_hand_computed_intervals(self):
        """The stored intervals are the Wilson intervals of 3/4 and 1/6, computed by hand."""
        row = self._row(min_sample=3)
        self.assertAlmostEqual(row.win_rate_with_low, 0.3006, places=4)
        self.assertAlmostEqual(row.win_rate_with_high, 0.9544, places=4)
        self.assertAlmostEqual(row.win_rate_without_low, 0.0301, places=4)
        self.assertAlmostEqual(row.win_rate_without_high, 0.5635, places=4)
        # Newcombe: 0.5833 - sqrt(0.4494² + 0.3968²) and 0.5833 + sqrt(0.2044² + 0.1366²).
        self.assertAlmostEqual(row.uplift_low, -0.0162, places=3)
        self.assertAlmostEqual(row.uplift_high, 0.8292, places=3)
        self.assertEqual(row.verdict, "unclear")
        self.assertEqual(row.rank, 1)

    def test_small_sample_guard(self):
        """Below the minimum number of closed leads the action is neither judged nor ranked."""
        row = self._row(min_sample=5)
        self.assertEqual(row.verdict, "insufficient")
        self.assertEqual(row.rank, 0)
        self.assertFalse(row.is_top)
        self.assertEqual(row.closed_with_count, 4)

    def test_archived_action_kept(self):
        """An archived action keeps its figures but leaves the top 20."""
        self.kpi_action.action_archive()
        row = self._row(min_sample=3)
        self.assertEqual(row.closed_with_count, 4)
        self.assertEqual(row.rank, 0)

    def test_stats_reference_values(self):
        """The helpers reproduce Newcombe's published example, 56/70 against 48/80."""
        difference, low, high = rate_difference_interval(56, 70, 48, 80)
        self.assertAlmostEqual(difference, 0.2)
        self.assertAlmostEqual(low, 0.0524, places=4)
        self.assertAlmostEqual(high, 0.3339, places=4)
        self.assertEqual(wilson_interval(0, 0), (0.0, 1.0))
        low, high = wilson_interval(0, 10)
        self.assertEqual(low, 0.0)
        self.assertAlmostEqual(high, 0.2775, places=4)

    def test_cron_batches(self):
        """The daily cron refreshes a bounded batch per run, logs a summary and then stops."""
        # Odoo names level 25 "INFO", so the standard level is passed as a number.
        total = self.env["sales.action"].with_context(active_test=False).search_count([])
        with (
            freeze_time(NOW),
            self.assertLogs(
                "odoo.addons.sales_action_kb.models.sales_action_effectiveness", level=logging.INFO
            ) as logs,
        ):
            self.Effectiveness._cron_refresh(batch_size=total - 1)
            self.assertEqual(self.Effectiveness.search_count([]), total - 1)
            self.Effectiveness._cron_refresh(batch_size=total - 1)
            self.Effectiveness._cron_refresh(batch_size=total - 1)
        self.assertEqual(self.Effectiveness.search_count([]), total)
        self.assertIn("1 left for the next run", logs.output[1])
        self.assertIn(": 0 refreshed", logs.output[-1])
        row = self.Effectiveness.search([("action_id", "=", self.kpi_action.id)])
        self.assertEqual(row.refreshed_on, TODAY)
        self.assertEqual(row.closed_with_count, 4)

    def test_rights(self):
        """Reps read the figures; only managers may refresh them, and nobody edits them."""
        self._row(min_sample=3)
        rows = self.Effectiveness.with_user(self.user_salesman).search([])
        self.assertTrue(rows)
        with self.assertRaises(AccessError):
            rows[:1].write({"rank": 5})
        with self.assertRaises(AccessError):
            self.Effectiveness.with_user(self.user_salesman).action_refresh_all()
        self.Effectiveness.with_user(self.user_manager).action_refresh_all()
