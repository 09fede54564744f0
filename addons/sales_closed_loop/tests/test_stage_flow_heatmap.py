from datetime import date, datetime

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ClosedLoopCase

# 2019 is before any demo history, so the cells contain the test stays only.
JANUARY = "2019-01"
FEBRUARY = "2019-02"


@tagged("post_install", "-at_install")
class TestStageFlowHeatmap(ClosedLoopCase):
    """Heat map grid over a small history, from January to March 2019.

    Solution Matching (threshold 5 days) in January contains four stays of
    the test team, of 7, 2, 3 and 10 days: lead A enters it twice (7 days
    then back, 2 days then forward), lead B stays 3 days and lead C 10 days.
    Lead H of the West team stays 1 day there. Leads A, C and H belong to
    the salesman, lead B to the other salesman. Lead E, lost, enters Lead
    Screening in February. Lead F belongs to another company.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["crm.lead.stage.flow.report"].with_context(tz="UTC")
        cls.team_west = cls.env["crm.team"].create({"name": "Closed-Loop West"})
        cls.lead_c = cls._create_lead("Northgate clinic tablets", cls.user_salesman)
        cls.lead_e = cls._create_lead("Lakeside school screens", cls.user_salesman)
        cls.lead_h = cls._create_lead(
            "Westbridge depot scanners", cls.user_salesman, team_id=cls.team_west.id
        )
        cls.company_other = cls.env["res.company"].create({"name": "Closed-Loop Overseas"})
        cls.lead_f = cls.env["crm.lead"].create(
            {
                "name": "Overseas port cranes",
                "type": "opportunity",
                "company_id": cls.company_other.id,
            }
        )

        cls._set_stays(
            cls.lead,
            [
                (cls.stage_screening, datetime(2019, 1, 5), datetime(2019, 1, 9)),
                (cls.stage_matching, datetime(2019, 1, 9), datetime(2019, 1, 16)),
                (cls.stage_diagnosis, datetime(2019, 1, 16), datetime(2019, 1, 18)),
                (cls.stage_matching, datetime(2019, 1, 18), datetime(2019, 1, 20)),
                (cls.stage_consensus, datetime(2019, 1, 20), None),
            ],
        )
        cls._set_stays(
            cls.lead_other,
            [
                (cls.stage_matching, datetime(2019, 1, 3), datetime(2019, 1, 6)),
                (cls.stage_consensus, datetime(2019, 1, 6), None),
            ],
        )
        cls._set_stays(
            cls.lead_c,
            [
                (cls.stage_matching, datetime(2019, 1, 10), datetime(2019, 1, 20)),
                (cls.stage_consensus, datetime(2019, 1, 20), None),
            ],
        )
        cls._set_stays(cls.lead_e, [(cls.stage_screening, datetime(2019, 2, 2), None)])
        cls.lead_e.action_set_lost()
        cls._set_stays(
            cls.lead_h,
            [
                (cls.stage_matching, datetime(2019, 1, 12), datetime(2019, 1, 13)),
                (cls.stage_consensus, datetime(2019, 1, 13), None),
            ],
        )
        # The other company's stay carries the test team, so the team filter
        # does not hide it: only the company rule may.
        cls._set_stays(
            cls.lead_f,
            [
                (cls.stage_matching, datetime(2019, 1, 12), datetime(2019, 1, 13)),
                (cls.stage_consensus, datetime(2019, 1, 13), None),
            ],
            team=cls.team,
        )
        cls.env.flush_all()

    @classmethod
    def _set_stays(cls, lead, stays, team=None):
        """Replace the history of ``lead`` with ``stays``, a list of (stage, date_in, date_out)."""
        History = cls.env["crm.lead.stage.history"].sudo()
        History.search([("lead_id", "=", lead.id)]).unlink()
        History.create(
            [
                {
                    "lead_id": lead.id,
                    "stage_id": stage.id,
                    "team_id": (team or lead.team_id).id,
                    "user_id": lead.user_id.id,
                    "date_in": date_in,
                    "date_out": date_out,
                }
                for stage, date_in, date_out in stays
            ]
        )

    def _grid(self, user=None, **filters):
        """Return the heat map of January to March 2019 for the test team, read as ``user``."""
        report = self.Report.with_user(user) if user else self.Report
        filters.setdefault("team_ids", [self.team.id])
        return report.get_heatmap_data(date(2019, 1, 1), date(2019, 3, 31), **filters)

    def _cell(self, grid, stage, month):
        row = next(row for row in grid["stages"] if row["id"] == stage.id)
        return next(cell for cell in row["cells"] if cell["month"] == month)

    def test_heatmap_median_even(self):
        """Four stays of 7, 2, 3 and 10 days give a median of 5 and an average of 5.5."""
        cell = self._cell(self._grid(self.user_manager), self.stage_matching, JANUARY)

        self.assertEqual(cell["entry_count"], 4)
        self.assertAlmostEqual(cell["median_dwell"], 5.0, places=6)
        self.assertAlmostEqual(cell["avg_dwell"], 5.5, places=6)
        self.assertAlmostEqual(cell["over_threshold_share"], 50.0, places=6)
        self.assertAlmostEqual(cell["forward_share"], 75.0, places=6)
        self.assertAlmostEqual(cell["back_share"], 25.0, places=6)
        self.assertAlmostEqual(cell["lost_share"], 0.0, places=6)
        self.assertEqual(cell["lead_ids"], sorted((self.lead | self.lead_other | self.lead_c).ids))

    def test_heatmap_empty_month(self):
        """Months without stays are empty cells, and the pipeline stages are rows in order."""
        grid = self._grid(self.user_manager)

        self.assertEqual(grid["months"], ["2019-01", "2019-02", "2019-03"])
        cell = self._cell(grid, self.stage_matching, FEBRUARY)
        self.assertEqual(cell["entry_count"], 0)
        self.assertIsNone(cell["median_dwell"])
        self.assertIsNone(cell["avg_dwell"])
        self.assertEqual(cell["lead_ids"], [])
        self.assertEqual(
            [row["id"] for row in grid["stages"]][:5],
            [
                self.stage_screening.id,
                self.stage_diagnosis.id,
                self.stage_matching.id,
                self.stage_consensus.id,
                self.stage_closing.id,
            ],
        )
        closing_cells = self._cell(grid, self.stage_closing, JANUARY)
        self.assertEqual(closing_cells["entry_count"], 0)

    def test_heatmap_reentry(self):
        """A lead entering a stage twice in a month counts as two entries."""
        grid = self._grid(self.user_manager, user_ids=[self.user_salesman.id])

        cell = self._cell(grid, self.stage_matching, JANUARY)
        self.assertEqual(cell["entry_count"], 3)
        self.assertEqual(cell["lead_ids"], sorted((self.lead | self.lead_c).ids))

    def test_heatmap_lost(self):
        """A lead lost while in a stage makes that stage's month fully lost."""
        cell = self._cell(self._grid(self.user_manager), self.stage_screening, FEBRUARY)

        self.assertEqual(cell["entry_count"], 1)
        self.assertAlmostEqual(cell["lost_share"], 100.0, places=6)
        self.assertAlmostEqual(cell["forward_share"], 0.0, places=6)
        self.assertEqual(cell["lead_ids"], self.lead_e.ids)

    def test_heatmap_no_threshold(self):
        """A stage without threshold has no share over threshold, even with stays."""
        grid = self._grid(self.user_manager)

        cell = self._cell(grid, self.stage_screening, JANUARY)
        self.assertEqual(cell["entry_count"], 1)
        self.assertIsNone(cell["over_threshold_share"])
        row = next(row for row in grid["stages"] if row["id"] == self.stage_matching.id)
        self.assertEqual(row["threshold_days"], 5)

    def test_heatmap_team_filter(self):
        """The team filter keeps the stays recorded with the chosen team."""
        grid = self._grid(self.user_manager, team_ids=[self.team_west.id])

        cell = self._cell(grid, self.stage_matching, JANUARY)
        self.assertEqual(cell["entry_count"], 1)
        self.assertEqual(cell["lead_ids"], self.lead_h.ids)
        team_ids = [team["id"] for team in grid["teams"]]
        self.assertIn(self.team.id, team_ids)
        self.assertIn(self.team_west.id, team_ids)

    def test_heatmap_team_users(self):
        """With a team picked, only the salespeople of its stays are listed, and a picked
        salesperson of another team stays listed."""
        grid = self._grid(self.user_manager, team_ids=[self.team_west.id])
        self.assertEqual([user["id"] for user in grid["users"]], self.user_salesman.ids)

        grid = self._grid(
            self.user_manager,
            team_ids=[self.team_west.id],
            user_ids=[self.user_salesman_other.id],
        )
        user_ids = {user["id"] for user in grid["users"]}
        self.assertEqual(user_ids, {self.user_salesman.id, self.user_salesman_other.id})

        grid = self._grid(self.user_manager, team_ids=[])
        self.assertIn(self.user_salesman_other.id, [user["id"] for user in grid["users"]])

    def test_heatmap_teams_union(self):
        """Two teams give the cells of the union of their stays, unlike either team alone."""
        grid = self._grid(self.user_manager, team_ids=[self.team.id, self.team_west.id])

        # The test team's stays of 7, 2, 3 and 10 days, and West's stay of 1 day.
        cell = self._cell(grid, self.stage_matching, JANUARY)
        self.assertEqual(cell["entry_count"], 5)
        self.assertAlmostEqual(cell["median_dwell"], 3.0, places=6)
        self.assertAlmostEqual(cell["avg_dwell"], 4.6, places=6)
        self.assertAlmostEqual(cell["over_threshold_share"], 40.0, places=6)
        self.assertEqual(
            cell["lead_ids"], sorted((self.lead | self.lead_other | self.lead_c | self.lead_h).ids)
        )
        for team in (self.team, self.team_west):
            single = self._cell(
                self._grid(self.user_manager, team_ids=[team.id]), self.stage_matching, JANUARY
            )
            self.assertNotEqual(single["median_dwell"], cell["median_dwell"], team.name)
            self.assertLess(single["entry_count"], cell["entry_count"], team.name)

    def test_heatmap_users_union(self):
        """Two salespeople give the cells of the union of their stays, unlike either alone."""
        both_teams = [self.team.id, self.team_west.id]
        grid = self._grid(
            self.user_manager,
            team_ids=both_teams,
            user_ids=[self.user_salesman.id, self.user_salesman_other.id],
        )

        # The salesman's stays of 7, 2, 10 and 1 days, and the other salesman's of 3 days.
        cell = self._cell(grid, self.stage_matching, JANUARY)
        self.assertEqual(cell["entry_count"], 5)
        self.assertAlmostEqual(cell["avg_dwell"], 4.6, places=6)
        salesman = self._cell(
            self._grid(self.user_manager, team_ids=both_teams, user_ids=[self.user_salesman.id]),
            self.stage_matching,
            JANUARY,
        )
        self.assertEqual(salesman["entry_count"], 4)
        self.assertAlmostEqual(salesman["avg_dwell"], 5.0, places=6)
        other = self._cell(
            self._grid(
                self.user_manager, team_ids=both_teams, user_ids=[self.user_salesman_other.id]
            ),
            self.stage_matching,
            JANUARY,
        )
        self.assertEqual(other["entry_count"], 1)
        self.assertAlmostEqual(other["avg_dwell"], 3.0, places=6)

    def test_heatmap_teams_and_user(self):
        """Teams and salespeople combine: a stay must match one team and one salesperson."""
        grid = self._grid(
            self.user_manager,
            team_ids=[self.team.id, self.team_west.id],
            user_ids=[self.user_salesman.id],
        )

        # The salesman's stays of 7, 2 and 10 days in the test team and of 1 day in West.
        cell = self._cell(grid, self.stage_matching, JANUARY)
        self.assertEqual(cell["entry_count"], 4)
        self.assertAlmostEqual(cell["median_dwell"], 4.5, places=6)
        self.assertEqual(cell["lead_ids"], sorted((self.lead | self.lead_c | self.lead_h).ids))
        one_team = self._cell(
            self._grid(self.user_manager, user_ids=[self.user_salesman.id]),
            self.stage_matching,
            JANUARY,
        )
        self.assertAlmostEqual(one_team["median_dwell"], 7.0, places=6)

    def test_heatmap_rights_teams(self):
        """A salesman who picks two teams still gets the stays of his own leads only."""
        grid = self._grid(self.user_salesman, team_ids=[self.team.id, self.team_west.id])

        cell = self._cell(grid, self.stage_matching, JANUARY)
        self.assertEqual(cell["entry_count"], 4)
        self.assertNotIn(self.lead_other.id, cell["lead_ids"])
        self.assertIn(self.lead_h.id, cell["lead_ids"])

    def test_heatmap_rights_salesman(self):
        """A salesman gets the stays of his own leads only, and only himself to filter on."""
        grid = self._grid(self.user_salesman)

        cell = self._cell(grid, self.stage_matching, JANUARY)
        self.assertEqual(cell["entry_count"], 3)
        self.assertNotIn(self.lead_other.id, cell["lead_ids"])
        user_ids = [user["id"] for user in grid["users"]]
        self.assertIn(self.user_salesman.id, user_ids)
        self.assertNotIn(self.user_salesman_other.id, user_ids)

    def test_heatmap_rights_company(self):
        """A stay of another company's lead is left out, even for a user with all leads."""
        cell = self._cell(self._grid(self.user_all_leads), self.stage_matching, JANUARY)
        self.assertEqual(cell["entry_count"], 4)
        self.assertNotIn(self.lead_f.id, cell["lead_ids"])

        cell_sudo = self._cell(self._grid(), self.stage_matching, JANUARY)
        self.assertEqual(cell_sudo["entry_count"], 5)
        self.assertIn(self.lead_f.id, cell_sudo["lead_ids"])

    def test_heatmap_timezone(self):
        """The month of a stay is the month in the user's timezone."""
        self._set_stays(
            self.lead_c,
            [
                (self.stage_closing, datetime(2019, 1, 31, 20), datetime(2019, 2, 3)),
                (self.stage_won, datetime(2019, 2, 3), None),
            ],
        )
        self.env.flush_all()

        utc_grid = self._grid(self.user_manager)
        self.assertEqual(self._cell(utc_grid, self.stage_closing, JANUARY)["entry_count"], 1)
        shanghai_grid = (
            self.Report.with_user(self.user_manager)
            .with_context(tz="Asia/Shanghai")
            .get_heatmap_data(date(2019, 1, 1), date(2019, 3, 31), team_ids=[self.team.id])
        )
        self.assertEqual(self._cell(shanghai_grid, self.stage_closing, JANUARY)["entry_count"], 0)
        self.assertEqual(self._cell(shanghai_grid, self.stage_closing, FEBRUARY)["entry_count"], 1)

    def test_heatmap_other_stage_row(self):
        """Another stage with stays is a row after the pipeline, and the won stage is left out."""
        review = self.env["crm.stage"].create({"name": "Procurement Review", "sequence": 90})
        self._set_stays(
            self.lead_c,
            [
                (self.stage_closing, datetime(2019, 1, 25), datetime(2019, 2, 3)),
                (review, datetime(2019, 2, 3), datetime(2019, 2, 10)),
                (self.stage_won, datetime(2019, 2, 10), None),
            ],
        )
        self.env.flush_all()

        grid = self._grid(self.user_manager)
        stage_ids = [row["id"] for row in grid["stages"]]
        self.assertEqual(stage_ids[-1], review.id)
        self.assertNotIn(self.stage_won.id, stage_ids)
        self.assertEqual(self._cell(grid, review, FEBRUARY)["entry_count"], 1)

    def test_heatmap_range_invalid(self):
        """A start after the end, more than 36 months or a date that is not one is rejected."""
        with self.assertRaises(UserError):
            self.Report.get_heatmap_data("2019-03-01", "2019-01-31")
        with self.assertRaises(UserError):
            self.Report.get_heatmap_data("2016-01-01", "2019-01-31")
        with self.assertRaises(UserError):
            self.Report.get_heatmap_data("2019-13-01", "2019-12-31")
        with self.assertRaises(UserError):
            self.Report.get_heatmap_data(False, "2019-12-31")

    def test_heatmap_range_max(self):
        """A range of exactly 36 months is accepted, with one column per month."""
        grid = self.Report.get_heatmap_data("2017-02-01", "2020-01-31")
        self.assertEqual(len(grid["months"]), 36)
        self.assertEqual(grid["months"][0], "2017-02")
        self.assertEqual(grid["months"][-1], "2020-01")

    def test_heatmap_has_history(self):
        """The grid reports whether the user can read any stay at all."""
        self.assertTrue(self._grid(self.user_manager)["has_history"])

        self.env["crm.lead.stage.history"].sudo().search([]).unlink()
        self.env.flush_all()
        grid = self._grid(self.user_manager)
        self.assertFalse(grid["has_history"])
        self.assertEqual(self._cell(grid, self.stage_matching, JANUARY)["entry_count"], 0)

    def test_heatmap_last_month(self):
        """The grid gives the month of the latest readable stay, won stages left out."""
        # Only the 2019 history of this test stays: the demo data has recent stays.
        History = self.env["crm.lead.stage.history"].sudo()
        History.search([("date_in", ">=", datetime(2019, 4, 1))]).unlink()
        self._set_stays(
            self.lead_c,
            [
                (self.stage_closing, datetime(2019, 2, 20), datetime(2019, 3, 5)),
                (self.stage_won, datetime(2019, 3, 5), None),
            ],
        )
        self.env.flush_all()

        self.assertEqual(self._grid(self.user_manager)["last_month"], "2019-02")
        History.search([]).unlink()
        self.env.flush_all()
        self.assertIsNone(self._grid(self.user_manager)["last_month"])
