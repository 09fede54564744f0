import re

from odoo.tests import TransactionCase, new_test_user

# Any character of the CJK Unified Ideographs block: a Chinese text has many.
CJK_PATTERN = re.compile(r"[\u4e00-\u9fff]")

STAGE_XMLIDS = [
    "sales_closed_loop.stage_lead_screening",
    "sales_closed_loop.stage_needs_diagnosis",
    "sales_closed_loop.stage_solution_matching",
    "sales_closed_loop.stage_value_consensus",
    "sales_closed_loop.stage_contract_closing",
]


class SalesActionCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_salesman = new_test_user(
            cls.env, login="kb_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.user_salesman_all = new_test_user(
            cls.env, login="kb_salesman_all", groups="sales_team.group_sale_salesman_all_leads"
        )
        cls.user_manager = new_test_user(
            cls.env, login="kb_manager", groups="sales_team.group_sale_manager"
        )
        cls.stages = cls.env["crm.stage"].browse([cls.env.ref(xmlid).id for xmlid in STAGE_XMLIDS])
        cls.tag = cls.env["sales.action.tag"].create({"name": "Test tag"})
        cls.action = cls.env["sales.action"].create(
            {
                "code": "T100",
                "name": "Test action: confirm the budget owner",
                "category": "decision_chain",
                "stage_ids": [(6, 0, cls.stages[:2].ids)],
                "tag_ids": [(6, 0, cls.tag.ids)],
                "script": "<p>Ask who signs off the budget.</p>",
            }
        )

    @classmethod
    def _shipped_actions(cls):
        """Return the actions this module ships as data, archived ones included."""
        data = cls.env["ir.model.data"].search(
            [("module", "=", "sales_action_kb"), ("model", "=", "sales.action")]
        )
        return cls.env["sales.action"].with_context(active_test=False).browse(data.mapped("res_id"))
