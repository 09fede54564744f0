from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestForecastGraphTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The tour reads English labels: a database created in Chinese may lack English.
        cls.env["res.lang"]._activate_lang("en_US")
        cls.user_manager = new_test_user(
            cls.env,
            login="fc_graph_manager",
            groups="sales_team.group_sale_manager",
            lang="en_US",
        )
        today = fields.Date.today()
        evidence_by_color = {
            "green": "sales_closed_loop.evidence_type_payment_voucher",
            "yellow": "sales_closed_loop.evidence_type_purchase_intent",
            "red": None,
        }
        cls.leads = cls.env["crm.lead"]
        for color, evidence_xmlid in evidence_by_color.items():
            lead = cls.env["crm.lead"].create(
                {
                    "name": f"Graph Tour {color}",
                    "type": "opportunity",
                    "user_id": cls.user_manager.id,
                    "expected_revenue": 10000.0,
                    "date_deadline": today + timedelta(days=20),
                }
            )
            if evidence_xmlid:
                cls.env["crm.lead.evidence"].create(
                    {"lead_id": lead.id, "type_id": cls.env.ref(evidence_xmlid).id, "date": today}
                )
            cls.leads |= lead

    def test_graph_colors(self):
        """The forecast graph draws green, yellow and red groups in their own colour."""
        self.assertEqual(
            self.leads.mapped("forecast_color"),
            ["green", "yellow", "red"],
            "The tour needs one deal of each colour.",
        )

        self.start_tour(
            "/odoo/action-sales_forecast_tricolor.sales_forecast_report_action",
            "sales_forecast_tricolor_graph_colors",
            login=self.user_manager.login,
        )
