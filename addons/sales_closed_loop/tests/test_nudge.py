from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .silence_common import MONDAY, SilenceCase


@tagged("post_install", "-at_install")
class TestNudge(SilenceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nudge_type = cls.env.ref("sales_closed_loop.mail_activity_type_silence_nudge")

    def _nudge_activities(self, lead):
        return lead.activity_ids.filtered(
            lambda activity: activity.activity_type_id == self.nudge_type
        )

    def _run(self, moment):
        with freeze_time(moment):
            return self.env["crm.lead"]._cron_silence_nudge()

    def test_nudge_before_threshold(self):
        """A customer silent for 47h59m is not nudged yet."""
        self._run(MONDAY + timedelta(hours=47, minutes=59))
        self.assertFalse(self.lead.silence_needs_intervention)
        self.assertFalse(self._nudge_activities(self.lead))

    def test_nudge_after_threshold(self):
        """After 48h without a reply the rep gets an activity with three ice-breakers."""
        counts = self._run(MONDAY + timedelta(hours=48, minutes=1))
        self.assertEqual(counts["done"], 1)
        self.assertTrue(self.lead.silence_needs_intervention)
        activity = self._nudge_activities(self.lead)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.user_salesman)
        self.assertEqual(str(activity.note).count("<li>"), 3)
        self.assertEqual(self.lead.last_interaction_date, MONDAY, "the nudge is no interaction")

    def test_nudge_once_per_silence(self):
        """Running the nudge again during the same silence adds nothing."""
        self._run(MONDAY + timedelta(hours=49))
        self._run(MONDAY + timedelta(hours=60))
        with freeze_time(MONDAY + timedelta(hours=61)):
            self._post_to_customer(self.lead)
        self._run(MONDAY + timedelta(hours=120))
        self.assertEqual(len(self._nudge_activities(self.lead)), 1)

    def test_reply_clears_flag(self):
        """A customer reply clears the flag, and the next unanswered message can be nudged."""
        self._run(MONDAY + timedelta(hours=49))
        with freeze_time(MONDAY + timedelta(hours=50)):
            self._post_from_customer(self.lead)
        self.assertFalse(self.lead.silence_needs_intervention)

        with freeze_time(MONDAY + timedelta(hours=51)):
            self._post_to_customer(self.lead)
        self._run(MONDAY + timedelta(hours=98))
        self.assertFalse(self.lead.silence_needs_intervention)
        self._run(MONDAY + timedelta(hours=99, minutes=1))
        self.assertTrue(self.lead.silence_needs_intervention)
        self.assertEqual(len(self._nudge_activities(self.lead)), 2)

    def test_reply_before_threshold(self):
        """A customer who replied in time is not nudged."""
        with freeze_time(MONDAY + timedelta(hours=20)):
            self._post_from_customer(self.lead)
        self._run(MONDAY + timedelta(hours=80))
        self.assertFalse(self.lead.silence_needs_intervention)
        self.assertFalse(self.lead.silence_nudge_due_date)

    def test_lost_lead_not_nudged(self):
        """A lost lead is never nudged."""
        self.lead.action_set_lost()
        self._run(MONDAY + timedelta(hours=80))
        self.assertFalse(self.lead.silence_needs_intervention)

    def test_team_threshold(self):
        """The threshold is the sales team's."""
        self.team.silence_nudge_hours = 24
        self._run(MONDAY + timedelta(hours=24, minutes=1))
        self.assertTrue(self.lead.silence_needs_intervention)

    def test_icebreakers_for_stage(self):
        """Templates of the lead's stage and industry rank before general ones."""
        self.customer.industry_id = self.env["res.partner.industry"].create({"name": "Logistics"})
        # Read it back: another module may replace an industry by its canonical form.
        industry = self.customer.industry_id
        specific = self.env["crm.icebreaker.template"].create(
            {
                "name": "Port season",
                "body": "Peak season is coming at the port.",
                "sequence": 99,
                "stage_ids": [(4, self.lead.stage_id.id)],
                "industry_ids": [(4, industry.id)],
            }
        )
        other_industry = self.env["crm.icebreaker.template"].create(
            {
                "name": "Restaurant opening",
                "body": "Opening hours.",
                "sequence": 1,
                "industry_ids": [(4, self.env["res.partner.industry"].create({"name": "Food"}).id)],
            }
        )
        # The shipped templates' own ranking: sales_action_kb, when installed,
        # puts its ice-breaking actions before them in the nudge.
        templates = self.env["crm.icebreaker.template"]._select_for_lead(self.lead, 3)
        names = templates.mapped("name")
        self.assertEqual(len(templates), 3)
        self.assertEqual(names[0], specific.name)
        self.assertNotIn(other_industry.name, names)
        self.assertEqual(self.lead.stage_id, self.stage_screening)
