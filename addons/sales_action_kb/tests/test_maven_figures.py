"""Effectiveness, compliance and industries on the imported Maven sample pipeline.

The Maven files (``shared/data`` beside the checkout, never copied into the
repository) hold 8,800 deals of 2016-2017 but no sales action. Usage is
attributed to the historical deals by a stated, deterministic rule, so that
the figures can be checked against what the rule implies:

* ``bucket(ref, code)`` is the first 8 hex digits of SHA-256 of
  ``"<opportunity id>:<action code>"``, modulo 100: a fixed pseudo-random
  number from 0 to 99 per deal and action.
* D1, D7, D8 and D13 are attributed to every engaged deal (won, lost or
  still engaging) whose bucket is below 30, whatever its outcome. They carry
  no information, so their win rate must match the deals without them.
* D11 is attributed to won deals with a bucket below 40 and lost deals with a
  bucket below 10: a planted association the report must find and rank first.
* D5 (needs deep-dive, the dimension expected in Needs Diagnosis) is
  attributed with a rate per sales agent from 10 % (first name in alphabetical
  order) to 90 % (last), so that compliance differs between reps.

Each use is dated the day after the deal's engage date, by the deal's agent,
in Needs Diagnosis, the stage the importer gives engaged deals.
"""

import hashlib
import unittest
from datetime import date, datetime, time, timedelta
from pathlib import Path

from odoo.tests import TransactionCase, tagged

from odoo.addons.sales_closed_loop.cli.import_pipeline import import_pipeline_folder

MAVEN_DIR = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "maven_crm_sales_opportunities"
).resolve()

NULL_ACTION_CODES = ("D1", "D7", "D8", "D13")
NULL_RATE = 30
SIGNAL_WON_RATE, SIGNAL_LOST_RATE = 40, 10
COMPLIANCE_MONTH = date(2017, 7, 1)


def bucket(ref, code):
    """Return the fixed number from 0 to 99 of a deal and an action."""
    return int(hashlib.sha256(f"{ref}:{code}".encode()).hexdigest()[:8], 16) % 100


