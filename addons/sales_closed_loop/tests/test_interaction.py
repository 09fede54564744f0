from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .silence_common import MONDAY, SilenceCase

RAW_REPLY = """\
From: Wang Li <wang.li@harbour.example>
To: sales@example.com
Subject: Re: Harbour Logistics upgrade
Message-Id: <{message_id}@harbour.example>
Date: Tue, 08 Jan 2030 02:00:00 +0000
{extra_headers}Content-Type: text/plain; charset="utf-8"

{body}
"""


# The Date header of RAW_REPLY.
REPLY_DATE = MONDAY + timedelta(hours=25)


@tagged("post_install", "-at_install")
class TestInteraction(SilenceCase):
    def _process_email(self, message_id, extra_headers="", body="Thanks, we will call you."):
        raw = RAW_REPLY.format(message_id=message_id, extra_headers=extra_headers, body=body)
        return self.env["mail.thread"].message_process("crm.lead", raw, thread_id=self.lead.id)

    def test_customer_email_counts(self):
        """An email from the customer's contact moves the reply and interaction dates."""
        moment = MONDAY + timedelta(hours=5)
        with freeze_time(moment):
            self._post_from_customer(self.lead)
        self.assertEqual(self.lead.last_customer_reply_date, moment)
        self.assertEqual(self.lead.last_interaction_date, moment)
        self.assertEqual(self.lead.last_outbound_date, MONDAY)
        self.assertEqual(self.lead.interaction_ids.kind, "email_in")

    def test_colleague_of_contact_counts(self):
        """A reply from another contact of the same company counts as the customer's."""
        moment = MONDAY + timedelta(hours=6)
        with freeze_time(moment):
            self._post_from_customer(self.lead, partner=self.contact_other)
        self.assertEqual(self.lead.last_customer_reply_date, moment)

    def test_stranger_email_ignored(self):
        """An email from someone outside the customer's company does not count."""
        with freeze_time(MONDAY + timedelta(hours=6)):
            self._post_from_customer(self.lead, partner=self.stranger)
        self.assertFalse(self.lead.last_customer_reply_date)
        self.assertEqual(self.lead.last_interaction_date, MONDAY)

    def test_outbound_message_counts(self):
        """A message of the salesperson addressed to the customer moves the outbound date."""
        moment = MONDAY + timedelta(hours=7)
        with freeze_time(moment):
            self._post_to_customer(self.lead)
        self.assertEqual(self.lead.last_outbound_date, moment)
        self.assertEqual(self.lead.last_interaction_date, moment)
        self.assertFalse(self.lead.last_customer_reply_date)

    def test_note_ignored(self):
        """An internal note is not an interaction."""
        with freeze_time(MONDAY + timedelta(hours=7)):
            self.lead.with_user(self.user_salesman).message_post(
                body="Called reception, nobody there.",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                partner_ids=self.contact.ids,
            )
        self.assertEqual(self.lead.last_interaction_date, MONDAY)
        self.assertFalse(self.lead.interaction_ids)

    def test_field_edit_ignored(self):
        """Editing tracked fields of the lead is not an interaction."""
        with freeze_time(MONDAY + timedelta(hours=7)):
            self.lead.with_user(self.user_salesman).write(
                {"expected_revenue": 99000, "priority": "2"}
            )
            self.env.flush_all()
        self.assertEqual(self.lead.last_interaction_date, MONDAY)
        self.assertFalse(self.lead.interaction_ids)

    def test_gateway_reply_counts(self):
        """A reply received by the mail gateway counts at the date the customer sent it."""
        with freeze_time(MONDAY + timedelta(hours=30)):
            self._process_email("reply-1")
        self.assertEqual(self.lead.last_customer_reply_date, REPLY_DATE)

    def test_auto_reply_ignored(self):
        """An out-of-office reply marked Auto-Submitted is not an interaction."""
        with freeze_time(MONDAY + timedelta(hours=30)):
            self._process_email(
                "ooo-1", extra_headers="Auto-Submitted: auto-replied\n", body="I am out of office."
            )
        message = self.lead.message_ids.filtered(lambda message: "out of office" in message.body)
        self.assertTrue(message.is_auto_submitted)
        self.assertFalse(self.lead.last_customer_reply_date)

    def test_auto_submitted_no_counts(self):
        """An Auto-Submitted header set to "no" marks a message written by a person."""
        with freeze_time(MONDAY + timedelta(hours=30)):
            self._process_email("human-1", extra_headers="Auto-Submitted: no\n")
        self.assertEqual(self.lead.last_customer_reply_date, REPLY_DATE)

    def test_call_done_counts(self):
        """Marking a call activity done counts, even when done activities are kept."""
        call_type = self.env.ref("mail.mail_activity_data_call")
        call_type.keep_done = True
        with freeze_time(MONDAY + timedelta(hours=1)):
            activity = self.lead.activity_schedule(
                "mail.mail_activity_data_call", user_id=self.user_salesman.id
            )
        self.assertEqual(self.lead.last_interaction_date, MONDAY, "planning counts as nothing")
        moment = MONDAY + timedelta(hours=9)
        with freeze_time(moment):
            activity.with_user(self.user_salesman).action_feedback(feedback="Reached Mr Wang.")
        self.assertEqual(self.lead.last_interaction_date, moment)
        self.assertEqual(self.lead.last_customer_reply_date, moment)
        self.assertEqual(self.lead.interaction_ids.activity_type_id, call_type)

    def test_meeting_activity_counts(self):
        """Marking a meeting activity done counts; its type is deleted when done."""
        moment = MONDAY + timedelta(hours=9)
        activity = self.lead.activity_schedule(
            "mail.mail_activity_data_meeting", user_id=self.user_salesman.id
        )
        with freeze_time(moment):
            activity.action_done()
        self.assertEqual(self.lead.last_interaction_date, moment)

    def test_todo_done_ignored(self):
        """A to-do activity done does not count until its type is configured to count."""
        todo_type = self.env.ref("mail.mail_activity_data_todo")
        with freeze_time(MONDAY + timedelta(hours=9)):
            self.lead.activity_schedule(
                "mail.mail_activity_data_todo", user_id=self.user_salesman.id
            ).action_done()
        self.assertEqual(self.lead.last_interaction_date, MONDAY)

        todo_type.counts_as_interaction = True
        moment = MONDAY + timedelta(hours=10)
        with freeze_time(moment):
            self.lead.activity_schedule(
                "mail.mail_activity_data_todo", user_id=self.user_salesman.id
            ).action_done()
        self.assertEqual(self.lead.last_interaction_date, moment)

    def test_message_types_configurable(self):
        """Message types left out of the system parameter do not count."""
        self.env["ir.config_parameter"].sudo().set_param(
            "sales_closed_loop.interaction_message_types", "email"
        )
        with freeze_time(MONDAY + timedelta(hours=7)):
            self._post_to_customer(self.lead)
        self.assertEqual(self.lead.last_outbound_date, MONDAY)

    def test_meeting_held_counts(self):
        """A calendar meeting of the opportunity counts once it has ended, and once only."""
        start = MONDAY + timedelta(hours=24)
        event = self.env["calendar.event"].create(
            {
                "name": "Site visit",
                "start": start,
                "stop": start + timedelta(hours=1),
                "opportunity_id": self.lead.id,
                "partner_ids": [(4, self.contact.id)],
            }
        )
        with freeze_time(start + timedelta(minutes=30)):
            self.env["calendar.event"]._interaction_register_ended()
        self.assertEqual(self.lead.last_interaction_date, MONDAY, "a meeting in progress")

        with freeze_time(start + timedelta(hours=2)):
            self.env["calendar.event"]._interaction_register_ended()
            self.env["calendar.event"]._interaction_register_ended()
        self.assertEqual(self.lead.last_interaction_date, event.stop)
        self.assertEqual(len(self.lead.interaction_ids), 1)

    def test_silence_writes_ignored(self):
        """Messages written by the silence automation never count."""
        with freeze_time(MONDAY + timedelta(hours=7)):
            self.lead.with_context(sales_closed_loop_silence_write=True).message_post(
                body="Escalated.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=self.contact.ids,
            )
        self.assertEqual(self.lead.last_interaction_date, MONDAY)

    def test_older_interaction_keeps_date(self):
        """An interaction older than the stored date is logged without moving the ledger."""
        moment = MONDAY + timedelta(hours=10)
        with freeze_time(moment):
            self._post_from_customer(self.lead)
        with freeze_time(MONDAY + timedelta(hours=11)):
            self._post_from_customer(self.lead, date=MONDAY + timedelta(hours=2))
        self.assertEqual(self.lead.last_customer_reply_date, moment)
        self.assertEqual(len(self.lead.interaction_ids), 2)

    def test_reply_unreadable_counts(self):
        """A reply counts even when posted where the acting user cannot read the lead."""
        moment = MONDAY + timedelta(hours=12)
        lead_other = self.lead_other
        lead_other.partner_id = self.contact
        with freeze_time(moment):
            # The mail gateway posts as the superuser; the rep of self.lead
            # cannot read lead_other, yet the ledger is updated.
            self.env["mail.message"].with_user(self.user_salesman).sudo().create(
                {
                    "model": "crm.lead",
                    "res_id": lead_other.id,
                    "message_type": "email",
                    "author_id": self.contact.id,
                    "body": "Following up.",
                    "subtype_id": self.env.ref("mail.mt_comment").id,
                }
            )
        self.assertEqual(lead_other.last_customer_reply_date, moment)

    def test_interaction_rights(self):
        """Reps read the interactions of their own leads only and cannot write them."""
        with freeze_time(MONDAY + timedelta(hours=5)):
            self._post_from_customer(self.lead)
        interaction = self.lead.interaction_ids
        Interaction = self.env["crm.lead.interaction"]
        self.assertIn(interaction, Interaction.with_user(self.user_salesman).search([]))
        self.assertNotIn(interaction, Interaction.with_user(self.user_salesman_other).search([]))
        self.assertIn(interaction, Interaction.with_user(self.user_all_leads).search([]))
        with self.assertRaises(AccessError):
            interaction.with_user(self.user_salesman).write({"kind": "call"})
