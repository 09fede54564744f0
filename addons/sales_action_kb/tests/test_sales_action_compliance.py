from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SalesActionCommon


@tagged("post_install", "-at_install")
class TestSalesActionCompliance(SalesActionCommon):
    """A hand-computed month, March 2031, for one team of two reps.

    Expected: two needs deep-dive uses in Needs Diagnosis, one objection
    handling use in Value Consensus. Rep A: lead 1 enters Needs Diagnosis, 3
    deep-dive uses (capped at 2): 2/2; lead 2 enters Needs Diagnosis, 2 uses:
    2/2; lead 2 enters Value Consensus, no objection handling: 0/1. Rep B:
    lead 3 enters Needs Diagnosis twice and gets only an objection-handling
    use there: 0/2; lead 4 entered Value Consensus in February, lead 5 entered
    Lead Screening, where nothing is expected. Totals: A deep-dive 4/4, A
    objection 0/1, A 4/5, B 0/2, team deep-dive 4/6, team 4/7.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        screening, diagnosis, _matching, consensus, _closing = cls.stages
        cls.env["sales.action.expectation"].search([]).action_archive()
        cls.env["sales.action.expectation"].create(
            [
                {"stage_id": diagnosis.id, "category": "needs_deep_dive", "expected_count": 2},
                {"stage_id": consensus.id, "category": "objection_handling"},
            ]
        )
        cls.rep_a = new_test_user(
            cls.env, login="kb_rep_a", name="Rep A", groups="sales_team.group_sale_salesman"
        )
        cls.rep_b = new_test_user(
            cls.env, login="kb_rep_b", name="Rep B", groups="sales_team.group_sale_salesman"
        )
        cls.team = cls.env["crm.team"].create({"name": "KB compliance team"})
        deep_dive = cls.env["sales.action"].create(
            {"code": "T301", "name": "Deep-dive test", "category": "needs_deep_dive"}
        )
        objection = cls.env["sales.action"].create(
            {"code": "T302", "name": "Objection test", "category": "objection_handling"}
        )
        leads = {
            number: cls.env["crm.lead"]
            .with_context(sales_closed_loop_import=True)
            .create(
                {
                    "name": f"Compliance lead {number}",
                    "type": "opportunity",
                    "user_id": user.id,
                    "team_id": cls.team.id,
                    "stage_id": screening.id,
                }
            )
            for number, user in [
                (1, cls.rep_a),
                (2, cls.rep_a),
                (3, cls.rep_b),
                (4, cls.rep_b),
                (5, cls.rep_b),
            ]
        }
        march = datetime(2031, 3, 10, 10, 0)
        cls.env["crm.lead.stage.history"].create(
            [
                {
                    "lead_id": leads[number].id,
                    "stage_id": stage.id,
                    "team_id": cls.team.id,
                    "user_id": leads[number].user_id.id,
                    "date_in": when,
                    "is_imported": True,
                }
                for number, stage, when in [
                    (1, diagnosis, march),
                    (2, diagnosis, march),
                    (2, consensus, datetime(2031, 3, 20)),
                    (3, diagnosis, march),
                    (3, diagnosis, datetime(2031, 3, 25)),
                    (4, consensus, datetime(2031, 2, 27)),
                    (5, screening, march),
                ]
            ]
        )
        cls.env["sales.action.usage"].create(
            [
                {
                    "action_id": action.id,
                    "lead_id": leads[number].id,
                    "stage_id": stage.id,
                    "user_id": leads[number].user_id.id,
                    "date": march,
                }
                for number, action, stage in [
                    (1, deep_dive, diagnosis),
                    (1, deep_dive, diagnosis),
                    (1, deep_dive, diagnosis),
                    (2, deep_dive, diagnosis),
                    (2, deep_dive, diagnosis),
                    (2, deep_dive, consensus),
                    (3, objection, diagnosis),
                    (4, objection, consensus),
                ]
            ]
        )
        cls.env["ir.config_parameter"].set_param("sales_action_kb.compliance_min_expected", "2")
        cls.Compliance = cls.env["sales.action.compliance"]

    def _figures(self, rows, user, category):
        row = rows.filtered(
            lambda r: r.team_id == self.team and r.user_id == user and r.category == category
        )
        self.assertEqual(len(row), 1)
        return row.done_count, row.expected_count, row.list_type

    def test_compliance_arithmetic(self):
        """Done, expected and the lists match the hand count of the example month."""
        rows = self.Compliance._compute_month(date(2031, 3, 15))
        self.assertEqual(set(rows.mapped("month")), {date(2031, 3, 1)})
        User = self.env["res.users"]
        self.assertEqual(self._figures(rows, self.rep_a, "needs_deep_dive"), (4, 4, "red"))
        self.assertEqual(self._figures(rows, self.rep_a, "objection_handling"), (0, 1, False))
        self.assertEqual(self._figures(rows, self.rep_a, False), (4, 5, "red"))
        self.assertEqual(self._figures(rows, self.rep_b, "needs_deep_dive"), (0, 2, "black"))
        self.assertEqual(self._figures(rows, self.rep_b, False), (0, 2, "black"))
        self.assertEqual(self._figures(rows, User, "needs_deep_dive"), (4, 6, False))
        self.assertEqual(self._figures(rows, User, False), (4, 7, False))
        team_total = rows.filtered(lambda r: r.is_team_total and not r.category)
        self.assertAlmostEqual(team_total.rate, 4 / 7)

    def test_team_expectation_replaces(self):
        """A team's own expectation (3 deep-dives) replaces the general one: A does 3 + 2 of 6."""
        self.env["sales.action.expectation"].create(
            {
                "stage_id": self.stages[1].id,
                "category": "needs_deep_dive",
                "expected_count": 3,
                "team_id": self.team.id,
            }
        )
        rows = self.Compliance._compute_month(date(2031, 3, 1))
        self.assertEqual(self._figures(rows, self.rep_a, "needs_deep_dive")[:2], (5, 6))

    def test_recompute_replaces(self):
        """Computing a month again replaces its rows instead of adding to them."""
        self.Compliance._compute_month(date(2031, 3, 1))
        rows = self.Compliance._compute_month(date(2031, 3, 1))
        self.assertEqual(
            self.Compliance.search_count([("month", "=", date(2031, 3, 1))]), len(rows)
        )

    def test_monthly_summary_posted(self):
        """The monthly cron computes last month and posts the team's red/black list on the team."""
        with freeze_time("2031-04-01 03:00:00"):
            self.Compliance._cron_compute_last_month()
        message = self.team.message_ids[:1]
        self.assertIn("2031-03", message.body)
        self.assertIn("4 of 7", message.body)
        self.assertIn("Red list: Rep A", message.body)
        self.assertIn("Black list: Rep B", message.body)

    def test_compliance_rights(self):
        """Reps read the red/black list; only managers set expectations and recompute."""
        self.Compliance._compute_month(date(2031, 3, 1))
        self.assertTrue(self.Compliance.with_user(self.rep_b).search([]))
        with self.assertRaises(AccessError):
            self.env["sales.action.expectation"].with_user(self.rep_b).create(
                {"stage_id": self.stages[0].id, "category": "closing"}
            )
        with self.assertRaises(AccessError):
            self.Compliance.with_user(self.rep_b).action_compute_last_month()
