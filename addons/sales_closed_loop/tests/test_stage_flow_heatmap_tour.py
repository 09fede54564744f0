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
