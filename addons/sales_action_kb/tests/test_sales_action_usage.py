from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import SalesActionCommon


@tagged("post_install", "-at_install")
class TestSalesActionUsage(SalesActionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_salesman = new_test_user(
            cls.env, login="kb_salesman_other", groups="sales_team.group_sale_salesman"
        )
        cls.team = cls.env["crm.team"].create({"name": "KB test team"})
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Hangzhou Packaging Co.",
                "is_company": True,
                "industry_id": cls.env.ref("base.res_partner_industry_C").id,
            }
        )
        cls.lead = cls._create_lead("Packing line upgrade", cls.user_salesman, cls.stages[0])
        cls.other_lead = cls._create_lead("Warehouse scanners", cls.other_salesman, cls.stages[0])
        cls.action_price = cls.env.ref("sales_action_kb.sales_action_d13")
        cls.action_competitor = cls.env.ref("sales_action_kb.sales_action_d8")

    @classmethod
    def _create_lead(cls, name, user, stage):
        """Create an opportunity directly in ``stage``, as the pipeline importer would."""
        return (
            cls.env["crm.lead"]
            .with_context(sales_closed_loop_import=True)
            .create(
                {
                    "name": name,
                    "type": "opportunity",
                    "partner_id": cls.customer.id,
                    "user_id": user.id,
                    "team_id": cls.team.id,
                    "stage_id": stage.id,
                }
            )
        )

    def _post_note(self, lead, user, body):
        return lead.with_user(user).message_post(
            body=body, message_type="comment", subtype_xmlid="mail.mt_note"
        )

    def test_use_from_lead_form(self):
        """The lead form's Use button records who used which action, in which team and stage."""
        self.action.with_user(self.user_salesman).with_context(
            sales_action_lead_id=self.lead.id
        ).action_use_on_lead()

        usage = self.lead.action_usage_ids
        self.assertEqual(len(usage), 1)
        self.assertEqual(usage.action_id, self.action)
        self.assertEqual(usage.user_id, self.user_salesman)
        self.assertEqual(usage.team_id, self.team)
        self.assertEqual(usage.stage_id, self.stages[0])
        self.assertEqual(usage.source, "lead_form")
        self.assertEqual(self.action.usage_count, 1)
        self.assertIn("[T100]", self.lead.message_ids[0].body)

    def test_use_requires_lead(self):
        """Using an action without a saved lead is rejected."""
        with self.assertRaises(UserError):
            self.action.with_user(self.user_salesman).action_use_on_lead()

    def test_note_codes_recorded(self):
        """Each code in a rep's note is recorded once, and unknown codes are ignored."""
        self._post_note(
            self.lead, self.user_salesman, "Used #d13 twice (#D13) and #D8; #ZZ9 is not an action."
        )
        self.assertEqual(
            self.lead.action_usage_ids.action_id, self.action_price | self.action_competitor
        )
        self.assertEqual(set(self.lead.action_usage_ids.mapped("source")), {"message"})

    def test_note_without_hash_ignored(self):
        """A code without a hash, an HTML entity or a colour is not a mention."""
        self._post_note(
            self.lead,
            self.user_salesman,
            'See D13, it&#39;s <span style="color: #FF0000">red</span>',
        )
        self.assertFalse(self.lead.action_usage_ids)

    def test_customer_email_ignored(self):
        """An incoming customer email quoting a code records nothing."""
        self.lead.message_post(
            body="As discussed in #D13", message_type="email", author_id=self.customer.id
        )
        self.assertFalse(self.lead.action_usage_ids)

    def test_archived_code_ignored(self):
        """Quoting the code of an archived action records nothing."""
        self.action_price.action_archive()
        self._post_note(self.lead, self.user_salesman, "Tried #D13")
        self.assertFalse(self.lead.action_usage_ids)

    def test_activity_feedback_recorded(self):
        """A code in the feedback of a done activity is recorded for the rep who marked it done."""
        activity = self.lead.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.user_salesman.id, summary="Follow-up call"
        )
        activity.with_user(self.user_salesman).action_feedback(
            feedback="Handled the price with #D13"
        )
        usage = self.lead.action_usage_ids
        self.assertEqual(usage.action_id, self.action_price)
        self.assertEqual(usage.user_id, self.user_salesman)

    def test_activity_note_recorded(self):
        """A code planned in an activity's note is recorded when the activity is marked done."""
        activity = self.lead.activity_schedule(
            "mail.mail_activity_data_call",
            user_id=self.user_salesman.id,
            note="<p>Walk the customer through #D8 before the price talk.</p>",
        )
        self.assertFalse(self.lead.action_usage_ids)
        activity.with_user(self.user_salesman).action_feedback(feedback="Done")
        self.assertEqual(self.lead.action_usage_ids.action_id, self.action_competitor)

    def test_usage_append_only(self):
        """Neither a salesman nor a manager can change or delete a usage."""
        self._post_note(self.lead, self.user_salesman, "#D13")
        usage = self.lead.action_usage_ids
        for user in self.user_salesman | self.user_manager:
            with self.subTest(user=user.login):
                with self.assertRaises(UserError):
                    usage.with_user(user).write({"action_id": self.action.id})
                with self.assertRaises(AccessError):
                    usage.with_user(user).unlink()
        self.assertEqual(usage.action_id, self.action_price)

    def test_used_action_not_deletable(self):
        """An action with a recorded use cannot be deleted, only archived."""
        self._post_note(self.lead, self.user_salesman, "#D13")
        with self.assertRaises(UserError):
            self.action_price.unlink()
        self.action_price.action_archive()
        self.assertFalse(self.action_price.active)
        self.assertEqual(self.lead.action_usage_ids.action_id, self.action_price)

    def test_usage_visibility(self):
        """A rep sees the uses on their own leads, and all-leads reps and managers see all."""
        self._post_note(self.lead, self.user_salesman, "#D13")
        self._post_note(self.other_lead, self.other_salesman, "#D8")
        usages = self.env["sales.action.usage"].search(
            [("lead_id", "in", (self.lead | self.other_lead).ids)]
        )
        self.assertEqual(len(usages), 2)
        self.assertEqual(
            usages.with_user(self.user_salesman).search([("id", "in", usages.ids)]).lead_id,
            self.lead,
        )
        for user in self.user_salesman_all | self.user_manager:
            with self.subTest(user=user.login):
                visible = (
                    self.env["sales.action.usage"]
                    .with_user(user)
                    .search([("id", "in", usages.ids)])
                )
                self.assertEqual(visible, usages)

    def test_suggested_by_stage(self):
        """Suggestions fit the lead's stage, and actions for the customer's industry come first."""
        suggested = self.lead.suggested_action_ids
        self.assertTrue(suggested)
        for action in suggested:
            with self.subTest(code=action.code):
                self.assertIn(self.stages[0], action.stage_ids)
        industry = self.customer.industry_id
        self.assertIn(industry, suggested[0].industry_ids)
        self.assertNotIn(self.env.ref("sales_action_kb.sales_action_d17"), suggested)

    def test_suggested_other_industry(self):
        """An action reserved for other industries is not suggested."""
        education = self.env.ref("base.res_partner_industry_P")
        self.customer.industry_id = education
        self.lead.invalidate_recordset(["suggested_action_ids"])
        suggested = self.lead.suggested_action_ids
        self.assertTrue(suggested)
        self.assertNotIn(self.env.ref("sales_action_kb.sales_action_d1"), suggested)
        for action in suggested:
            with self.subTest(code=action.code):
                self.assertTrue(not action.industry_ids or education in action.industry_ids)

    def test_merge_keeps_usages(self):
        """Merging leads moves their action usages to the surviving lead."""
        self._post_note(self.lead, self.user_salesman, "#D13")
        self._post_note(self.other_lead, self.other_salesman, "#D8")
        merged = (
            (self.lead | self.other_lead)
            .with_context(sales_closed_loop_import=True)
            ._merge_opportunity()
        )
        self.assertEqual(
            merged.action_usage_ids.action_id, self.action_price | self.action_competitor
        )

    def test_suggested_unknown_industry(self):
        """Without a known industry, industry actions are suggested and ice-breakers come last."""
        self.customer.industry_id = False
        self.lead.invalidate_recordset(["suggested_action_ids"])
        suggested = self.lead.suggested_action_ids
        self.assertIn(self.env.ref("sales_action_kb.sales_action_d1"), suggested)
        is_ice_breaker = [action.category == "ice_breaking" for action in suggested]
        self.assertEqual(is_ice_breaker, sorted(is_ice_breaker))
