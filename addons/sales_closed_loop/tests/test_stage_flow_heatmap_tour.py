from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestStageFlowHeatmapTour(HttpCase):
    """Solution Matching stays of the previous month, by team and salesperson.

    ======= ===== ========== ====
    lead    team  salesman   days
    ======= ===== ========== ====
    Alpha   North Ann        4
    Beta    North Bob        2
    Gamma   South Ann        9
    Delta   South Bob        6
    Epsilon West  Ann        20
    ======= ===== ========== ====

    The medians: 6.0 for all, 3.0 for North, 5.0 for North and South, 6.5 for
    North and South with Ann, and 4.0 for North with Ann. Cid (North) and Dan
    (West) have a Needs Diagnosis stay only, so that each team lists other
    salespeople.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The tours read English and Chinese labels: a database may lack either language.
        cls.env["res.lang"]._activate_lang("en_US")
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.user_manager = new_test_user(
            cls.env,
            login="cl_heatmap_tour",
            groups="sales_team.group_sale_manager",
            lang="en_US",
            tz="UTC",
        )
        salespeople = {
            name: new_test_user(
                cls.env,
                login=f"cl_heatmap_tour_{name.lower()}",
                groups="sales_team.group_sale_salesman",
                name=f"Heat Map Tour {name}",
            )
            for name in ("Ann", "Bob", "Cid", "Dan")
        }
        teams = {
            name: cls.env["crm.team"].create({"name": f"Heat Map Tour {name}"})
            for name in ("North", "South", "West")
        }
        matching = cls.env.ref("sales_closed_loop.stage_solution_matching")
        consensus = cls.env.ref("sales_closed_loop.stage_value_consensus")

        # Stays in the middle of the previous month, inside the screen's default range.
        start = datetime.combine(
            fields.Date.today().replace(day=15) - relativedelta(months=1), datetime.min.time()
        ) + timedelta(hours=12)
        History = cls.env["crm.lead.stage.history"].sudo()
        for name, team, salesman, days in (
            ("Alpha", "North", "Ann", 4),
            ("Beta", "North", "Bob", 2),
            ("Gamma", "South", "Ann", 9),
            ("Delta", "South", "Bob", 6),
            ("Epsilon", "West", "Ann", 20),
        ):
            lead = cls.env["crm.lead"].create(
                {
                    "name": f"Heat Map Tour {name}",
                    "type": "opportunity",
                    "team_id": teams[team].id,
                    "user_id": salespeople[salesman].id,
                }
            )
            History.search([("lead_id", "=", lead.id)]).unlink()
            stay = {
                "lead_id": lead.id,
                "team_id": teams[team].id,
                "user_id": salespeople[salesman].id,
            }
            History.create(
                [
                    {
                        **stay,
                        "stage_id": matching.id,
                        "date_in": start,
                        "date_out": start + timedelta(days=days),
                    },
                    {**stay, "stage_id": consensus.id, "date_in": start + timedelta(days=days)},
                ]
            )

        diagnosis = cls.env.ref("sales_closed_loop.stage_needs_diagnosis")
        for name, team, salesman in (("Zeta", "North", "Cid"), ("Eta", "West", "Dan")):
            lead = cls.env["crm.lead"].create(
                {
                    "name": f"Heat Map Tour {name}",
                    "type": "opportunity",
                    "team_id": teams[team].id,
                    "user_id": salespeople[salesman].id,
                }
            )
            History.search([("lead_id", "=", lead.id)]).unlink()
            History.create(
                {
                    "lead_id": lead.id,
                    "team_id": teams[team].id,
                    "user_id": salespeople[salesman].id,
                    "stage_id": diagnosis.id,
                    "date_in": start,
                    "date_out": start + timedelta(days=3),
                }
            )

    def test_heatmap_tour(self):
        """The heat map filters on two teams and a salesperson and opens their leads."""
        self.start_tour("/odoo", "sales_closed_loop_heatmap", login=self.user_manager.login)

    def test_heatmap_tour_rejected(self):
        """When the server rejects the months, the pickers and the summary show the grid's."""
        Report = type(self.env["crm.lead.stage.flow.report"])
        get_heatmap_data = Report.get_heatmap_data

        @api.model
        def reject_long_ranges(report, date_from, date_to, **kwargs):
            # The default six months pass; a longer range is rejected like one over 36 months.
            if fields.Date.to_date(date_from) < fields.Date.today() - relativedelta(months=6):
                raise UserError("Heat map test rejection")
            return get_heatmap_data(report, date_from, date_to, **kwargs)

        self.patch(Report, "get_heatmap_data", reject_long_ranges)
        self.start_tour(
            "/odoo/action-sales_closed_loop.crm_lead_stage_flow_heatmap_action",
            "sales_closed_loop_heatmap_rejected",
            login=self.user_manager.login,
        )

    def test_heatmap_tour_chinese(self):
        """A Chinese user on a browser in another language gets Chinese month labels and pickers."""
        manager_zh = new_test_user(
            self.env,
            login="cl_heatmap_tour_zh",
            groups="sales_team.group_sale_manager",
            lang="zh_CN",
            tz="UTC",
        )
        self.start_tour(
            "/odoo/action-sales_closed_loop.crm_lead_stage_flow_heatmap_action",
            "sales_closed_loop_heatmap_chinese",
            login=manager_zh.login,
        )


@tagged("post_install", "-at_install")
class TestStageFlowHeatmapOldHistory(HttpCase):
    def test_heatmap_opens_on_last_months(self):
        """With a history that ended years ago, the screen opens on its last six months."""
        self.env["res.lang"]._activate_lang("en_US")
        manager = new_test_user(
            self.env,
            login="cl_heatmap_old",
            groups="sales_team.group_sale_manager",
            lang="en_US",
            tz="UTC",
        )
        matching = self.env.ref("sales_closed_loop.stage_solution_matching")
        consensus = self.env.ref("sales_closed_loop.stage_value_consensus")

        History = self.env["crm.lead.stage.history"].sudo()
        # Only an old, imported-like history: no stay in the default months.
        History.search([]).unlink()
        lead = self.env["crm.lead"].create({"name": "Heat Map Old Deal", "type": "opportunity"})
        History.search([("lead_id", "=", lead.id)]).unlink()
        History.create(
            [
                {
                    "lead_id": lead.id,
                    "stage_id": matching.id,
                    "date_in": datetime(2019, 3, 4, 12),
                    "date_out": datetime(2019, 3, 10, 12),
                },
                {
                    "lead_id": lead.id,
                    "stage_id": consensus.id,
                    "date_in": datetime(2019, 3, 10, 12),
                    "date_out": datetime(2019, 3, 12, 12),
                },
            ]
        )

        self.start_tour(
            "/odoo/action-sales_closed_loop.crm_lead_stage_flow_heatmap_action",
            "sales_closed_loop_heatmap_old_history",
            login=manager.login,
        )
