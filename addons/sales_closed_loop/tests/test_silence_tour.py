from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSilenceTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The tour reads English labels: a database created in Chinese may lack English.
        cls.env["res.lang"]._activate_lang("en_US")
        cls.user_salesman = new_test_user(
            cls.env,
            login="cl_silence_tour",
            groups="sales_team.group_sale_salesman",
            lang="en_US",
        )
        now = fields.Datetime.now()
        values = {
            "Silence Tour Silent": {
                "last_interaction_date": now - timedelta(hours=100),
                "silence_needs_intervention": True,
            },
            "Silence Tour Busy": {"last_interaction_date": now - timedelta(hours=1)},
            "Silence Tour Escalated": {
                "last_interaction_date": now - timedelta(hours=100),
                "silence_escalated_date": now,
            },
        }
        for name, ledger in values.items():
            lead = cls.env["crm.lead"].create(
                {"name": name, "type": "opportunity", "user_id": cls.user_salesman.id}
            )
            lead.sudo().write(ledger)

    def test_silence_filters(self):
        """The pipeline shows the intervention badge and filters silent and escalated leads."""
        self.start_tour(
            "/odoo/crm", "sales_closed_loop_silence_filters", login=self.user_salesman.login
        )
