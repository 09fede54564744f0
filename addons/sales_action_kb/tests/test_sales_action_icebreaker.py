from odoo.tests import tagged

from .common import SalesActionCommon


@tagged("post_install", "-at_install")
class TestSalesActionIcebreaker(SalesActionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls.env["crm.lead"].create(
            {"name": "Silent customer", "type": "opportunity", "stage_id": cls.stages[0].id}
        )
        cls.icebreakers = cls.env["sales.action"].search([("category", "=", "ice_breaking")])

    def test_nudge_uses_library(self):
        """The nudge's three ice-breakers are the library's ice-breaking actions."""
        templates = self.lead._get_icebreaker_templates(limit=3)

        self.assertEqual(len(templates), 3)
        names = {action.display_name for action in self.icebreakers}
        for template in templates:
            self.assertIn(template["name"], names)
            self.assertTrue(template["body"].strip())
            self.assertNotIn("<p>", template["body"])

    def test_nudge_industry_first(self):
        """An ice-breaker for the lead's industry comes before the general ones."""
        industry = self.env["res.partner.industry"].create({"name": "Cold-chain logistics"})
        action = self.env["sales.action"].create(
            {
                "code": "IB901",
                "name": "Cold-chain opener",
                "category": "ice_breaking",
                "industry_ids": [(6, 0, industry.ids)],
                "script": "<p>Your summer peak is coming: shall we check capacity?</p>",
            }
        )
        self.lead.industry_id = industry

        templates = self.lead._get_icebreaker_templates(limit=3)

        self.assertEqual(templates[0]["name"], action.display_name)
        self.assertIn("summer peak", templates[0]["body"])

    def test_nudge_falls_back_to_shipped(self):
        """With more requested than the library has, the shipped templates fill the rest."""
        limit = len(self.icebreakers) + 2

        templates = self.lead._get_icebreaker_templates(limit=limit)

        self.assertEqual(len(templates), limit)
        library_names = {action.display_name for action in self.icebreakers}
        self.assertFalse(templates[-1]["name"] in library_names)
