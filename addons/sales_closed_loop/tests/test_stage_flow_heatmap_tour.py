from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestStageFlowHeatmapTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The tour reads English labels: a database created in Chinese may lack English.
        cls.env["res.lang"]._activate_lang("en_US")
        cls.user_manager = new_test_user(
            cls.env,
            login="cl_heatmap_tour",
            groups="sales_team.group_sale_manager",
            lang="en_US",
            tz="UTC",
        )
        matching = cls.env.ref("sales_closed_loop.stage_solution_matching")
        consensus = cls.env.ref("sales_closed_loop.stage_value_consensus")
        team_north = cls.env["crm.team"].create({"name": "Heat Map Tour North"})
        team_south = cls.env["crm.team"].create({"name": "Heat Map Tour South"})

        # Stays in the middle of the previous month, inside the screen's default range.
        start = datetime.combine(
            fields.Date.today().replace(day=15) - relativedelta(months=1), datetime.min.time()
        ) + timedelta(hours=12)
        History = cls.env["crm.lead.stage.history"].sudo()
        for name, team, days in (
            ("Heat Map Tour Alpha", team_north, 4),
            ("Heat Map Tour Beta", team_north, 2),
            ("Heat Map Tour Gamma", team_south, 8),
        ):
            lead = cls.env["crm.lead"].create(
                {"name": name, "type": "opportunity", "team_id": team.id}
            )
            History.search([("lead_id", "=", lead.id)]).unlink()
            History.create(
                [
                    {
                        "lead_id": lead.id,
                        "stage_id": matching.id,
                        "team_id": team.id,
                        "date_in": start,
                        "date_out": start + timedelta(days=days),
                    },
                    {
                        "lead_id": lead.id,
                        "stage_id": consensus.id,
                        "team_id": team.id,
                        "date_in": start + timedelta(days=days),
                    },
                ]
            )

    def test_heatmap_tour(self):
        """The heat map shows a median, filters by team, switches measure and opens the leads."""
        self.start_tour("/odoo", "sales_closed_loop_heatmap", login=self.user_manager.login)


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
