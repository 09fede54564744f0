from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..models.crm_lead import OVERRIDE_CONTEXT_KEY
from .common import ClosedLoopCase


@tagged("post_install", "-at_install")
class TestGateOverride(ClosedLoopCase):
    def _wizard(self, user, leads, stage, reason="Budget confirmed by phone"):
        return (
            self.env["crm.lead.gate.override.wizard"]
            .with_user(user)
            .create({"lead_ids": [(6, 0, leads.ids)], "stage_id": stage.id, "reason": reason})
        )

    def test_manager_in_override_group(self):
        """Sales managers are in the override group, reps are not."""
        self.assertTrue(self.user_manager.has_group("sales_closed_loop.group_gate_override"))
        self.assertFalse(self.user_salesman.has_group("sales_closed_loop.group_gate_override"))
        self.assertFalse(self.user_all_leads.has_group("sales_closed_loop.group_gate_override"))

    def test_override_moves_and_logs(self):
        """An override moves the lead and records who, when, what and why."""
        wizard = self._wizard(self.user_manager, self.lead, self.stage_diagnosis)
        self.assertIn(self.type_pain_points.name, wizard.missing)

        wizard.action_confirm()

        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)
        log = self.env["crm.lead.gate.override"].search([("lead_id", "=", self.lead.id)])
        self.assertEqual(len(log), 1)
        self.assertEqual(log.user_id, self.user_manager)
        self.assertEqual(log.stage_from_id, self.stage_screening)
        self.assertEqual(log.stage_id, self.stage_diagnosis)
        self.assertEqual(log.reason, "Budget confirmed by phone")
        self.assertIn(self.type_pain_points.name, log.rules_skipped)
        self.assertTrue(self._history(self.lead)[-1].is_override)

    def test_override_posts_chatter(self):
        """The override is posted in the lead's chatter with its reason."""
        self._wizard(self.user_manager, self.lead, self.stage_diagnosis).action_confirm()

        bodies = self.lead.message_ids.mapped("body")
        self.assertTrue(any("Budget confirmed by phone" in str(body) for body in bodies))

    def test_override_rep_refused(self):
        """A sales rep cannot open or run the override."""
        with self.assertRaises(AccessError):
            self._wizard(self.user_salesman, self.lead, self.stage_diagnosis)
        with self.assertRaises(AccessError):
            self.lead.with_user(self.user_salesman).action_gate_override()

    def test_override_context_rep_ignored(self):
        """A rep who sets the override context still meets the gate."""
        lead = self.lead.with_user(self.user_salesman).with_context(
            **{OVERRIDE_CONTEXT_KEY: "I say so"}
        )

        with self.assertRaises(UserError):
            lead.write({"stage_id": self.stage_diagnosis.id})

        self.assertFalse(
            self.env["crm.lead.gate.override"]
            .search([])
            .filtered(lambda log: log.lead_id == self.lead)
        )

    def test_override_needs_reason(self):
        """An override without a reason is refused."""
        wizard = self._wizard(self.user_manager, self.lead, self.stage_diagnosis, reason=" ")

        with self.assertRaises(UserError):
            wizard.action_confirm()

    def test_override_cannot_move_lost(self):
        """An override does not move a lost lead."""
        self.lead.action_set_lost()

        with self.assertRaises(UserError):
            self._wizard(self.user_manager, self.lead, self.stage_diagnosis).action_confirm()

    def test_override_report_rights(self):
        """Managers read the override report; reps cannot."""
        self._wizard(self.user_manager, self.lead, self.stage_diagnosis).action_confirm()

        logs = self.env["crm.lead.gate.override"].with_user(self.user_manager).search([])
        self.assertIn(self.lead, logs.lead_id)
        with self.assertRaises(AccessError):
            self.env["crm.lead.gate.override"].with_user(self.user_salesman).search([])
