from odoo.tests import tagged

from .common import ClosedLoopCase


@tagged("post_install", "-at_install")
class TestStageHistory(ClosedLoopCase):
    def test_history_on_create(self):
        """Creating a lead opens a history row for its first stage."""
        history = self._history(self.lead)

        self.assertEqual(len(history), 1)
        self.assertEqual(history.stage_id, self.stage_screening)
        self.assertEqual(history.team_id, self.team)
        self.assertEqual(history.user_id, self.user_salesman)
        self.assertTrue(history.date_in)
        self.assertFalse(history.date_out)
        self.assertFalse(history.is_imported)

    def test_history_on_move(self):
        """A stage change closes the open row and opens one for the new stage."""
        self._add_evidence(self.lead, self.type_pain_points)

        self.lead.with_user(self.user_salesman).write({"stage_id": self.stage_diagnosis.id})

        history = self._history(self.lead)
        self.assertEqual(history.stage_id, self.stage_screening | self.stage_diagnosis)
        screening_row = history.filtered(lambda row: row.stage_id == self.stage_screening)
        diagnosis_row = history.filtered(lambda row: row.stage_id == self.stage_diagnosis)
        self.assertTrue(screening_row.date_out)
        self.assertFalse(diagnosis_row.date_out)
        self.assertEqual(diagnosis_row.create_uid, self.user_salesman)

    def test_history_batch_move(self):
        """A write on several leads opens one row per lead."""
        leads = self.lead | self.lead_other
        for lead in leads:
            self._add_evidence(lead, self.type_pain_points)

        leads.write({"stage_id": self.stage_diagnosis.id})

        for lead in leads:
            open_rows = self._history(lead).filtered(lambda row: not row.date_out)
            self.assertEqual(open_rows.stage_id, self.stage_diagnosis)

    def test_history_same_stage_no_row(self):
        """Writing the stage a lead already has adds no row."""
        self.lead.write({"stage_id": self.stage_screening.id})

        self.assertEqual(len(self._history(self.lead)), 1)

    def test_history_other_write_no_row(self):
        """Changes that leave the stage alone add no row."""
        self.lead.write({"expected_revenue": 12000, "priority": "2"})

        self.assertEqual(len(self._history(self.lead)), 1)


@tagged("post_install", "-at_install")
class TestStageHistoryDetails(ClosedLoopCase):
    def test_history_from_and_duration(self):
        """A move records the stage left, the mover and the time in the previous stage."""
        first_row = self._history(self.lead)
        first_row.date_in = "2026-01-01 08:00:00"
        self._add_evidence(self.lead, self.type_pain_points)

        self.lead.with_user(self.user_salesman).write({"stage_id": self.stage_diagnosis.id})

        row = self._history(self.lead).filtered(lambda r: r.stage_id == self.stage_diagnosis)
        self.assertEqual(row.stage_from_id, self.stage_screening)
        self.assertEqual(row.moved_by_id, self.user_salesman)
        self.assertEqual(row.team_id, self.team)
        self.assertGreater(row.previous_duration_days, 1)
        self.assertFalse(row.is_override)

    def test_history_not_on_salesperson_change(self):
        """Changing only the salesperson adds no history row."""
        self.lead.write({"user_id": self.user_salesman_other.id})

        self.assertEqual(len(self._history(self.lead)), 1)

    def test_history_rebuilt_from_tracking(self):
        """The install rebuild turns stage tracking of existing leads into history rows."""
        lead = self._create_lead("Tracked Past Co", self.user_salesman)
        importer = lead.with_context(sales_closed_loop_import=True)
        # Tracking runs at commit: finish the creation's before the moves.
        self.env.flush_all()
        self.env.cr.precommit.run()
        for stage in (self.stage_diagnosis, self.stage_matching):
            importer.write({"stage_id": stage.id})
            self.env.flush_all()
            self.env.cr.precommit.run()
        self.env["crm.lead.stage.history"].search([("lead_id", "=", lead.id)]).unlink()

        self.env["crm.lead.stage.history"]._rebuild_from_tracking(lead)

        rows = self._history(lead)
        self.assertEqual(
            rows.mapped("stage_id"),
            self.stage_screening | self.stage_diagnosis | self.stage_matching,
        )
        self.assertEqual(rows[1].stage_from_id, self.stage_screening)
        self.assertEqual(rows[0].date_out, rows[1].date_in)
        self.assertFalse(rows[2].date_out)

    def test_history_rebuild_maps_deleted_stages(self):
        """Stays in a deleted stage are read as the stage the map names."""
        lead = self._create_lead("Mapped Past Co", self.user_salesman)

        self.env["crm.lead.stage.history"]._rebuild_from_tracking(
            lead, {999999: self.stage_screening.id}
        )

        rows = self._history(lead)
        self.assertEqual(rows.stage_id, self.stage_screening)
        self.assertFalse(rows.date_out)

    def test_history_demo_lead_rebuilt(self):
        """A lead that existed before install has history rows after it."""
        lead = self.env.ref("crm.crm_case_1", raise_if_not_found=False)
        if not lead:
            self.skipTest("crm demo data is not installed")

        self.assertTrue(self._history(lead))
