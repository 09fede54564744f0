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
        """Create an opportunity of the test team, in the first stage unless ``values`` sets one."""
        return cls.env["crm.lead"].create(
            {
                "name": name,
                "type": "opportunity",
                "team_id": cls.team.id,
                "user_id": user.id,
                **values,
            }
        )

    _files_made = 0

    @classmethod
    def _file_counter(cls):
        ClosedLoopCase._files_made += 1
        return ClosedLoopCase._files_made

    @classmethod
    def _add_evidence(cls, lead, evidence_type, with_file=True):
        """Add an evidence record of ``evidence_type`` to ``lead``, with one file or none."""
        attachments = cls.env["ir.attachment"]
        if with_file:
            attachments = cls.env["ir.attachment"].create(
                {
                    "name": f"{evidence_type.code}.pdf",
                    # Distinct content per file: files of equal content count once.
                    "datas": base64.b64encode(
                        f"%PDF-1.4 {evidence_type.code} {lead.id} {cls._file_counter()}".encode()
                    ),
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

    @classmethod
    def _fill_gate_fields(cls, lead):
        """Fill in the fields the shipped stages require (amount, closing date) and a customer."""
        partner = cls.env["res.partner"].create({"name": f"Customer of {lead.name}"})
        lead.write(
            {"expected_revenue": 25000, "date_deadline": "2026-12-30", "partner_id": partner.id}
        )

    def _walk_to(self, lead, stage):
        """Move ``lead`` one stage at a time to ``stage``, meeting each gate on the way."""
        pipeline = [
            self.stage_screening,
            self.stage_diagnosis,
            self.stage_matching,
            self.stage_consensus,
            self.stage_closing,
            self.stage_won,
        ]
        self._fill_gate_fields(lead)
        for next_stage in pipeline[pipeline.index(lead.stage_id) + 1 : pipeline.index(stage) + 1]:
            for rule in next_stage.gate_evidence_ids:
                for _count in range(rule.min_count):
                    self._add_evidence(lead, rule.type_ids[:1])
            lead.write({"stage_id": next_stage.id})

    def _history(self, lead):
        return self.env["crm.lead.stage.history"].search(
            [("lead_id", "=", lead.id)], order="date_in, id"
        )
