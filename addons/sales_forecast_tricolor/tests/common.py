from datetime import date

from odoo.tests import TransactionCase, new_test_user


class ForecastCommon(TransactionCase):
    """Two sales reps, a sales team and the shipped evidence types."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "forecast_weight_green": 0.9,
                "forecast_weight_yellow": 0.6,
                "forecast_weight_red": 0.2,
            }
        )

        cls.user_salesman = new_test_user(
            cls.env,
            login="fc_salesman",
            name="Forecast Salesman",
            groups="sales_team.group_sale_salesman",
        )
        cls.user_salesman_other = new_test_user(
            cls.env,
            login="fc_salesman_other",
            name="Forecast Other Salesman",
            groups="sales_team.group_sale_salesman",
        )
        cls.user_all_leads = new_test_user(
            cls.env,
            login="fc_all_leads",
            name="Forecast All Leads",
            groups="sales_team.group_sale_salesman_all_leads",
        )
        cls.user_manager = new_test_user(
            cls.env,
            login="fc_manager",
            name="Forecast Manager",
            groups="sales_team.group_sale_manager",
        )

        cls.team = cls.env["crm.team"].create(
            {"name": "Forecast Team", "company_id": cls.company.id}
        )

        cls.type_verbal_commitment = cls.env.ref(
            "sales_closed_loop.evidence_type_verbal_commitment"
        )
        cls.type_purchase_intent = cls.env.ref("sales_closed_loop.evidence_type_purchase_intent")
        cls.type_payment_voucher = cls.env.ref("sales_closed_loop.evidence_type_payment_voucher")
        cls.type_purchase_order = cls.env.ref("sales_closed_loop.evidence_type_purchase_order")
        cls.stage_won = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        cls.stage_open = cls.env.ref("sales_closed_loop.stage_lead_screening")

    @classmethod
    def _create_opportunity(cls, **vals):
        values = {
            "name": "Forecast Opportunity",
            "type": "opportunity",
            "team_id": cls.team.id,
            "user_id": cls.user_salesman.id,
            "expected_revenue": 10000.0,
            "date_deadline": date(2026, 4, 30),
        }
        values.update(vals)
        return cls.env["crm.lead"].create(values)

    @classmethod
    def _set_stage(cls, lead, stage):
        # The import context lets a test place a deal in any stage without
        # walking it through every gated stage.
        lead.with_context(sales_closed_loop_import=True).write({"stage_id": stage.id})

    @classmethod
    def _add_evidence(cls, lead, evidence_type, evidence_date=date(2026, 3, 2)):
        return cls.env["crm.lead.evidence"].create(
            {
                "lead_id": lead.id,
                "type_id": evidence_type.id,
                "date": evidence_date,
            }
        )
