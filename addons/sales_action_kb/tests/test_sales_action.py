from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import CJK_PATTERN, SalesActionCommon


@tagged("post_install", "-at_install")
class TestSalesAction(SalesActionCommon):
    def test_code_format_invalid(self):
        """Codes not shaped like D37 are rejected with a message naming the code."""
        for code in ["37", "D-37", "D 37", "ABCD1", "D12345", "37D", "电话1"]:
            with self.subTest(code=code), self.assertRaises(ValidationError) as caught:
                self.env["sales.action"].create({"code": code, "name": "Bad code"})
            self.assertIn(code.upper(), str(caught.exception))
            self.assertIn("D37", str(caught.exception))

    def test_code_format_message_chinese(self):
        """A Chinese user reads the invalid-code message in Chinese."""
        with self.assertRaises(ValidationError) as caught:
            self.env["sales.action"].with_context(lang="zh_CN").create(
                {"code": "X-1", "name": "Bad code"}
            )
        self.assertRegex(str(caught.exception), CJK_PATTERN)
        self.assertIn("X-1", str(caught.exception))

    def test_code_normalized(self):
        """Surrounding spaces are removed and letters upper-cased, on create and on write."""
        action = self.env["sales.action"].create({"code": " z40 ", "name": "Lower case"})
        self.assertEqual(action.code, "Z40")
        action.code = "ab41"
        self.assertEqual(action.code, "AB41")

    def test_code_valid_shapes(self):
        """One to three letters followed by one to four digits are accepted."""
        for code in ["Z1", "Z37", "IB2", "OBJ1200"]:
            with self.subTest(code=code):
                action = self.env["sales.action"].create({"code": code, "name": code})
                self.assertEqual(action.code, code)

    def test_code_unique(self):
        """A code already in use is rejected with a message naming its action."""
        with self.assertRaises(ValidationError) as caught:
            self.env["sales.action"].create({"code": "t100", "name": "Duplicate"})
        self.assertIn("T100", str(caught.exception))
        self.assertIn(self.action.name, str(caught.exception))

    def test_code_unique_archived(self):
        """The code of an archived action stays reserved."""
        self.action.action_archive()
        with self.assertRaises(ValidationError):
            self.env["sales.action"].create({"code": "T100", "name": "Reuse"})

    def test_code_unique_on_write(self):
        """Renaming an action to another action's code is rejected."""
        other = self.env["sales.action"].create({"code": "T101", "name": "Other"})
        with self.assertRaises(ValidationError):
            other.code = "T100"

    def test_display_name_code(self):
        """The display name puts the code in brackets before the name."""
        self.assertEqual(self.action.display_name, "[T100] Test action: confirm the budget owner")

    def test_name_search_code(self):
        """Searching by code finds the action, as a rep typing D13 expects."""
        found = self.env["sales.action"].name_search("T100")
        self.assertEqual([row[0] for row in found], [self.action.id])

    def test_archive_hidden(self):
        """An archived action leaves the default search but stays readable."""
        self.action.action_archive()
        self.assertNotIn(self.action, self.env["sales.action"].search([("code", "=", "T100")]))
        archived = (
            self.env["sales.action"].with_context(active_test=False).search([("code", "=", "T100")])
        )
        self.assertEqual(archived, self.action)
        self.assertEqual(archived.with_user(self.user_salesman).name, self.action.name)

    def test_unlink_unused(self):
        """An action that nothing refers to can be deleted."""
        action = self.env["sales.action"].create({"code": "T102", "name": "Unused"})
        action.unlink()
        self.assertFalse(action.exists())

    def test_unlink_used_rejected(self):
        """An action reported as in use cannot be deleted, and the error asks to archive it."""
        used = self.env["sales.action"].browse(self.action.id)
        with (
            patch.object(type(used), "_get_used_actions", lambda actions: actions),
            self.assertRaises(UserError) as caught,
        ):
            used.unlink()
        self.assertTrue(self.action.exists())
        self.assertIn("[T100]", str(caught.exception))
        self.assertIn("Archive", str(caught.exception))

    def test_document_linked(self):
        """A document uploaded before the action existed is linked to it and readable by reps."""
        attachment = self.env["ir.attachment"].create(
            {
                "name": "scoring_sheet.txt",
                "raw": b"weights",
                "res_model": "sales.action",
                "res_id": 0,
            }
        )
        action = self.env["sales.action"].create(
            {"code": "T103", "name": "With document", "document_ids": [(6, 0, attachment.ids)]}
        )
        self.assertEqual(attachment.res_id, action.id)
        self.assertEqual(attachment.res_model, "sales.action")
        self.assertEqual(
            action.with_user(self.user_salesman).document_ids.mapped("name"), ["scoring_sheet.txt"]
        )

    def test_document_other_record_kept(self):
        """A document that already belongs to another record keeps its owner."""
        partner = self.env["res.partner"].create({"name": "Owner"})
        attachment = self.env["ir.attachment"].create(
            {
                "name": "contract.pdf",
                "raw": b"%PDF",
                "res_model": "res.partner",
                "res_id": partner.id,
            }
        )
        self.action.document_ids = [(4, attachment.id)]
        self.assertEqual((attachment.res_model, attachment.res_id), ("res.partner", partner.id))

    def test_code_unique_other_company(self):
        """A code taken in a hidden company is rejected without revealing that action."""
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.env["sales.action"].create(
            {"code": "T104", "name": "Private playbook", "company_id": other_company.id}
        )
        with self.assertRaises(ValidationError) as caught:
            self.env["sales.action"].with_user(self.user_manager).create(
                {"code": "T104", "name": "Clash"}
            )
        self.assertIn("T104", str(caught.exception))
        self.assertNotIn("Private playbook", str(caught.exception))
