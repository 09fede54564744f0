"""The Maven sample pipeline, imported and read through all three modules.

The files live in ``shared/data`` beside the checkout and are never copied
into the repository; the test is skipped, with the reason, without them.
"""

import csv
from collections import Counter
from pathlib import Path

import pytest

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.sales_closed_loop.cli.import_pipeline import import_pipeline_folder

MAVEN_DIR = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "maven_crm_sales_opportunities"
).resolve()

GATED_STAGES = (
    "sales_closed_loop.stage_lead_screening",
    "sales_closed_loop.stage_needs_diagnosis",
    "sales_closed_loop.stage_solution_matching",
    "sales_closed_loop.stage_value_consensus",
    "sales_closed_loop.stage_contract_closing",
)


def read_open_deal_values():
    """Return the file's open deals as {opportunity_id: product list price}.

    Computed from the CSV files alone, so the forecast totals are checked
    against the source and not against the importer's own arithmetic.
    """
    with open(MAVEN_DIR / "products.csv", newline="", encoding="utf-8") as handle:
        prices = {
            row["product"].replace(" ", "").lower(): float(row["sales_price"])
            for row in csv.DictReader(handle)
        }
    with open(MAVEN_DIR / "sales_pipeline.csv", newline="", encoding="utf-8") as handle:
        return {
            row["opportunity_id"]: prices[row["product"].replace(" ", "").lower()]
            for row in csv.DictReader(handle)
            if row["deal_stage"] in ("Prospecting", "Engaging")
        }


@pytest.mark.skipif(not MAVEN_DIR.is_dir(), reason=f"Maven data set not found in {MAVEN_DIR}")
@tagged("post_install", "-at_install")
class TestMavenPipeline(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wizard = import_pipeline_folder(cls.env, MAVEN_DIR)
        cls.open_values = read_open_deal_values()
        cls.open_leads = cls.env["crm.lead"].search(
            [("import_ref", "in", list(cls.open_values)), ("stage_id.is_won", "=", False)]
        )

    def test_open_deals_in_gated_stages(self):
        """Every open Maven deal sits in one of the five gated stages."""
        gated = self.env["crm.stage"].browse([self.env.ref(xmlid).id for xmlid in GATED_STAGES])
        self.assertEqual(len(self.open_leads), 2089)
        self.assertLessEqual(set(self.open_leads.stage_id.ids), set(gated.ids))
        by_stage = Counter(self.open_leads.mapped("stage_id.id"))
        self.assertTrue(by_stage[gated[0].id])
        self.assertTrue(by_stage[gated[1].id])

    def test_kanban_shows_open_deals(self):
        """The pipeline's kanban grouping by stage counts every open deal."""
        groups = self.env["crm.lead"]._read_group(
            [("type", "=", "opportunity"), ("import_ref", "!=", False)],
            ["stage_id"],
            ["__count"],
        )
        gated_ids = {self.env.ref(xmlid).id for xmlid in GATED_STAGES}
        open_count = sum(count for stage, count in groups if stage.id in gated_ids)
        self.assertEqual(open_count, 2089)

    def test_forecast_totals_per_month_team(self):
        """The forecast report has a non-zero weighted total per month and team."""
        report = self.env["sales.forecast.report"]
        domain = [("lead_id", "in", self.open_leads.ids)]
        groups = report._read_group(
            domain, ["date_deadline:month", "team_id"], ["weighted_revenue:sum"]
        )
        self.assertGreater(len(groups), 6)
        for month, team, weighted in groups:
            self.assertTrue(team, f"a forecast row of {month} has no team")
            self.assertGreater(weighted, 0, f"{team.name} has no weighted total in {month}")

    def test_forecast_total_matches_file(self):
        """Deals without evidence count red: 0.2 of the file's list prices."""
        red_weight = self.env.company.forecast_weight_red
        expected = sum(self.open_values.values()) * red_weight
        [(total,)] = self.env["sales.forecast.report"]._read_group(
            [("lead_id", "in", self.open_leads.ids)], [], ["weighted_revenue:sum"]
        )
        self.assertEqual(set(self.open_leads.mapped("forecast_color")), {"red"})
        self.assertAlmostEqual(total, expected, places=2)

    def test_move_after_import_is_gated(self):
        """A salesperson cannot move an imported deal past a stage."""
        screening = self.env.ref("sales_closed_loop.stage_lead_screening")
        matching = self.env.ref("sales_closed_loop.stage_solution_matching")
        lead = self.open_leads.filtered(lambda lead: lead.stage_id == screening)[:1]
        self.assertTrue(lead)
        with self.assertRaises(UserError):
            lead.with_user(lead.user_id).write({"stage_id": matching.id})
        self.assertEqual(lead.stage_id, screening)
