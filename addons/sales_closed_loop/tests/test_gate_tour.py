from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException


@tagged("post_install", "-at_install")
class TestGateTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The tour reads English labels: a database created in Chinese may lack English.
        cls.env["res.lang"]._activate_lang("en_US")
        cls.user_salesman = new_test_user(
            cls.env,
            login="cl_tour_salesman",
            groups="sales_team.group_sale_salesman",
            lang="en_US",
        )
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Gate Tour Harbour Cranes",
                "type": "opportunity",
                "user_id": cls.user_salesman.id,
            }
        )

    def test_kanban_drag_refused(self):
        """A card dragged to Needs Diagnosis without pain points is refused and stays."""
        screening = self.env.ref("sales_closed_loop.stage_lead_screening")
        self.assertEqual(self.lead.stage_id, screening)

        self.start_tour(
            "/odoo/crm", "sales_closed_loop_gate_kanban_drag", login=self.user_salesman.login
        )

        self.lead.invalidate_recordset()
        self.assertEqual(self.lead.stage_id, screening)

    def test_statusbar_click_refused(self):
        """A rejected statusbar click puts the form back on the lead's real stage."""
        screening = self.env.ref("sales_closed_loop.stage_lead_screening")

        self.start_tour(
            "/odoo/crm", "sales_closed_loop_statusbar_refused", login=self.user_salesman.login
        )

        self.lead.invalidate_recordset()
        self.assertEqual(self.lead.stage_id, screening)

    def test_lead_evidence_tab(self):
        """The lead form shows the evidence and stage history tabs and the button."""
        self.env["crm.lead.evidence"].create(
            {
                "lead_id": self.lead.id,
                "type_id": self.env.ref("sales_closed_loop.evidence_type_pain_points").id,
                "note": "Scanned at the customer's site",
            }
        )

        self.start_tour(
            "/odoo/crm", "sales_closed_loop_lead_evidence", login=self.user_salesman.login
        )

    def test_kanban_quick_create_refused(self):
        """Quick-creating a card in Needs Diagnosis is refused and adds no card."""
        self.start_tour(
            "/odoo/crm", "sales_closed_loop_gate_quick_create", login=self.user_salesman.login
        )

        self.assertFalse(self.env["crm.lead"].search([("name", "=", "Gate Tour Skipped Start")]))

    def test_checklist_badge_filter(self):
        """The card badge, the form checklist and the Blocked at Gate filter show the gate."""
        self.start_tour(
            "/odoo/crm", "sales_closed_loop_gate_checklist", login=self.user_salesman.login
        )

    def test_jsonrpc_batch_write_refused(self):
        """A JSON-RPC write on several leads is refused for all of them."""
        other = self.env["crm.lead"].create(
            {
                "name": "Gate Tour Second Crane",
                "type": "opportunity",
                "user_id": self.user_salesman.id,
            }
        )
        leads = self.lead | other
        diagnosis = self.env.ref("sales_closed_loop.stage_needs_diagnosis")
        self.authenticate(self.user_salesman.login, self.user_salesman.login)

        with self.assertRaises(JsonRpcException) as error:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/crm.lead/write",
                {
                    "model": "crm.lead",
                    "method": "write",
                    "args": [leads.ids, {"stage_id": diagnosis.id}],
                    "kwargs": {},
                },
            )

        self.assertEqual(str(error.exception), "odoo.exceptions.UserError")
        leads.invalidate_recordset()
        self.assertEqual(leads.stage_id, self.env.ref("sales_closed_loop.stage_lead_screening"))
