from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestStatusbarTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The tour reads English labels: a database created in Chinese may lack English.
        cls.env["res.lang"]._activate_lang("en_US")
        cls.user_salesman = new_test_user(
            cls.env,
            login="cl_statusbar_salesman",
            groups="sales_team.group_sale_salesman",
            lang="en_US",
        )
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Statusbar Tour Cold Store",
                "type": "opportunity",
                "user_id": cls.user_salesman.id,
            }
        )

    def test_statusbar_click_refused(self):
        """A rejected statusbar click puts the form back on the lead's real stage."""
        screening = self.env.ref("sales_closed_loop.stage_lead_screening")

        self.start_tour(
            "/odoo/crm", "sales_closed_loop_statusbar_refused", login=self.user_salesman.login
        )

        self.lead.invalidate_recordset()
        self.assertEqual(self.lead.stage_id, screening)
