from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import ClosedLoopCase


@tagged("post_install", "-at_install")
class TestStageFlowReport(ClosedLoopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["crm.lead.stage.flow.report"]

    def _set_stays(self, lead, stays):
        """Replace the history of ``lead`` with ``stays``, a list of (stage, date_in, date_out)."""
        History = self.env["crm.lead.stage.history"].sudo()
        History.search([("lead_id", "=", lead.id)]).unlink()
        History.create(
            [
                {
                    "lead_id": lead.id,
                    "stage_id": stage.id,
                    "team_id": lead.team_id.id,
                    "user_id": lead.user_id.id,
                    "date_in": date_in,
                    "date_out": date_out,
                }
                for stage, date_in, date_out in stays
            ]
        )
        self.env.flush_all()

    def _rows(self, lead, user=None):
        report = self.Report.with_user(user) if user else self.Report
        return report.search([("lead_id", "=", lead.id)], order="date_in, id")

    def test_flow_entries_per_month(self):
        """Leads entering a stage are counted per stage and month of entry."""
        lead_third = self._create_lead("Northgate clinic tablets", self.user_salesman)
        self._set_stays(
            self.lead,
            [
                (self.stage_screening, datetime(2026, 1, 5), datetime(2026, 1, 9)),
                (self.stage_matching, datetime(2026, 1, 9), None),
            ],
        )
        self._set_stays(self.lead_other, [(self.stage_matching, datetime(2026, 1, 20), None)])
        self._set_stays(lead_third, [(self.stage_matching, datetime(2026, 2, 3), None)])

        groups = self.Report._read_group(
            [("lead_id", "in", (self.lead | self.lead_other | lead_third).ids)],
            ["stage_id", "date_in:month"],
            ["entry_count:sum"],
        )
        counts = {(stage, month.strftime("%Y-%m")): count for stage, month, count in groups}
        self.assertEqual(counts[(self.stage_matching, "2026-01")], 2)
        self.assertEqual(counts[(self.stage_matching, "2026-02")], 1)
        self.assertEqual(counts[(self.stage_screening, "2026-01")], 1)
        self.assertEqual(len(counts), 3)

    def test_flow_dwell_closed(self):
        """A closed stay lasts the days between entering and leaving the stage."""
        self._set_stays(
            self.lead,
            [
                (self.stage_screening, datetime(2026, 1, 5, 8), datetime(2026, 1, 8, 20)),
                (self.stage_diagnosis, datetime(2026, 1, 8, 20), None),
            ],
        )

        screening_row, diagnosis_row = self._rows(self.lead)
        self.assertAlmostEqual(screening_row.dwell_days, 3.5, places=6)
        self.assertFalse(screening_row.is_open)
        self.assertTrue(diagnosis_row.is_open)
        self.assertEqual(diagnosis_row.outcome, "open")

    def test_flow_dwell_open(self):
        """An open stay lasts from entering the stage until the report is read."""
        self.env.cr.execute("SELECT NOW() AT TIME ZONE 'UTC'")
        sql_now = self.env.cr.fetchone()[0]
        self._set_stays(self.lead, [(self.stage_matching, sql_now - timedelta(days=2), None)])

        row = self._rows(self.lead)
        self.assertAlmostEqual(row.dwell_days, 2.0, places=4)
        self.assertTrue(row.is_open)

    def test_flow_dwell_future_start(self):
        """An open stay dated in the future, a mistyped import date, counts 0 days."""
        self.env.cr.execute("SELECT NOW() AT TIME ZONE 'UTC'")
        sql_now = self.env.cr.fetchone()[0]
        self._set_stays(self.lead, [(self.stage_matching, sql_now + timedelta(days=3), None)])

        row = self._rows(self.lead)
        self.assertEqual(row.dwell_days, 0.0)
        self.assertFalse(row.is_over_threshold)

    def test_flow_outcome_forward_back(self):
        """A move to a later stage is forward and a move to an earlier stage is back."""
        self._set_stays(
            self.lead,
            [
                (self.stage_diagnosis, datetime(2026, 1, 1), datetime(2026, 1, 3)),
                (self.stage_matching, datetime(2026, 1, 3), datetime(2026, 1, 6)),
                (self.stage_diagnosis, datetime(2026, 1, 6), datetime(2026, 1, 7)),
                (self.stage_matching, datetime(2026, 1, 7), datetime(2026, 1, 9)),
                (self.stage_consensus, datetime(2026, 1, 9), None),
            ],
        )

        rows = self._rows(self.lead)
        self.assertEqual(rows.mapped("outcome"), ["forward", "back", "forward", "forward", "open"])
        self.assertEqual(rows[1].next_stage_id, self.stage_diagnosis)
        self.assertEqual(rows.mapped("back_rate"), [0.0, 100.0, 0.0, 0.0, 0.0])

    def test_flow_outcome_lost(self):
        """A lead lost while in a stage gives that stay the outcome lost."""
        self._set_stays(
            self.lead,
            [
                (self.stage_screening, datetime(2026, 1, 1), datetime(2026, 1, 2)),
                (self.stage_matching, datetime(2026, 1, 2), None),
            ],
        )
        self.lead.action_set_lost()
        self.env.flush_all()

        screening_row, matching_row = self._rows(self.lead)
        self.assertEqual(screening_row.outcome, "forward")
        self.assertEqual(matching_row.outcome, "lost")
        self.assertEqual(matching_row.lost_rate, 100.0)
        self.assertTrue(matching_row.is_open)

    def test_flow_outcome_won(self):
        """The stay that ends in the won stage and the stay in the won stage are won."""
        self._set_stays(
            self.lead,
            [
                (self.stage_closing, datetime(2026, 1, 1), datetime(2026, 1, 4)),
                (self.stage_won, datetime(2026, 1, 4), None),
            ],
        )

        closing_row, won_row = self._rows(self.lead)
        self.assertEqual(closing_row.outcome, "won")
        self.assertEqual(closing_row.forward_rate, 100.0)
        self.assertEqual(won_row.outcome, "won")

    def test_flow_over_threshold(self):
        """A stay longer than its stage's threshold is flagged, and a stage without one never is."""
        self.assertEqual(self.stage_matching.flow_threshold_days, 5)
        self.assertEqual(self.stage_screening.flow_threshold_days, 0)
        self._set_stays(
            self.lead,
            [
                (self.stage_screening, datetime(2026, 1, 1), datetime(2026, 1, 21)),
                (self.stage_matching, datetime(2026, 1, 21), datetime(2026, 1, 27)),
                (self.stage_diagnosis, datetime(2026, 1, 27), datetime(2026, 1, 28)),
                (self.stage_matching, datetime(2026, 1, 28), datetime(2026, 2, 1)),
                (self.stage_consensus, datetime(2026, 2, 1), None),
            ],
        )

        rows = self._rows(self.lead)
        self.assertEqual(rows.mapped("is_over_threshold"), [False, True, False, False, False])
        self.assertEqual(rows[1].over_threshold_rate, 100.0)

        self.stage_matching.flow_threshold_days = 3
        self.env.flush_all()
        self.Report.invalidate_model()
        self.assertTrue(rows[3].is_over_threshold)

    def test_flow_rights_salesman(self):
        """A salesman sees the rows of his own leads only, a user with all leads sees all."""
        self._set_stays(self.lead, [(self.stage_screening, datetime(2026, 1, 1), None)])
        self._set_stays(self.lead_other, [(self.stage_screening, datetime(2026, 1, 1), None)])
        leads = self.lead | self.lead_other

        own_rows = self.Report.with_user(self.user_salesman).search([("lead_id", "in", leads.ids)])
        self.assertEqual(own_rows.lead_id, self.lead)
        all_rows = self.Report.with_user(self.user_all_leads).search([("lead_id", "in", leads.ids)])
        self.assertEqual(all_rows.lead_id, leads)

    def test_flow_rights_lost_lead(self):
        """A salesman still sees the rows of his own lost lead."""
        self._set_stays(self.lead, [(self.stage_matching, datetime(2026, 1, 1), None)])
        self.lead.action_set_lost()
        self.env.flush_all()

        rows = self._rows(self.lead, user=self.user_salesman)
        self.assertEqual(rows.outcome, "lost")

    def test_flow_real_moves(self):
        """Stays written by the stage gate on real moves show up with their outcomes."""
        self._walk_to(self.lead, self.stage_matching)
        self.env.flush_all()

        rows = self._rows(self.lead)
        self.assertEqual(
            rows.stage_id, self.stage_screening | self.stage_diagnosis | self.stage_matching
        )
        self.assertEqual(rows.mapped("outcome"), ["forward", "forward", "open"])
        self.assertEqual(rows.mapped("team_id"), self.team)
        self.assertEqual(rows.mapped("user_id"), self.user_salesman)

    def test_flow_imported_history(self):
        """Imported stays are read like others and keep their original dates."""
        History = self.env["crm.lead.stage.history"].sudo()
        History.search([("lead_id", "=", self.lead.id)]).unlink()
        History.create(
            [
                {
                    "lead_id": self.lead.id,
                    "stage_id": self.stage_consensus.id,
                    "date_in": datetime(2025, 11, 3),
                    "date_out": datetime(2025, 11, 13),
                    "is_imported": True,
                },
                {
                    "lead_id": self.lead.id,
                    "stage_id": self.stage_matching.id,
                    "date_in": datetime(2025, 11, 13),
                    "is_imported": True,
                },
            ]
        )
        self.env.flush_all()

        consensus_row, matching_row = self._rows(self.lead)
        self.assertTrue(consensus_row.is_imported)
        self.assertAlmostEqual(consensus_row.dwell_days, 10.0, places=6)
        self.assertEqual(consensus_row.outcome, "back")
        self.assertTrue(matching_row.is_open)

    def test_flow_reentry_counts_twice(self):
        """A lead entering a stage twice in a month counts as two entries of that stage."""
        self._set_stays(
            self.lead,
            [
                (self.stage_matching, datetime(2026, 3, 2), datetime(2026, 3, 4)),
                (self.stage_diagnosis, datetime(2026, 3, 4), datetime(2026, 3, 5)),
                (self.stage_matching, datetime(2026, 3, 5), datetime(2026, 3, 12)),
                (self.stage_consensus, datetime(2026, 3, 12), None),
            ],
        )

        groups = self.Report._read_group(
            [("lead_id", "=", self.lead.id), ("stage_id", "=", self.stage_matching.id)],
            ["date_in:month"],
            ["entry_count:sum", "dwell_days:sum"],
        )
        self.assertEqual(len(groups), 1)
        _month, entries, dwell = groups[0]
        self.assertEqual(entries, 2)
        self.assertAlmostEqual(dwell, 9.0, places=6)
        matching_rows = self._rows(self.lead).filtered(
            lambda row: row.stage_id == self.stage_matching
        )
        self.assertEqual(matching_rows.mapped("outcome"), ["back", "forward"])

    def test_flow_stage_renamed_folded(self):
        """Renaming or folding a stage later keeps its stays, under the new name."""
        self._set_stays(
            self.lead,
            [
                (self.stage_matching, datetime(2026, 1, 5), datetime(2026, 1, 12)),
                (self.stage_consensus, datetime(2026, 1, 12), None),
            ],
        )
        self.stage_matching.write({"name": "Solution Fit", "fold": True})
        self.env.flush_all()

        matching_row, consensus_row = self._rows(self.lead)
        self.assertEqual(matching_row.stage_id, self.stage_matching)
        self.assertEqual(matching_row.stage_id.name, "Solution Fit")
        self.assertAlmostEqual(matching_row.dwell_days, 7.0, places=6)
        self.assertEqual(matching_row.outcome, "forward")
        self.assertEqual(consensus_row.outcome, "open")

    def test_flow_created_later_stage(self):
        """A lead that starts in a later stage has stays from that stage on, none before it."""
        lead = (
            self.env["crm.lead"]
            .with_context(sales_closed_loop_import=True)
            .create(
                {
                    "name": "Harbour crane retrofit",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "user_id": self.user_salesman.id,
                    "stage_id": self.stage_matching.id,
                }
            )
        )
        self._set_stays(
            lead,
            [
                (self.stage_matching, datetime(2026, 2, 2), datetime(2026, 2, 9)),
                (self.stage_consensus, datetime(2026, 2, 9), None),
            ],
        )

        rows = self._rows(lead)
        self.assertEqual(rows.stage_id, self.stage_matching | self.stage_consensus)
        self.assertEqual(rows.mapped("outcome"), ["forward", "open"])
        earlier = self.Report.search_count(
            [
                ("lead_id", "=", lead.id),
                ("stage_id", "in", (self.stage_screening | self.stage_diagnosis).ids),
            ]
        )
        self.assertEqual(earlier, 0)

    def test_flow_imported_lost(self):
        """An imported lost deal, whose last stay closed on the loss date, was lost there."""
        self._set_stays(
            self.lead,
            [(self.stage_diagnosis, datetime(2017, 3, 1), datetime(2017, 4, 12))],
        )
        self.lead.action_set_lost()
        self.env.flush_all()

        row = self._rows(self.lead)
        self.assertEqual(row.outcome, "lost")
        self.assertEqual(row.lost_rate, 100.0)
        self.assertAlmostEqual(row.dwell_days, 42.0, places=6)
