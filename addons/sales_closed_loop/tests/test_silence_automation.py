from datetime import timedelta

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .silence_common import MONDAY, RUN_AT, CommittedSilenceCase, SilenceCase

NUDGE_AT = MONDAY + timedelta(hours=48, minutes=1)
ESCALATE_AT = MONDAY + timedelta(hours=72, minutes=1)


@tagged("post_install", "-at_install")
class TestSilenceAutomation(SilenceCase):
    """The nudge and the breaker as automation rules driven by the scheduled actions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_nudge = cls.env.ref("sales_closed_loop.base_automation_silence_nudge")
        cls.rule_breaker = cls.env.ref("sales_closed_loop.base_automation_silence_breaker")
        cls.team_west = cls.env["crm.team"].create(
            {
                "name": "Closed-Loop West",
                "user_id": cls.user_manager.id,
                "silence_breaker_hours": 72,
                "silence_breaker_policy": "team_leader",
            }
        )
        cls.lead_west = cls._create_lead(
            "Westside Mills line", cls.user_salesman, team_id=cls.team_west.id
        )
        cls._reset_ledger(cls.lead_west)

    def _escalations(self, leads):
        return self.env["crm.lead.escalation"].search([("lead_id", "in", leads.ids)])

    def _nudges(self, lead):
        nudge_type = self.env.ref("sales_closed_loop.mail_activity_type_silence_nudge")
        return lead.activity_ids.filtered(lambda activity: activity.activity_type_id == nudge_type)

    def test_rules_visible(self):
        """Both rules are time-based rules on leads, on the stored deadlines, with no delay."""
        rules = self.env["base.automation"].search(
            [("model_name", "=", "crm.lead"), ("trigger", "=", "on_time")]
        )
        self.assertIn(self.rule_nudge, rules)
        self.assertIn(self.rule_breaker, rules)
        for rule, field_name in (
            (self.rule_nudge, "silence_nudge_due_date"),
            (self.rule_breaker, "silence_breaker_due_date"),
        ):
            self.assertEqual(rule.trg_date_id.name, field_name)
            self.assertEqual(rule.trg_date_range, 0)
            self.assertEqual(rule.action_server_ids.state, "code")
            self.assertEqual(rule.action_server_ids.model_id.model, "crm.lead")
            self.assertIn("_silence_act_on_due", rule.action_server_ids.code)

    def test_archived_breaker_rule(self):
        """An archived breaker rule makes the scheduled action escalate nothing."""
        self.rule_breaker.active = False
        with freeze_time(ESCALATE_AT):
            counts = self.env["crm.lead"]._cron_silence_breaker()
        self.assertTrue(counts["disabled"])
        self.assertFalse(self._escalations(self.lead | self.lead_west))
        self.assertEqual(self.lead.user_id, self.user_salesman)

    def test_archived_nudge_rule(self):
        """An archived nudge rule makes the scheduled action nudge no lead."""
        self.rule_nudge.active = False
        with freeze_time(NUDGE_AT):
            self.env["crm.lead"]._cron_silence_nudge()
        self.assertFalse(self.lead.silence_needs_intervention)
        self.assertFalse(self._nudges(self.lead))

    def test_filter_domain(self):
        """A rule limited to one team escalates only that team's due leads."""
        self.rule_breaker.filter_domain = repr([("team_id", "=", self.team_west.id)])
        with freeze_time(ESCALATE_AT):
            counts = self.env["crm.lead"]._cron_silence_breaker()
        self.assertEqual(counts["done"], 1)
        self.assertEqual(self._escalations(self.lead | self.lead_west).lead_id, self.lead_west)
        self.assertEqual(self.lead.user_id, self.user_salesman)

        self.rule_breaker.filter_domain = False
        with freeze_time(ESCALATE_AT + timedelta(minutes=5)):
            self.env["crm.lead"]._cron_silence_breaker()
        self.assertEqual(self._escalations(self.lead).old_user_id, self.user_salesman)

    def test_both_pollings_once(self):
        """Odoo's polling of time-based rules and the scheduled action escalate a lead once."""
        with freeze_time(ESCALATE_AT):
            self.env["base.automation"]._check()
            self.env["crm.lead"]._cron_silence_breaker()
        with freeze_time(ESCALATE_AT + timedelta(minutes=5)):
            self.env["crm.lead"]._cron_silence_breaker()
            self.env["base.automation"]._check()
        self.assertEqual(len(self._escalations(self.lead)), 1)
        self.assertEqual(len(self._escalations(self.lead_west)), 1)

    def test_polling_escalates(self):
        """Odoo's polling alone escalates a due lead through the rule."""
        with freeze_time(ESCALATE_AT):
            self.env["base.automation"]._check()
        self.assertEqual(len(self._escalations(self.lead)), 1)
        self.assertEqual(self.lead.user_id, self.user_salesman_other)

    def test_server_action_claim(self):
        """The rule's server action run again on an escalated lead does nothing."""
        with freeze_time(ESCALATE_AT):
            self.rule_breaker._process(self.lead)
            self.rule_breaker._process(self.lead)
        with freeze_time(ESCALATE_AT + timedelta(minutes=1)):
            self.env["crm.lead"]._cron_silence_breaker()
            self.rule_breaker.with_context(__action_done={})._process(self.lead)
        self.assertEqual(len(self._escalations(self.lead)), 1)

    def test_server_action_not_due(self):
        """The rules' server actions on a lead that is not due yet do nothing."""
        with freeze_time(NUDGE_AT - timedelta(minutes=2)):
            self.rule_nudge._process(self.lead)
        self.assertFalse(self.lead.silence_needs_intervention)
        with freeze_time(ESCALATE_AT - timedelta(minutes=2)):
            self.rule_breaker._process(self.lead)
        self.assertFalse(self._escalations(self.lead))
        with freeze_time(NUDGE_AT):
            self.rule_nudge.with_context(__action_done={})._process(self.lead)
        self.assertTrue(self.lead.silence_needs_intervention)
        self.assertEqual(len(self._nudges(self.lead)), 1)


@tagged("post_install", "-at_install")
class TestSilenceAutomationConcurrency(CommittedSilenceCase):
    """Odoo's polling and the scheduled action in two overlapping transactions."""

    lead_name = "Silent lead seen by two pollings"

    def test_polling_and_cron_overlap(self):
        """Odoo's polling holding the lead makes the scheduled action skip it."""
        with freeze_time(RUN_AT), self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            env_a["base.automation"]._check()

            counts_b = env_b["crm.lead"]._cron_silence_breaker()
            self.assertEqual(counts_b["done"], 0)
            cr_b.commit()
            cr_a.commit()

        with freeze_time(RUN_AT + timedelta(minutes=5)), self.registry.cursor() as cr_c:
            env_c = api.Environment(cr_c, SUPERUSER_ID, {})
            self.assertEqual(env_c["crm.lead"]._cron_silence_breaker()["done"], 0)
            env_c["base.automation"]._check()
            cr_c.execute(
                "SELECT count(*) FROM crm_lead_escalation WHERE lead_id = %s", [self.lead_id]
            )
            self.assertEqual(cr_c.fetchone()[0], 1)