@tagged("post_install", "-at_install")
class TestMavenFigures(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not MAVEN_DIR.is_dir():
            raise unittest.SkipTest(f"The Maven sample data is not at {MAVEN_DIR}")
        import_pipeline_folder(cls.env, MAVEN_DIR)
        cls.diagnosis = cls.env.ref("sales_closed_loop.stage_needs_diagnosis")
        cls.actions = {
            code: cls.env["sales.action"].search([("code", "=", code)])
            for code in (*NULL_ACTION_CODES, "D5", "D11")
        }

        # Engaged deals and the day they were engaged (their history row in Needs Diagnosis).
        Lead = cls.env["crm.lead"].with_context(active_test=False)
        leads = Lead.search([("import_ref", "!=", False)])
        engaged = {
            row.lead_id: row.date_in
            for row in cls.env["crm.lead.stage.history"].search(
                [("lead_id", "in", leads.ids), ("stage_id", "=", cls.diagnosis.id)]
            )
        }
        agents = sorted({lead.user_id.name for lead in engaged if lead.user_id})
        cls.agent_rate = {
            name: 10 + round(80 * index / max(len(agents) - 1, 1))
            for index, name in enumerate(agents)
        }

        vals_list = []
        for lead, engaged_on in engaged.items():
            ref = lead.import_ref
            used = [code for code in NULL_ACTION_CODES if bucket(ref, code) < NULL_RATE]
            if lead.stage_id.is_won and bucket(ref, "D11") < SIGNAL_WON_RATE:
                used.append("D11")
            elif not lead.active and bucket(ref, "D11") < SIGNAL_LOST_RATE:
                used.append("D11")
            if lead.user_id and bucket(ref, "D5") < cls.agent_rate[lead.user_id.name]:
                used.append("D5")
            for code in used:
                vals_list.append(
                    {
                        "action_id": cls.actions[code].id,
                        "lead_id": lead.id,
                        "user_id": lead.user_id.id or cls.env.uid,
                        "stage_id": cls.diagnosis.id,
                        "date": engaged_on + timedelta(days=1),
                    }
                )
        cls.env["sales.action.usage"].create(vals_list)

        Effectiveness = cls.env["sales.action.effectiveness"]
        last_close = max(lead.date_closed for lead in leads if lead.date_closed).date()
        cls.last_close = last_close
        Effectiveness._refresh(cls.env["sales.action"].search([]), today=last_close)
        Effectiveness._update_ranks()
        cls.rows = {
            code: Effectiveness.search([("action_id", "=", action.id)])
            for code, action in cls.actions.items()
        }
        cls.closed = Lead.search(
            [
                ("import_ref", "!=", False),
                ("date_closed", ">=", datetime.combine(last_close - timedelta(days=365), time())),
                "|",
                ("stage_id.is_won", "=", True),
                "&",
                ("active", "=", False),
                ("probability", "=", 0),
            ]
        )

    def test_groups_cover_closed_deals(self):
        """With and without an action, the two groups add up to the closed deals of the period."""
        row = self.rows["D1"]
        self.assertEqual(row.closed_with_count + row.closed_without_count, len(self.closed))
        self.assertGreater(row.closed_with_count, 1000)

    def test_null_actions_unremarkable(self):
        """Actions attributed regardless of outcome win as often with as without."""
        for code in NULL_ACTION_CODES:
            row = self.rows[code]
            self.assertLess(abs(row.uplift), 0.05, code)
            self.assertLess(row.uplift_low, 0, code)
            self.assertGreater(row.uplift_high, 0, code)
            self.assertEqual(row.verdict, "unclear", code)

    def test_planted_signal_ranked_first(self):
        """The planted association of D11 with won deals is found and ranked first."""
        row = self.rows["D11"]
        won = len(self.closed.filtered(lambda lead: lead.stage_id.is_won))
        self.assertEqual(row.verdict, "better")
        self.assertEqual(row.rank, 1)
        self.assertGreater(row.uplift_low, 0.25)
        # 40 % of won against 10 % of lost deals: about 0.4 W / (0.4 W + 0.1 L).
        lost = len(self.closed) - won
        self.assertAlmostEqual(row.win_rate_with, 0.4 * won / (0.4 * won + 0.1 * lost), delta=0.03)

    def test_compliance_follows_attribution(self):
        """July 2017 compliance per agent is close to the agent's attribution rate."""
        rows = self.env["sales.action.compliance"]._compute_month(COMPLIANCE_MONTH)
        per_agent = rows.filtered(lambda row: row.user_id and row.category == "needs_deep_dive")
        self.assertTrue(per_agent)
        checked = 0
        for row in per_agent:
            if row.expected_count >= 40:
                expected_rate = self.agent_rate[row.user_id.name] / 100
                self.assertAlmostEqual(row.rate, expected_rate, delta=0.15, msg=row.user_id.name)
                checked += 1
        self.assertGreater(checked, 5)
        listed = per_agent.filtered("list_type")
        self.assertIn("red", listed.mapped("list_type"))
        self.assertIn("black", listed.mapped("list_type"))
        for row in listed:
            self.assertEqual(row.list_type == "red", row.rate >= 0.8)

        visits = self.env["crm.lead.stage.history"].search(
            [
                ("stage_id", "=", self.diagnosis.id),
                ("date_in", ">=", datetime(2017, 7, 1)),
                ("date_in", "<", datetime(2017, 8, 1)),
            ]
        )
        totals = rows.filtered(lambda row: row.is_team_total and row.category == "needs_deep_dive")
        self.assertEqual(sum(totals.mapped("expected_count")), len(visits))

    def test_industry_aliases_on_import(self):
        """The importer's "Technology" industry is an alias: its companies get IT/Communication.

        The file has 12 technology (spelt "technolgy"), 7 software and 6
        telecommunications accounts; the importer creates a "Technology"
        industry, which the alias maps, and no company keeps it.
        """
        it = self.env.ref("base.res_partner_industry_J")
        variant = self.env["res.partner.industry"].search([("name", "=ilike", "technology")])
        self.assertEqual(len(variant), 1)
        self.assertFalse(variant.is_canonical)
        self.assertEqual(variant.suggested_industry_id, it)
        self.assertFalse(variant.in_use)
        self.assertEqual(it.partner_count, 25)
