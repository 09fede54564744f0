from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .silence_common import MONDAY, SilenceCase

ESCALATE_AT = MONDAY + timedelta(hours=72, minutes=1)


@tagged("post_install", "-at_install")
class TestExplanationFollowUp(SilenceCase):
    """The breaker's scheduled action follows up escalations left without an explanation."""

    def setUp(self):
        super().setUp()
        with freeze_time(ESCALATE_AT):
            self.env["crm.lead"]._cron_silence_breaker()
        self.escalation = self.env["crm.lead.escalation"].search([("lead_id", "=", self.lead.id)])
        self.assertEqual(len(self.escalation), 1)

    def _run(self, delta):
        with freeze_time(ESCALATE_AT + delta):
            return self.env["crm.lead"]._cron_silence_breaker()

    def _notes(self):
        """Return the lead's messages telling the manager the explanation is missing."""
        return self.lead.message_ids.filtered(
            lambda message: "did not explain" in (message.body or "")
        )

    def test_before_deadline(self):
        """At 1h59m after the escalation nothing happens."""
        counts = self._run(timedelta(hours=1, minutes=59))
        self.assertEqual(counts["unexplained"], 0)
        self.assertEqual(self.escalation.state, "pending")
        self.assertFalse(self._notes())

    def test_after_deadline(self):
        """At 2h01m the escalation is unexplained and the manager is mentioned on the lead."""
        counts = self._run(timedelta(hours=2, minutes=1))
        self.assertEqual(counts["unexplained"], 1)
        self.assertEqual(self.escalation.state, "unexplained")
        self.assertEqual(
            self.escalation.unexplained_date, ESCALATE_AT + timedelta(hours=2, minutes=1)
        )
        note = self._notes()
        self.assertEqual(len(note), 1)
        self.assertIn(self.user_manager.partner_id, note.partner_ids)
        self.assertTrue(
            self.escalation.message_ids.filtered(
                lambda message: "did not explain" in (message.body or "")
            )
        )
        self.assertEqual(self.lead.last_interaction_date, MONDAY, "the note is no interaction")

    def test_explained_in_time(self):
        """An explanation given within the delay never becomes unexplained."""
        with freeze_time(ESCALATE_AT + timedelta(hours=1)):
            self.escalation.with_user(self.user_salesman)._escalation_reply("Customer on leave")
        self._run(timedelta(hours=2, minutes=1))
        self._run(timedelta(hours=5))
        self.assertEqual(self.escalation.state, "explained")
        self.assertFalse(self._notes())

    def test_extension_in_time(self):
        """An extension requested within the delay never becomes unexplained."""
        with freeze_time(ESCALATE_AT + timedelta(hours=1)):
            self.escalation.with_user(self.user_salesman)._escalation_reply(
                "Tender decided next week", extension_hours=48
            )
        self._run(timedelta(hours=2, minutes=1))
        self.assertEqual(self.escalation.state, "extension_requested")
        self.assertFalse(self._notes())

    def test_run_twice_once(self):
        """Two runs after the deadline notify the manager once."""
        self._run(timedelta(hours=2, minutes=1))
        counts = self._run(timedelta(hours=2, minutes=6))
        self.assertEqual(counts["unexplained"], 0)
        self.assertEqual(len(self._notes()), 1)

    def test_late_explanation(self):
        """The previous salesperson may still explain after the escalation was marked."""
        self._run(timedelta(hours=2, minutes=1))
        with freeze_time(ESCALATE_AT + timedelta(hours=3)):
            self.escalation.with_user(self.user_salesman)._escalation_reply("Sorry, was ill")
        self.assertEqual(self.escalation.state, "explained")

    def test_archived_rule(self):
        """With the breaker rule archived, overdue escalations are not followed up."""
        self.env.ref("sales_closed_loop.base_automation_silence_breaker").active = False
        self._run(timedelta(hours=2, minutes=1))
        self.assertEqual(self.escalation.state, "pending")
