from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSalesActionTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The tour reads English labels: a database created in Chinese may lack English.
        cls.env["res.lang"]._activate_lang("en_US")
        cls.user_salesman = new_test_user(
            cls.env,
            login="kb_tour_salesman",
            groups="sales_team.group_sale_salesman",
            lang="en_US",
        )
        customer = cls.env["res.partner"].create(
            {
                "name": "Ningbo Gearbox Works",
                "is_company": True,
                "industry_id": cls.env.ref("base.res_partner_industry_C").id,
            }
        )
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Gearbox line monitoring",
                "type": "opportunity",
                "partner_id": customer.id,
                "user_id": cls.user_salesman.id,
                "stage_id": cls.env.ref("sales_closed_loop.stage_lead_screening").id,
            }
        )

    def test_use_from_lead_tour(self):
        """A rep clicks Use on a suggested action and the use is stored for them."""
        self.start_tour(
            f"/odoo/crm/{self.lead.id}",
            "sales_action_kb_use_from_lead",
            login=self.user_salesman.login,
        )

        usage = self.lead.action_usage_ids
        self.assertEqual(usage.action_id, self.env.ref("sales_action_kb.sales_action_d1"))
        self.assertEqual(usage.user_id, self.user_salesman)
        self.assertEqual(usage.source, "lead_form")
