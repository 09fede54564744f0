import unittest

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead_ready = cls.env.ref(
            "sales_closed_loop.crm_lead_demo_huadong_kiosks", raise_if_not_found=False
        )
        if not cls.lead_ready:
            raise unittest.SkipTest("the database was created without demo data")
        cls.lead_blocked = cls.env.ref("sales_closed_loop.crm_lead_demo_jinling_cooling")
        cls.rep = cls.env.ref("sales_closed_loop.user_demo_rep_1")
        cls.stage_diagnosis = cls.env.ref("sales_closed_loop.stage_needs_diagnosis")

    def test_demo_lead_passes_gate(self):
        """The demo rep moves the lead with its pain-point list to Needs Diagnosis."""
        self.lead_ready.with_user(self.rep).write({"stage_id": self.stage_diagnosis.id})

        self.assertEqual(self.lead_ready.stage_id, self.stage_diagnosis)

    def test_demo_lead_blocked_at_gate(self):
        """The demo lead without a pain-point list stays in Lead Screening."""
        with self.assertRaises(UserError):
            self.lead_blocked.with_user(self.rep).write({"stage_id": self.stage_diagnosis.id})

        self.assertEqual(
            self.lead_blocked.stage_id, self.env.ref("sales_closed_loop.stage_lead_screening")
        )

    def test_demo_logins(self):
        """The logins printed by the run command exist with their sales rights."""
        users = self.env["res.users"].search([("login", "in", ["manager", "rep1", "rep2"])])

        self.assertEqual(len(users), 3)
        manager = users.filtered(lambda user: user.login == "manager")
        self.assertTrue(manager.has_group("sales_team.group_sale_manager"))
        for rep in users - manager:
            self.assertTrue(rep.has_group("sales_team.group_sale_salesman"))
            self.assertFalse(rep.has_group("sales_team.group_sale_salesman_all_leads"))
        team = self.env.ref("sales_closed_loop.crm_team_demo_closed_loop")
        self.assertEqual(team.user_id, manager)
        self.assertEqual(team.member_ids, users)
