from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import ClosedLoopCase


@tagged("post_install", "-at_install")
class TestGatePaths(ClosedLoopCase):
    """Each way Odoo changes a lead's stage goes through the gate."""

    def _frequencies(self):
        return sorted(
            self.env["crm.lead.scoring.frequency"]
            .search([])
            .mapped(lambda row: (row.variable, row.value, row.won_count, row.lost_count))
        )

    def test_form_save(self):
        """Saving the form with a later stage is refused."""
        with self.assertRaises(UserError):
            with Form(self.lead) as form:
                form.stage_id = self.stage_diagnosis

        self.assertEqual(self.lead.stage_id, self.stage_screening)

    def test_quick_create_in_column(self):
        """Quick-creating a card in a later column is a skip and is refused."""
        with self.assertRaises(UserError):
            self.env["crm.lead"].with_context(default_stage_id=self.stage_diagnosis.id).create(
                {"name": "Quick Card Co", "type": "opportunity", "team_id": self.team.id}
            )

    def test_multi_edit_all_or_nothing(self):
        """A list multi-edit that fails on one lead writes nothing on any."""
        self._add_evidence(self.lead, self.type_pain_points)
        leads = self.lead | self.lead_other
        frequencies = self._frequencies()

        with self.assertRaises(UserError) as error:
            leads.write({"stage_id": self.stage_diagnosis.id, "priority": "3"})

        self.assertIn(self.lead_other.name, str(error.exception))
        self.assertEqual(leads.mapped("stage_id"), self.stage_screening)
        self.assertEqual(set(leads.mapped("priority")), {"0"})
        self.assertEqual(self._frequencies(), frequencies)

    def test_import_load(self):
        """Odoo's import (``load``) refuses leads created in a later stage and keeps none."""
        result = self.env["crm.lead"].load(
            ["name", "type", "team_id/id", "stage_id/id"],
            [
                ["Import One", "opportunity", "", "sales_closed_loop.stage_lead_screening"],
                ["Import Two", "opportunity", "", "sales_closed_loop.stage_needs_diagnosis"],
            ],
        )

        self.assertFalse(result["ids"])
        self.assertTrue(any("Import Two" in message["message"] for message in result["messages"]))
        self.assertFalse(
            self.env["crm.lead"].search([("name", "in", ["Import One", "Import Two"])])
        )

    def test_server_action(self):
        """A server action writing the stage is refused like any write."""
        action = self.env["ir.actions.server"].create(
            {
                "name": "Push to diagnosis",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "state": "code",
                "code": f"records.write({{'stage_id': {self.stage_diagnosis.id}}})",
            }
        )

        with self.assertRaises(UserError):
            action.with_context(
                active_model="crm.lead", active_ids=self.lead.ids, active_id=self.lead.id
            ).run()

        self.assertEqual(self.lead.stage_id, self.stage_screening)

    def test_copy_starts_first_stage(self):
        """A duplicate of a lead in a later stage starts in the first stage."""
        self._walk_to(self.lead, self.stage_matching)

        duplicate = self.lead.copy()

        self.assertEqual(duplicate.stage_id, self.stage_screening)
        self.assertEqual(self._history(duplicate).stage_id, self.stage_screening)

    def test_merge_keeps_evidence(self):
        """Merging leads keeps the merged leads' evidence on the remaining lead."""
        self._add_evidence(self.lead_other, self.type_pain_points)
        self.lead_other.user_id = self.user_salesman

        head = (self.lead | self.lead_other).merge_opportunity()

        self.assertEqual(head.evidence_ids.type_id, self.type_pain_points)
        head.write({"stage_id": self.stage_diagnosis.id})
        self.assertEqual(head.stage_id, self.stage_diagnosis)

    def test_merge_into_team_stage(self):
        """A merge that moves the result to a team with its own first stage passes the gate."""
        west = self.env["crm.team"].create({"name": "Closed-Loop West"})
        west_first = self.env["crm.stage"].create(
            {"name": "West Intake", "sequence": 0, "team_id": west.id}
        )
        other = self._create_lead("Riverside Foods annex", self.user_salesman)

        head = (self.lead | other).merge_opportunity(team_id=west.id)

        self.assertEqual(head.team_id, west)
        self.assertIn(head.stage_id, self.stage_screening | west_first)

    def test_won_wizard_path(self):
        """The Won button refuses a lead that misses the Won evidence."""
        self._walk_to(self.lead, self.stage_closing)

        with self.assertRaises(UserError):
            self.lead.action_set_won_rainbowman()

        self.assertEqual(self.lead.stage_id, self.stage_closing)
        self.assertNotEqual(self.lead.probability, 100)

    def test_lost_wizard(self):
        """The lost wizard archives the lead in its stage and adds no history row."""
        reason = self.env["crm.lost.reason"].create({"name": "Budget frozen"})
        wizard = self.env["crm.lead.lost"].create(
            {"lead_ids": [(6, 0, self.lead.ids)], "lost_reason_id": reason.id}
        )

        wizard.action_lost_reason_apply()

        self.assertFalse(self.lead.active)
        self.assertEqual(self.lead.stage_id, self.stage_screening)
        self.assertEqual(len(self._history(self.lead)), 1)

    def test_reopen_lost_keeps_stage(self):
        """Restoring a lost lead keeps its stage; winning it from there is still gated."""
        self.lead.action_set_lost()

        with self.assertRaises(UserError):
            self.lead.action_set_won()
        self.assertFalse(self.lead.active)

        self.lead.action_unarchive()
        self.assertTrue(self.lead.active)
        self.assertEqual(self.lead.stage_id, self.stage_screening)

    def test_team_change_to_team_pipeline(self):
        """A lead whose new team does not use its stage restarts at that team's first stage."""
        west = self.env["crm.team"].create({"name": "Closed-Loop West"})
        west_first = self.env["crm.stage"].create(
            {"name": "West Intake", "sequence": 0, "team_id": west.id}
        )
        east_only = self.env["crm.stage"].create(
            {"name": "East Only", "sequence": 0, "team_id": self.team.id}
        )
        lead = self._create_lead("Team Switch Ltd", self.user_salesman)
        self.assertEqual(lead.stage_id, east_only)

        lead.write({"team_id": west.id})

        self.assertEqual(lead.stage_id, west_first)
        self.assertEqual(self._history(lead).stage_id, east_only | west_first)

    def test_team_change_shared_stage_kept(self):
        """A team change keeps a stage both teams use."""
        west = self.env["crm.team"].create({"name": "Closed-Loop West"})

        self.lead.write({"team_id": west.id})

        self.assertEqual(self.lead.stage_id, self.stage_screening)
        self.assertEqual(len(self._history(self.lead)), 1)

    def test_rpc_batch_message(self):
        """An RPC write on many leads lists each failing lead and what it misses."""
        leads = self.lead | self.lead_other | self._create_lead("Third Co", self.user_salesman)
        self._add_evidence(self.lead, self.type_pain_points)

        with self.assertRaises(UserError) as error:
            leads.write({"stage_id": self.stage_diagnosis.id})

        message = str(error.exception)
        self.assertNotIn(f"{self.lead.name} cannot", message)
        self.assertIn(f"{self.lead_other.name} cannot", message)
        self.assertIn("Third Co cannot", message)
