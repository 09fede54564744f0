import base64
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from ..models.crm_lead_share_link import SHARE_ROUTE
from .silence_common import MONDAY, SilenceCase

FILE = b"%PDF-1.4 quotation for Harbour Logistics"
# The nudge flagged the lead: two days after our last message, then a bit.
NOW = MONDAY + timedelta(hours=50)


@tagged("post_install", "-at_install")
class TestShareLink(HttpCase, SilenceCase):
    """A customer opening a tracked share link counts as a customer interaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.attachment = cls.env["ir.attachment"].create(
            {
                "name": "Quotation Q-0042.pdf",
                "datas": base64.b64encode(FILE),
                "res_model": "crm.lead",
                "res_id": cls.lead.id,
                "mimetype": "application/pdf",
            }
        )
        cls.link = (
            cls.env["crm.lead.share.link"]
            .with_user(cls.user_salesman)
            .create({"lead_id": cls.lead.id, "attachment_id": cls.attachment.id})
        )
        cls.lead.sudo().silence_needs_intervention = True

    def _open(self, moment=NOW, link=None):
        token = (link or self.link).sudo().token
        with freeze_time(moment):
            return self.url_open(SHARE_ROUTE + token)

    def _views(self):
        return self.lead.interaction_ids.filtered(lambda row: row.kind == "document_view")

    def test_customer_view(self):
        """A customer view serves the file, updates the ledger and clears the nudge flag."""
        response = self._open()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, FILE)
        self.assertEqual(self.lead.last_interaction_date, NOW)
        self.assertEqual(self.lead.last_customer_reply_date, NOW)
        self.assertFalse(self.lead.silence_needs_intervention)
        self.assertEqual(len(self._views()), 1)
        self.assertEqual(self._views().direction, "inbound")
        self.assertEqual(self.link.view_count, 1)
        self.assertEqual(self.link.first_view_date, NOW)
        self.assertEqual(self.link.last_view_date, NOW)

    def test_head_request_ignored(self):
        """A HEAD request on the link gets a response but is not counted as a view."""
        with freeze_time(NOW):
            response = self.opener.head(self.base_url() + SHARE_ROUTE + self.link.sudo().token)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(self._views())
        self.assertEqual(self.link.view_count, 0)

    def test_internal_view_ignored(self):
        """A salesperson opening their own link while logged in is not counted."""
        self.authenticate("cl_salesman", "cl_salesman")
        response = self._open()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, FILE)
        self.assertFalse(self._views())
        self.assertEqual(self.lead.last_interaction_date, MONDAY)
        self.assertTrue(self.lead.silence_needs_intervention)
        self.assertEqual(self.link.view_count, 0)

    def test_revoked_not_found(self):
        """A revoked link returns 404 and records nothing."""
        self.link.with_user(self.user_salesman).action_revoke()
        self.assertEqual(self._open().status_code, 404)
        self.assertFalse(self._views())
        self.assertTrue(self.link.revoked_date)

    def test_unknown_not_found(self):
        """An unknown token returns 404."""
        with freeze_time(NOW):
            response = self.url_open(SHARE_ROUTE + "not-a-real-token")
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self._views())

    def test_repeated_views_once(self):
        """Views within an hour of the counted one are counted but recorded once."""
        for minutes in (0, 10, 59):
            self.assertEqual(self._open(NOW + timedelta(minutes=minutes)).status_code, 200)
        self.assertEqual(len(self._views()), 1)
        self.assertEqual(self.link.view_count, 3)
        self.assertEqual(self.link.last_view_date, NOW + timedelta(minutes=59))

        self._open(NOW + timedelta(minutes=61))
        self.assertEqual(len(self._views()), 2)
        self.assertEqual(self.lead.last_interaction_date, NOW + timedelta(minutes=61))

    def test_foreign_file_refused(self):
        """A file of another lead cannot be shared from this lead."""
        other_file = self.env["ir.attachment"].create(
            {
                "name": "Other.pdf",
                "raw": b"x",
                "res_model": "crm.lead",
                "res_id": self.lead_other.id,
            }
        )
        with self.assertRaises(UserError):
            self.env["crm.lead.share.link"].create(
                {"lead_id": self.lead.id, "attachment_id": other_file.id}
            )

    def test_other_rep_refused(self):
        """A salesperson cannot share a file of a lead they cannot read."""
        with self.assertRaises(AccessError):
            self.env["crm.lead.share.link"].with_user(self.user_salesman_other).create(
                {"lead_id": self.lead.id, "attachment_id": self.attachment.id}
            )

    def test_evidence_wizard(self):
        """Share Link on an evidence line with one file creates a link to that file."""
        evidence = (
            self.env["crm.lead.evidence"]
            .with_user(self.user_salesman)
            .create(
                {
                    "lead_id": self.lead.id,
                    "type_id": self.type_intent.id,
                    "attachment_ids": [(4, self.attachment.id)],
                }
            )
        )
        action = evidence.action_share_link()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.user_salesman)
            .with_context(**action["context"])
            .create({})
        )
        self.assertEqual(wizard.attachment_id, self.attachment)
        wizard.action_create_link()
        self.assertEqual(wizard.link_id.evidence_id, evidence)
        self.assertIn(SHARE_ROUTE + wizard.link_id.sudo().token, wizard.url)
        self.assertEqual(self.lead.share_link_count, 2)
