from datetime import date

from freezegun import freeze_time
from psycopg2 import errors

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .test_flow_monthly_report import DECEMBER_FIRST, NOVEMBER, OCTOBER, FlowReportCase, shanghai


@tagged("post_install", "-at_install")
class TestFlowCompanyReport(FlowReportCase):
    """The company-wide report of the sales managers and the report sent again on request."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # The company's schedule, not the teams', cuts the months of its report.
        cls.company.resource_calendar_id.tz = "Asia/Shanghai"
        cls.company_other = cls.env["res.company"].create({"name": "Closed-Loop Shenzhen"})
        cls.company_other.resource_calendar_id.tz = "Asia/Shanghai"
        cls.user_manager_other = new_test_user(
            cls.env,
            login="cl_manager_other",
            groups="sales_team.group_sale_manager",
            lang="en_US",
            company_id=cls.company_other.id,
            company_ids=[(6, 0, cls.company_other.ids)],
        )
        cls.team_other = cls.env["crm.team"].create(
            {
                "name": "Closed-Loop Shenzhen Team",
                "user_id": cls.user_manager_other.id,
                "company_id": cls.company_other.id,
            }
        )
        user_salesman_other = new_test_user(
            cls.env,
            login="cl_salesman_shenzhen",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company_other.id,
            company_ids=[(6, 0, cls.company_other.ids)],
        )
        # Value Consensus stalls in the other company only (4 of 4 leads).
        cls._add_stays(
            cls.team_other,
            [(cls.stage_consensus, shanghai(2026, 11, 2), shanghai(2026, 11, 9), False)] * 4,
            user=user_salesman_other,
        )

    def _company_messages(self, company):
        return self.env["mail.message"].search(
            [
                ("model", "=", "res.company"),
                ("res_id", "=", company.id),
                ("attachment_ids.name", "=like", "lead-flow-%"),
            ]
        )

    def _message_of(self, user, company=None):
        """Return the company report messages of which ``user`` is notified."""
        messages = self._company_messages(company or self.company)
        return messages.filtered(lambda message: user.partner_id in message.notified_partner_ids)

    def _wizard(self, user, **values):
        values = {"scope": "team", "team_id": self.team.id, "month": "10", "year": 2026, **values}
        return self.env["crm.flow.report.send"].with_user(user).create(values)

    # ------------------------------------------------------------
    # COMPANY-WIDE REPORT
    # ------------------------------------------------------------

    def test_company_figures_union(self):
        """The company's figures add up the stays of all its teams and no other company's."""
        figures = self.company._flow_report_figures([OCTOBER, NOVEMBER])
        # East 6 entries (3 over, 1 lost) and west 3 entries (3 over).
        self.assertEqual(figures[self.stage_matching.id, NOVEMBER], (9, 6, 1))
        self.assertEqual(figures[self.stage_matching.id, OCTOBER], (3, 1, 0))
        # The other company's 4 Value Consensus stays are not counted here.
        self.assertEqual(figures[self.stage_consensus.id, NOVEMBER], (2, 2, 0))
        other = self.company_other._flow_report_figures([NOVEMBER])
        self.assertEqual(other, {(self.stage_consensus.id, NOVEMBER): (4, 4, 0)})

    def test_company_languages(self):
        """An English and a Chinese sales manager each get one report in their language."""
        with freeze_time(DECEMBER_FIRST):
            self.env["crm.team"]._cron_flow_report()
        english = self._message_of(self.user_manager)
        chinese = self._message_of(self.user_manager_west)
        self.assertEqual(len(english), 1)
        self.assertEqual(len(chinese), 1)
        self.assertNotEqual(english, chinese)
        self.assertIn("November 2026", english.subject)
        # 6 of 9 Solution Matching leads of both teams, up from 1 of 3.
        self.assertIn("67% of leads stayed more than 5 days in Solution Matching", english.body)
        self.assertIn("2026年11月", chinese.subject)
        self.assertIn("“方案匹配”阶段停留超过 5 天", str(chinese.body))
        self.assertEqual(english.message_type, "user_notification")
        attachment = english.attachment_ids
        self.assertEqual(attachment.mimetype, "image/png")
        self.assertIn(
            f"/web/image/{attachment.id}?access_token={attachment.access_token}", english.body
        )

    def test_company_email_picture(self):
        """A manager who reads notifications by email gets the picture by its token URL."""
        self.user_manager.notification_type = "email"
        with freeze_time(DECEMBER_FIRST):
            self.env["crm.team"]._cron_flow_report()
        message = self._message_of(self.user_manager)
        mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertIn(self.user_manager.partner_id, mail.recipient_ids)
        attachment = message.attachment_ids
        self.assertIn(
            f"/web/image/{attachment.id}?access_token={attachment.access_token}", mail.body_html
        )

    def test_company_salesman_excluded(self):
        """A salesman of the company is not notified of the company-wide report."""
        with freeze_time(DECEMBER_FIRST):
            self.env["crm.team"]._cron_flow_report()
        self.assertTrue(self._company_messages(self.company))
        self.assertFalse(self._message_of(self.user_salesman))
        self.assertFalse(self._message_of(self.user_all_leads))

    def test_company_isolation(self):
        """A manager of another company gets only that company's report and figures."""
        with freeze_time(DECEMBER_FIRST):
            self.env["crm.team"]._cron_flow_report()
        self.assertFalse(self._message_of(self.user_manager_other))
        self.assertFalse(self._message_of(self.user_manager, self.company_other))
        message = self._message_of(self.user_manager_other, self.company_other)
        self.assertEqual(len(message), 1)
        self.assertIn("100% of leads stayed more than 2 days in Value Consensus", message.body)
        self.assertNotIn("Solution Matching", message.body)
        own = self._message_of(self.user_manager)
        self.assertNotIn("Value Consensus", own.body)

    def test_company_once(self):
        """Two runs on the first working day and one the day after send the report once."""
        with freeze_time(DECEMBER_FIRST):
            self.env["crm.team"]._cron_flow_report()
            self.env["crm.team"]._cron_flow_report()
        with freeze_time(shanghai(2026, 12, 2, 10)):
            self.env["crm.team"]._cron_flow_report()
        self.assertEqual(len(self._message_of(self.user_manager)), 1)
        self.assertEqual(len(self._message_of(self.user_manager_west)), 1)
        self.assertEqual(self.company.flow_report_last_month, NOVEMBER)

    def test_company_waits_weekend(self):
        """The company report waits for the company's first working day, Monday 3 August."""
        with freeze_time(shanghai(2026, 8, 1, 10)):
            counts = self.env["res.company"]._cron_flow_report()
        self.assertGreaterEqual(counts["waiting"], 1)
        self.assertFalse(self.company.flow_report_last_month)
        with freeze_time(shanghai(2026, 8, 3, 10)):
            self.env["res.company"]._cron_flow_report()
        self.assertEqual(self.company.flow_report_last_month, date(2026, 7, 1))

    def test_company_empty_month(self):
        """A month in which no lead of the company was in a stage is marked as handled but
        not sent, and the next month with leads is sent."""
        # Thursday 1 October 2026: no stay of the company began before 2 October.
        with freeze_time(shanghai(2026, 10, 1, 10)):
            counts = self.env["res.company"]._cron_flow_report()
        self.assertEqual(counts["sent"], 0)
        self.assertFalse(self._company_messages(self.company))
        self.assertEqual(self.company.flow_report_last_month, date(2026, 9, 1))

        with freeze_time(DECEMBER_FIRST):
            self.env["res.company"]._cron_flow_report()
        self.assertEqual(len(self._message_of(self.user_manager)), 1)
        self.assertEqual(self.company.flow_report_last_month, NOVEMBER)

    def test_company_open_stay_month(self):
        """A company whose lead stayed through the month in a stage entered earlier gets the
        report, and another company without leads that month does not."""
        self._add_stays(
            self.team_other,
            [(self.stage_consensus, shanghai(2026, 8, 20), None, False)],
            user=self.user_manager_other,
        )
        with freeze_time(shanghai(2026, 10, 1, 10)):
            self.env["res.company"]._cron_flow_report()
        self.assertEqual(len(self._message_of(self.user_manager_other, self.company_other)), 1)
        self.assertFalse(self._company_messages(self.company))

    def test_company_locked(self):
        """A run that finds the company locked by another transaction sends nothing."""
        with self.registry.cursor() as other_cr:
            try:
                other_cr.execute(
                    "SELECT id FROM res_company WHERE id = %s FOR NO KEY UPDATE NOWAIT",
                    [self.company.id],
                )
            except errors.LockNotAvailable:
                self.fail("the test transaction locks the company row itself")
            with freeze_time(DECEMBER_FIRST):
                self.env["res.company"]._cron_flow_report()
            self.assertFalse(self._company_messages(self.company))
            self.assertFalse(self.company.flow_report_last_month)
            other_cr.rollback()
        with freeze_time(DECEMBER_FIRST):
            self.env["res.company"]._cron_flow_report()
        self.assertEqual(len(self._message_of(self.user_manager)), 1)

    # ------------------------------------------------------------
    # SENT AGAIN ON REQUEST
    # ------------------------------------------------------------

    def test_resend_defaults(self):
        """Opened from a sales team, the dialog proposes that team and the previous month."""
        with freeze_time(DECEMBER_FIRST):
            wizard = (
                self.env["crm.flow.report.send"]
                .with_user(self.user_admin)
                .with_context(active_model="crm.team", active_id=self.team.id)
                .create({})
            )
        self.assertEqual(wizard.scope, "team")
        self.assertEqual(wizard.team_id, self.team)
        self.assertEqual((wizard.month, wizard.year), ("11", 2026))

    def test_resend_form(self):
        """A manager fills in the dialog for the company report and sends it."""
        with freeze_time(DECEMBER_FIRST):
            with Form(self.env["crm.flow.report.send"].with_user(self.user_manager)) as form:
                form.scope = "company"
                form.month = "10"
            form.record.action_send()
        message = self._message_of(self.user_manager_west)
        self.assertEqual(len(message), 1)
        self.assertIn("2026年10月", message.subject)

    def test_resend_leader_own(self):
        """A team leader who sends his own team's report again receives it."""
        with freeze_time(DECEMBER_FIRST):
            self._wizard(self.user_manager).action_send()
        message = self._report_messages(self.team)
        self.assertEqual(message.author_id, self.user_manager.partner_id)
        self.assertEqual(message.notified_partner_ids, self.user_manager.partner_id)
        self.assertTrue(message.notification_ids)

    def test_resend_team_month(self):
        """A team report sent again covers the requested month and states that it was sent again."""
        with freeze_time(DECEMBER_FIRST):
            self._wizard(self.user_admin).action_send()
        message = self._report_messages(self.team)
        self.assertEqual(len(message), 1)
        self.assertIn("October 2026", message.subject)
        self.assertIn("50% of leads stayed more than 4 days in Contract Closing", message.body)
        self.assertIn("This report was sent again on request by", message.body)
        self.assertEqual(message.notified_partner_ids, self.user_manager.partner_id)

    def test_resend_keeps_guard(self):
        """Sending again neither blocks nor is blocked by the automatic monthly report."""
        with freeze_time(DECEMBER_FIRST):
            self._wizard(self.user_admin, month="11").action_send()
            self._wizard(self.user_admin, scope="company", month="11").action_send()
            self.assertFalse(self.team.flow_report_last_month)
            self.assertFalse(self.company.flow_report_last_month)
            self.env["crm.team"]._cron_flow_report()
            self._wizard(self.user_admin, month="11").action_send()
        self.assertEqual(len(self._report_messages(self.team)), 3)
        self.assertEqual(len(self._message_of(self.user_manager)), 2)
        self.assertEqual(self.team.flow_report_last_month, NOVEMBER)
        self.assertEqual(self.company.flow_report_last_month, NOVEMBER)

    def test_resend_company(self):
        """The company report sent again reaches every manager in his language."""
        with freeze_time(DECEMBER_FIRST):
            self._wizard(self.user_admin, scope="company", month="10").action_send()
        english = self._message_of(self.user_manager)
        self.assertIn("October 2026", english.subject)
        self.assertIn("This report was sent again on request by", english.body)
        self.assertIn("2026年10月", self._message_of(self.user_manager_west).subject)
        # The requester is a manager too and gets his own copy.
        self.assertTrue(self._message_of(self.user_admin))
        self.assertFalse(self._message_of(self.user_salesman))

    def test_resend_future_month(self):
        """The current month, later months and a two-digit year are rejected, and nothing
        is sent."""
        for month, year, reason in (("12", 2026, "has not ended"), ("1", 2027, "not started")):
            with freeze_time(DECEMBER_FIRST), self.assertRaisesRegex(UserError, reason):
                self._wizard(self.user_admin, month=month, year=year).action_send()
        with freeze_time(DECEMBER_FIRST), self.assertRaises(UserError):
            self._wizard(self.user_admin, scope="company", month="12").action_send()
        with freeze_time(DECEMBER_FIRST), self.assertRaises(UserError):
            self._wizard(self.user_admin, year=26).action_send()
        self.assertFalse(self._report_messages(self.team))
        self.assertFalse(self._company_messages(self.company))

    def test_resend_no_history(self):
        """A month without stage history is rejected with a message naming the month."""
        with freeze_time(DECEMBER_FIRST), self.assertRaises(UserError) as caught:
            self._wizard(self.user_admin, month="6").action_send()
        self.assertIn("June 2026", str(caught.exception))
        self.assertFalse(self._report_messages(self.team))

    def test_resend_salesman(self):
        """A salesman can neither open nor run the dialog, nor see it in a team's actions."""
        action = self.env.ref("sales_closed_loop.crm_flow_report_send_action")
        for user, visible in ((self.user_salesman, False), (self.user_manager, True)):
            bound = self.env["ir.actions.actions"].with_user(user).get_bindings("crm.team")
            bound_ids = [bound_action["id"] for bound_action in bound.get("action", [])]
            self.assertEqual(action.id in bound_ids, visible, user.login)
        with self.assertRaises(AccessError):
            self._wizard(self.user_salesman)
        wizard = self._wizard(self.user_admin)
        with freeze_time(DECEMBER_FIRST), self.assertRaises(AccessError):
            wizard.with_user(self.user_salesman).action_send()
        self.assertFalse(self._report_messages(self.team))
