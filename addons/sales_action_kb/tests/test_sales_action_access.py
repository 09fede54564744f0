from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SalesActionCommon


@tagged("post_install", "-at_install")
class TestSalesActionAccess(SalesActionCommon):
    def test_salesman_read(self):
        """A salesman reads actions, their script and their tags."""
        action = self.action.with_user(self.user_salesman)
        self.assertEqual(action.code, "T100")
        self.assertIn("budget", action.script)
        self.assertEqual(action.tag_ids.name, "Test tag")

    def test_salesman_no_create(self):
        """A salesman cannot create an action."""
        with self.assertRaises(AccessError):
            self.env["sales.action"].with_user(self.user_salesman).create(
                {"code": "T200", "name": "By a rep"}
            )

    def test_salesman_no_write(self):
        """A salesman, even one who sees all leads, cannot change an action."""
        for user in self.user_salesman | self.user_salesman_all:
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.action.with_user(user).write({"name": "Changed by a rep"})

    def test_salesman_no_unlink(self):
        """A salesman cannot delete an action."""
        with self.assertRaises(AccessError):
            self.action.with_user(self.user_salesman).unlink()

    def test_salesman_no_tag_create(self):
        """A salesman cannot create a tag."""
        with self.assertRaises(AccessError):
            self.env["sales.action.tag"].with_user(self.user_salesman).create({"name": "Rep tag"})

    def test_manager_write(self):
        """A sales manager creates, edits and archives actions and tags."""
        actions = self.env["sales.action"].with_user(self.user_manager)
        tag = (
            self.env["sales.action.tag"]
            .with_user(self.user_manager)
            .create({"name": "Manager tag"})
        )
        action = actions.create(
            {"code": "T201", "name": "By a manager", "tag_ids": [(6, 0, tag.ids)]}
        )
        action.write({"name": "Edited by a manager", "category": "closing"})
        action.action_archive()
        self.assertEqual(action.name, "Edited by a manager")
        self.assertFalse(action.active)

    def test_company_rule(self):
        """An action of another company is hidden, a shared one is visible."""
        other_company = self.env["res.company"].create({"name": "Other Co"})
        private = self.env["sales.action"].create(
            {"code": "T202", "name": "Other company only", "company_id": other_company.id}
        )
        visible = (
            self.env["sales.action"]
            .with_user(self.user_salesman)
            .search([("code", "in", ["T100", "T202"])])
        )
        self.assertEqual(visible, self.action)
        self.assertNotIn(private, visible)
