from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .silence_common import MONDAY, SilenceCase

DUE = MONDAY + timedelta(hours=72)


@tagged("post_install", "-at_install")
class TestBreaker(SilenceCase):
    def _run(self, moment=DUE + timedelta(minutes=1)):
        with freeze_time(moment):
            return self.env["crm.lead"]._cron_silence_breaker()

    def _escalations(self, lead=None):
        return self.env["crm.lead.escalation"].search([("lead_id", "=", (lead or self.lead).id)])

    def test_before_threshold(self):
        """A lead silent for 71h59m is not escalated."""
        self._run(MONDAY + timedelta(hours=71, minutes=59))
        self.assertEqual(self.lead.user_id, self.user_salesman)
        self.assertFalse(self._escalations())

    def test_after_threshold(self):
        """A lead silent for 72h01m is reassigned, logged and posted in the chatter."""
        counts = self._run(MONDAY + timedelta(hours=72, minutes=1))
        self.assertEqual(counts["done"], 1)
        self.assertEqual(counts["remaining"], 0)
        escalation = self._escalations()
        self.assertEqual(len(escalation), 1)
        self.assertEqual(escalation.old_user_id, self.user_salesman)
        self.assertEqual(escalation.new_user_id, self.user_salesman_other)
        self.assertEqual(escalation.rule, "round_robin")
        self.assertAlmostEqual(escalation.silence_hours, 72 + 1 / 60, places=3)
        self.assertEqual(self.lead.user_id, self.user_salesman_other)
        self.assertEqual(self.lead.team_id, self.team)
        self.assertTrue(
            self.lead.message_ids.filtered(lambda message: "escalated" in (message.body or ""))
        )
        self.assertEqual(self.lead.last_interaction_date, MONDAY, "escalation is no interaction")

    def test_chatter_note_leader_language(self):
        """The escalation note is written in the team leader's language."""
        self.user_manager.lang = "zh_CN"
        self._run()

        notes = self.lead.message_ids.filtered(
            lambda message: "静默线索已熔断" in (message.body or "")
        )
        self.assertEqual(len(notes), 1)
        self.assertIn("静默线索已熔断", self._escalations().message_ids[0].body)

    def test_run_twice_once(self):
        """Running the breaker twice escalates a lead once per silence."""
        self._run()
        self._run(DUE + timedelta(minutes=6))
        self._run(DUE + timedelta(hours=71))
        self.assertEqual(len(self._escalations()), 1)
        self.assertEqual(self.lead.silence_breaker_due_date, DUE + timedelta(minutes=1, hours=72))

    def test_won_lost_archived_untouched(self):
        """Won, lost and archived leads are never escalated."""
        won = self._create_lead("Won deal", self.user_salesman)
        won.sudo().with_context(sales_closed_loop_import=True).write(
            {"stage_id": self.stage_won.id}
        )
        lost = self._create_lead("Lost deal", self.user_salesman)
        lost.action_set_lost()
        archived = self._create_lead("Archived deal", self.user_salesman)
        archived.active = False
        for lead in won | lost | archived:
            self._reset_ledger(lead)
        self._run()
        self.assertFalse(
            self.env["crm.lead.escalation"].search([("lead_id", "in", (won | lost | archived).ids)])
        )
        self.assertEqual(
            (won | lost | archived).with_context(active_test=False).user_id, self.user_salesman
        )

    def test_round_robin_order(self):
        """Escalated leads go to the members in turn, never back to their owner."""
        second = self._create_lead("Second", self.user_salesman, partner_id=self.contact.id)
        self._reset_ledger(second, interaction=MONDAY + timedelta(minutes=1))
        self._run(DUE + timedelta(minutes=5))
        self.assertEqual(self.lead.user_id, self.user_salesman_other)
        self.assertEqual(second.user_id, self.user_rep_3)
        self.assertEqual(self.team.silence_last_user_id, self.user_rep_3)

    def test_round_robin_cap(self):
        """A member who reached the cap of open leads is skipped."""
        self.members[self.user_salesman_other].silence_lead_cap = 1  # owns lead_other already
        self._run()
        self.assertEqual(self.lead.user_id, self.user_rep_3)

    def test_round_robin_optout_away(self):
        """Members who opted out or are away are skipped."""
        self.members[self.user_salesman_other].silence_optout = True
        self.members[self.user_rep_3].silence_away = True
        self._run()
        self.assertEqual(self.lead.user_id, self.user_rep_4)

    def test_round_robin_falls_to_leader(self):
        """When no member can take the lead, the team leader gets it."""
        for user in (self.user_salesman_other, self.user_rep_3, self.user_rep_4):
            self.members[user].silence_optout = True
        self._run()
        self.assertEqual(self.lead.user_id, self.user_manager)
        self.assertEqual(self._escalations().rule, "team_leader")

    def test_team_leader_policy(self):
        """The team-leader policy hands the lead to the leader."""
        self.team.silence_breaker_policy = "team_leader"
        self._run()
        self.assertEqual(self.lead.user_id, self.user_manager)

    def test_senior_pool_keeps_team(self):
        """The senior pool takes the least loaded consultant, in the same team and company."""
        self.team.write(
            {
                "silence_breaker_policy": "senior_pool",
                "silence_senior_user_ids": [(6, 0, self.user_senior.ids)],
            }
        )
        company = self.lead.company_id
        self._run()
        self.assertEqual(self.lead.user_id, self.user_senior)
        self.assertEqual(self.lead.team_id, self.team)
        self.assertEqual(self.lead.company_id, company)

    def test_other_company_user_skipped(self):
        """A member who cannot work in the lead's company is not chosen."""
        other_company = self.env["res.company"].create({"name": "Closed-Loop West"})
        self.user_salesman_other.write(
            {"company_ids": [(6, 0, other_company.ids)], "company_id": other_company.id}
        )
        self.lead.company_id = self.env.company
        self._run()
        self.assertEqual(self.lead.user_id, self.user_rep_3)

    def test_interaction_restarts_clock(self):
        """A valid interaction before the threshold restarts the clock."""
        with freeze_time(MONDAY + timedelta(hours=70)):
            self._post_from_customer(self.lead)
        self._run()
        self.assertFalse(self._escalations())
        self.assertEqual(self.lead.silence_breaker_due_date, MONDAY + timedelta(hours=142))

    def test_stage_threshold(self):
        """A stage's own threshold wins over the team's."""
        self.lead.stage_id.silence_breaker_hours = 24
        self._run(MONDAY + timedelta(hours=24, minutes=1))
        self.assertEqual(len(self._escalations()), 1)

    def test_todos_created(self):
        """The previous rep must explain within 2 hours and the manager gets a review to-do."""
        moment = DUE + timedelta(minutes=1)
        self._run(moment)
        escalation = self._escalations()
        self.assertEqual(escalation.explanation_deadline, moment + timedelta(hours=2))
        explain = escalation.activity_ids.filtered(
            lambda activity: activity.user_id == self.user_salesman
        )
        review = escalation.activity_ids.filtered(
            lambda activity: activity.user_id == self.user_manager
        )
        self.assertEqual(
            explain.activity_type_id,
            self.env.ref("sales_closed_loop.mail_activity_type_escalation_explain"),
        )
        self.assertEqual(
            review.activity_type_id,
            self.env.ref("sales_closed_loop.mail_activity_type_escalation_review"),
        )

    def test_explanation_closes(self):
        """An explanation without extension closes both to-dos."""
        self._run()
        escalation = self._escalations()
        escalation.with_user(self.user_salesman)._escalation_reply("Customer on holiday.")
        self.assertEqual(escalation.state, "explained")
        self.assertFalse(escalation.activity_ids)
        self.assertEqual(self.lead.user_id, self.user_salesman_other)

    def test_extension_approved(self):
        """An approved extension gives the lead back and pauses the breaker until it ends."""
        self._run()
        escalation = self._escalations()
        with freeze_time(DUE + timedelta(hours=1)):
            self.env["crm.lead.escalation.reply"].with_user(self.user_salesman).create(
                {
                    "escalation_id": escalation.id,
                    "explanation": "Tender opens next week.",
                    "request_extension": True,
                    "extension_hours": 24,
                }
            ).action_confirm()
        self.assertEqual(escalation.state, "extension_requested")
        with self.assertRaises(AccessError):
            escalation.with_user(self.user_salesman).action_approve_extension()

        approved_at = DUE + timedelta(hours=1, minutes=30)
        with freeze_time(approved_at):
            escalation.with_user(self.user_manager).action_approve_extension()
        until = approved_at + timedelta(hours=24)
        self.assertEqual(escalation.state, "extension_approved")
        self.assertEqual(self.lead.user_id, self.user_salesman)
        self.assertEqual(self.lead.silence_breaker_due_date, until)

        self._run(until - timedelta(minutes=1))
        self.assertEqual(len(self._escalations()), 1)
        self._run(until + timedelta(minutes=1))
        self.assertEqual(len(self._escalations()), 2)

    def test_extension_refused(self):
        """A refused extension leaves the lead with its new owner."""
        self._run()
        escalation = self._escalations()
        escalation.with_user(self.user_salesman)._escalation_reply("Busy.", 48)
        escalation.with_user(self.user_manager).action_refuse_extension()
        self.assertEqual(escalation.state, "extension_refused")
        self.assertEqual(self.lead.user_id, self.user_salesman_other)
        self.assertFalse(self.lead.silence_extension_until)

    def test_only_previous_owner_replies(self):
        """Another rep cannot reply to an escalation that is not theirs."""
        self._run()
        escalation = self._escalations()
        with self.assertRaises(AccessError):
            escalation.with_user(self.user_rep_3)._escalation_reply("Not mine.")

    def test_rights_other_team(self):
        """Reps see their own escalations and never those of another team."""
        self._run()
        escalation = self._escalations()
        other_team = self.env["crm.team"].create({"name": "Closed-Loop North"})
        outsider = self.user_all_leads
        self.env["crm.team.member"].create({"crm_team_id": other_team.id, "user_id": outsider.id})
        Escalation = self.env["crm.lead.escalation"]
        self.assertIn(escalation, Escalation.with_user(self.user_salesman).search([]))
        self.assertIn(escalation, Escalation.with_user(self.user_salesman_other).search([]))
        self.assertIn(escalation, Escalation.with_user(self.user_manager).search([]))
        self.assertNotIn(escalation, Escalation.with_user(self.user_rep_4).search([]))
        self.assertNotIn(escalation, Escalation.with_user(outsider).search([]))
        with self.assertRaises(AccessError):
            escalation.with_user(outsider).read(["state"])

    def test_rights_team_member_all_leads(self):
        """A member of the lead's team with access to all leads can read its escalations."""
        self._run()
        self.env["crm.team.member"].create(
            {"crm_team_id": self.team.id, "user_id": self.user_all_leads.id}
        )
        escalations = self.env["crm.lead.escalation"].with_user(self.user_all_leads).search([])
        self.assertIn(self._escalations(), escalations)
