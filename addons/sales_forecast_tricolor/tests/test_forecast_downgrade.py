from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import ForecastCommon


@tagged("post_install", "-at_install")
class TestForecastDowngrade(ForecastCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls._create_opportunity(name="Downgraded deal", expected_revenue=10000.0)
        cls._add_evidence(cls.lead, cls.type_payment_voucher)

    def _downgrade(self, user, color, reason="The customer froze its budget."):
        wizard = (
            self.env["sales.forecast.downgrade.wizard"]
            .with_user(user)
            .create({"lead_id": self.lead.id, "color_to": color, "reason": reason})
        )
        return wizard.action_confirm()

    def test_manager_lowers_with_reason(self):
        """A sales manager lowers a green deal to red, and the reason is shown and logged."""
        self._downgrade(self.user_manager, "red")

        self.assertEqual(self.lead.forecast_color, "red")
        self.assertEqual(self.lead.forecast_evidence_color, "green")
        self.assertAlmostEqual(self.lead.forecast_weighted_revenue, 2000.0)
        self.assertIn("lowered from Green", self.lead.forecast_color_reason)
        self.assertIn("froze its budget", self.lead.forecast_color_reason)
        downgrade = self.lead.forecast_downgrade_ids
        self.assertEqual(downgrade.user_id, self.user_manager)
        self.assertEqual(downgrade.state, "active")
        messages = self.lead.message_ids.filtered(lambda m: "froze its budget" in (m.body or ""))
        self.assertTrue(messages)

    def test_salesman_cannot_lower(self):
        """A salesman who does not lead the deal's team cannot lower its colour."""
        with self.assertRaises(AccessError):
            self._downgrade(self.user_salesman, "red")
        self.assertEqual(self.lead.forecast_color, "green")

    def test_team_leader_lowers(self):
        """The leader of the deal's sales team may lower its colour."""
        leader = new_test_user(
            self.env,
            login="fc_leader",
            name="Forecast Team Leader",
            groups="sales_team.group_sale_salesman_all_leads",
        )
        self.team.user_id = leader

        self._downgrade(leader, "yellow")

        self.assertEqual(self.lead.forecast_color, "yellow")

    def test_reason_required(self):
        """A downgrade without a reason is rejected."""
        with self.assertRaises(UserError):
            self.lead._forecast_downgrade("red", "  ")
        self.assertEqual(self.lead.forecast_color, "green")

    def test_raise_rejected(self):
        """Choosing the same or a higher colour in the wizard is rejected."""
        self._downgrade(self.user_manager, "yellow")

        with self.assertRaises(UserError):
            self._downgrade(self.user_manager, "green")
        self.assertEqual(self.lead.forecast_color, "yellow")

    def test_write_color_rejected(self):
        """Writing the colour directly raises for a salesman, a manager and the superuser."""
        for user in (self.user_salesman, self.user_manager):
            with self.assertRaises(UserError):
                self.lead.with_user(user).write({"forecast_color": "green"})
        self._downgrade(self.user_manager, "red")
        with self.assertRaises(UserError):
            self.lead.write({"forecast_color": "green"})
        self.assertEqual(self.lead.forecast_color, "red")

    def test_weaker_evidence_keeps_downgrade(self):
        """A verbal commitment added after the downgrade does not lift it."""
        self._downgrade(self.user_manager, "red")

        self._add_evidence(self.lead, self.type_verbal_commitment)

        self.assertEqual(self.lead.forecast_color, "red")
        self.assertEqual(self.lead.forecast_downgrade_ids.state, "active")

    def test_new_evidence_lifts_downgrade(self):
        """New evidence as strong as the lost colour lifts the downgrade and is logged."""
        self._downgrade(self.user_manager, "red")

        evidence = self._add_evidence(self.lead, self.type_purchase_order)

        downgrade = self.lead.forecast_downgrade_ids
        self.assertEqual(downgrade.state, "lifted")
        self.assertEqual(downgrade.lift_evidence_id, evidence)
        self.assertEqual(self.lead.forecast_color, "green")
        self.assertIn("Green because", self.lead.forecast_color_reason)

    def test_rep_evidence_lifts_downgrade(self):
        """The deal's salesman lifts the downgrade by recording new evidence with their own rights."""
        self._downgrade(self.user_manager, "red")

        self.env["crm.lead.evidence"].with_user(self.user_salesman).create(
            {"lead_id": self.lead.id, "type_id": self.type_purchase_order.id}
        )

        self.assertEqual(self.lead.forecast_downgrade_ids.state, "lifted")
        self.assertEqual(self.lead.forecast_color, "green")
