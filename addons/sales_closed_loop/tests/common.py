import base64

from odoo.tests import TransactionCase, new_test_user


class ClosedLoopCase(TransactionCase):
    """Pipeline, users and one opportunity per rep for the stage gate tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_screening = cls.env.ref("sales_closed_loop.stage_lead_screening")
        cls.stage_diagnosis = cls.env.ref("sales_closed_loop.stage_needs_diagnosis")
        cls.stage_matching = cls.env.ref("sales_closed_loop.stage_solution_matching")
        cls.stage_consensus = cls.env.ref("sales_closed_loop.stage_value_consensus")
        cls.stage_closing = cls.env.ref("sales_closed_loop.stage_contract_closing")
        cls.stage_won = cls.env.ref("crm.stage_lead4")

        cls.type_pain_points = cls.env.ref("sales_closed_loop.evidence_type_pain_points")
        cls.type_verbal = cls.env.ref("sales_closed_loop.evidence_type_verbal_commitment")
        cls.type_intent = cls.env.ref("sales_closed_loop.evidence_type_purchase_intent")

        cls.user_salesman = new_test_user(
            cls.env, login="cl_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.user_salesman_other = new_test_user(
            cls.env, login="cl_salesman_other", groups="sales_team.group_sale_salesman"
        )
        cls.user_all_leads = new_test_user(
            cls.env, login="cl_all_leads", groups="sales_team.group_sale_salesman_all_leads"
        )
        cls.user_manager = new_test_user(
            cls.env, login="cl_manager", groups="sales_team.group_sale_manager"
        )
        cls.user_admin = new_test_user(
            cls.env,
            login="cl_admin",
            groups="base.group_system,sales_team.group_sale_manager",
        )

        cls.team = cls.env["crm.team"].create({"name": "Closed-Loop East"})
        cls.lead = cls._create_lead("Harbour Logistics upgrade", cls.user_salesman)
        cls.lead_other = cls._create_lead("Riverside Foods kiosks", cls.user_salesman_other)

    @classmethod
    def _create_lead(cls, name, user, **values):
        """Create an opportunity of the test team, in the first stage unless told."""
        return cls.env["crm.lead"].create(
            {
                "name": name,
                "type": "opportunity",
                "team_id": cls.team.id,
                "user_id": user.id,
                **values,
            }
        )

    @classmethod
    def _add_evidence(cls, lead, evidence_type, with_file=True):
        """Add an evidence record of ``evidence_type`` to ``lead``, with one file or none."""
        attachments = cls.env["ir.attachment"]
        if with_file:
            attachments = cls.env["ir.attachment"].create(
                {
                    "name": f"{evidence_type.code}.pdf",
                    "datas": base64.b64encode(b"%PDF-1.4 scanned evidence"),
                    "res_model": "crm.lead",
                    "res_id": lead.id,
                }
            )
        return cls.env["crm.lead.evidence"].create(
            {
                "lead_id": lead.id,
                "type_id": evidence_type.id,
                "attachment_ids": [(6, 0, attachments.ids)],
            }
        )

    def _history(self, lead):
        return self.env["crm.lead.stage.history"].search(
            [("lead_id", "=", lead.id)], order="date_in, id"
        )
