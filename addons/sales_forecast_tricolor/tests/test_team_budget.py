from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import ForecastCommon


@tagged("post_install", "-at_install")
class TestTeamBudget(ForecastCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "forecast_budget_threshold": 0.7,
                "forecast_budget_quarters": 2,
                "forecast_budget_cut": 0.15,
            }
        )
        cls.Budget = cls.env["sales.team.budget"]
        cls.budget = cls.Budget.create(
            {"team_id": cls.team.id, "quarter_start": date(2026, 7, 15), "planned_amount": 20000.0}
        )

    def _month_accuracy(self, month_start, forecast, actual):
        """Record a team accuracy row for a scheduled snapshot of that month."""
        with freeze_time(month_start):
            snapshot = self.env["sales.forecast.snapshot"]._take_snapshot(
                self.company, trigger="scheduled"
            )
        self.env["sales.forecast.accuracy"].create(
            {
                "snapshot_id": snapshot.id,
                "level": "team",
                "team_id": self.team.id,
                "forecast_amount": forecast,
                "actual_amount": actual,
            }
        )

    def _run_policy(self):
        with freeze_time("2026-07-01 01:00:00"):
            self.Budget._cron_apply_budget_policy()

    def test_quarter_start_normalised(self):
        """A budget entered with any day of the quarter starts on the quarter's first day."""
        self.assertEqual(self.budget.quarter_start, date(2026, 7, 1))
        self.assertAlmostEqual(self.budget.amount, 20000.0)

    def test_two_missed_quarters_cut(self):
        """Accuracy below 70% in Q1 and Q2 cuts the Q3 budget by 15%, with the reason logged."""
        # Q1: forecast 10000 against 5000 won scores 0%; Q2: 14000 against 10000 scores 60%.
        self._month_accuracy("2026-01-01", 6000.0, 3000.0)
        self._month_accuracy("2026-02-01", 4000.0, 2000.0)
        self._month_accuracy("2026-04-01", 14000.0, 10000.0)

        self._run_policy()

        self.assertEqual(self.budget.state, "cut")
        self.assertAlmostEqual(self.budget.amount, 17000.0)
        self.assertIn("60%", self.budget.policy_note)
        self.assertIn("0%", self.budget.policy_note)
        self.assertTrue(self.budget.message_ids.filtered(lambda m: "cut by 15%" in (m.body or "")))

    def test_one_good_quarter_keeps(self):
        """A quarter at or above the threshold keeps the budget."""
        self._month_accuracy("2026-01-01", 10000.0, 5000.0)
        self._month_accuracy("2026-04-01", 13000.0, 10000.0)

        self._run_policy()

        self.assertEqual(self.budget.state, "kept")
        self.assertAlmostEqual(self.budget.amount, 20000.0)

    def test_missing_quarter_keeps(self):
        """A quarter without snapshot data never counts as missed."""
        self._month_accuracy("2026-04-01", 30000.0, 10000.0)

        self._run_policy()

        self.assertEqual(self.budget.state, "kept")
        self.assertIn("no data", self.budget.policy_note)

    def test_policy_runs_once(self):
        """Running the quarter job again does not cut twice."""
        self._month_accuracy("2026-01-01", 10000.0, 5000.0)
        self._month_accuracy("2026-04-01", 30000.0, 10000.0)

        self._run_policy()
        self._run_policy()

        self.assertAlmostEqual(self.budget.amount, 17000.0)

    def test_configured_policy(self):
        """A company policy of one quarter and a 50% cut applies as set."""
        self.company.write({"forecast_budget_quarters": 1, "forecast_budget_cut": 0.5})
        self._month_accuracy("2026-04-01", 30000.0, 10000.0)

        self._run_policy()

        self.assertAlmostEqual(self.budget.amount, 10000.0)

    def test_policy_settings_validated(self):
        """Thresholds and cuts outside 0 to 1, or zero quarters, are rejected."""
        for vals in (
            {"forecast_budget_threshold": 1.5},
            {"forecast_budget_cut": -0.1},
            {"forecast_budget_quarters": 0},
        ):
            with self.assertRaises(ValidationError):
                self.company.write(vals)

    def test_director_reverses_cut(self):
        """A sales manager reverses a cut with a reason; a salesman cannot."""
        self._month_accuracy("2026-01-01", 10000.0, 5000.0)
        self._month_accuracy("2026-04-01", 30000.0, 10000.0)
        self._run_policy()

        with self.assertRaises(AccessError):
            self.budget.with_user(self.user_salesman)._reverse_cut("Not fair")
        with self.assertRaises(UserError):
            self.budget.with_user(self.user_manager)._reverse_cut(" ")
        wizard = (
            self.env["sales.team.budget.reverse.wizard"]
            .with_user(self.user_manager)
            .create({"budget_id": self.budget.id, "reason": "Two reps left mid-quarter."})
        )
        wizard.action_confirm()

        self.assertEqual(self.budget.state, "reversed")
        self.assertAlmostEqual(self.budget.amount, 20000.0)
        self.assertTrue(
            self.budget.message_ids.filtered(lambda m: "Two reps left" in (m.body or ""))
        )

    def test_planned_amount_final_after_policy(self):
        """The planned budget cannot change once the policy ran."""
        self._run_policy()

        with self.assertRaises(UserError):
            self.budget.planned_amount = 30000.0
