from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import SalesActionCommon


@tagged("post_install", "-at_install")
class TestSalesActionCertification(SalesActionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.new_hire = new_test_user(
            cls.env, login="kb_new_hire", name="New Hire", groups="sales_team.group_sale_salesman"
        )
        cls.standard = cls.env["sales.action"].search([("is_standard", "=", True)])
        cls.badge = cls.env.ref("sales_action_kb.badge_action_certification")

    def _drill(self, action):
        drill = (
            self.env["sales.action.drill"]
            .with_user(self.new_hire)
            .create({"action_id": action.id, "note": "Role play with the team lead."})
        )
        drill.action_submit()
        return drill

    def test_five_standard_actions(self):
        """Five standard actions ship, and a new hire drills exactly those."""
        self.assertEqual(len(self.standard), 5)

    def test_badge_after_five(self):
        """The badge is granted when the fifth standard drill is confirmed, not before."""
        drills = [self._drill(action) for action in self.standard]
        for drill in drills[:4]:
            drill.with_user(self.user_manager).action_confirm()
        certification = self.env["sales.action.certification"].search(
            [("user_id", "=", self.new_hire.id)]
        )
        self.assertEqual((certification.confirmed_count, certification.required_count), (4, 5))
        self.assertNotIn(self.badge, self.new_hire.badge_ids.badge_id)

        drills[4].with_user(self.user_manager).action_confirm()
        self.assertIn(self.badge, self.new_hire.badge_ids.badge_id)
        self.assertTrue(certification.is_certified)
        self.assertEqual(certification.days_to_certify, 0)
        granted = self.new_hire.badge_ids.filtered(
            lambda badge_user: badge_user.badge_id == self.badge
        )
        self.assertEqual(granted.sender_id, self.user_manager)

    def test_badge_once(self):
        """Confirming another drill after certification grants no second badge."""
        for action in self.standard:
            self._drill(action).with_user(self.user_manager).action_confirm()
        self._drill(self.standard[0]).with_user(self.user_manager).action_confirm()
        self.assertEqual(
            len(
                self.new_hire.badge_ids.filtered(
                    lambda badge_user: badge_user.badge_id == self.badge
                )
            ),
            1,
        )

    def test_rejected_not_counted(self):
        """A drill sent back to practise again does not count."""
        for action in self.standard[:4]:
            self._drill(action).with_user(self.user_manager).action_confirm()
        self._drill(self.standard[4]).with_user(self.user_manager).action_reject()
        self.assertNotIn(self.badge, self.new_hire.badge_ids.badge_id)

    def test_rep_cannot_confirm(self):
        """A rep can neither confirm a drill nor write its state."""
        drill = self._drill(self.standard[0])
        with self.assertRaises(AccessError):
            drill.action_confirm()
        with self.assertRaises(AccessError):
            drill.write({"state": "confirmed"})

    def test_confirmed_drill_locked(self):
        """A rep cannot move a confirmed drill to another standard action."""
        drill = self._drill(self.standard[0])
        drill.with_user(self.user_manager).action_confirm()
        with self.assertRaises(AccessError):
            drill.write({"action_id": self.standard[1].id})

    def test_own_drill(self):
        """A manager cannot confirm their own drill."""
        drill = (
            self.env["sales.action.drill"]
            .with_user(self.user_manager)
            .create({"action_id": self.standard[0].id})
        )
        with self.assertRaises(UserError):
            drill.action_confirm()

    def test_time_to_certify(self):
        """The new-hire report counts the days from the start date to certification."""
        # Half of each day the rep's date and the manager's date differ: both
        # ends of the count must be the rep's.
        self.new_hire.tz = "Asia/Shanghai"
        self.user_manager.tz = "America/New_York"
        certification = self.env["sales.action.certification"]._ensure_for_users(self.new_hire)
        shanghai = self.env["res.users"].with_context(tz="Asia/Shanghai")
        rep_today = fields.Date.context_today(shanghai)
        self.assertEqual(certification.start_date, rep_today)
        start = certification.start_date
        certification.start_date = start.replace(day=1) if start.day > 1 else start
        expected = (start - certification.start_date).days
        for action in self.standard:
            self._drill(action).with_user(self.user_manager).action_confirm()
        self.assertEqual(certification.days_to_certify, expected)
