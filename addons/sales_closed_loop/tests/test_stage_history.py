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
