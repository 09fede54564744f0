from datetime import datetime

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ClosedLoopCase


@tagged("post_install", "-at_install")
class TestStageGate(ClosedLoopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.old_stage_date = datetime(2026, 1, 5, 9, 0, 0)

    def test_move_next_stage_with_file(self):
        """A lead with a pain-point file enters Needs Diagnosis."""
        self._add_evidence(self.lead, self.type_pain_points)

        self.lead.write({"stage_id": self.stage_diagnosis.id})

        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)

    def test_move_skip_refused(self):
        """A lead in Lead Screening cannot jump to Solution Matching."""
        self._add_evidence(self.lead, self.type_pain_points)

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_matching.id})

        self.assertIn("Needs Diagnosis", str(error.exception))
        self.assertEqual(self.lead.stage_id, self.stage_screening)

    def test_move_without_evidence_refused(self):
        """Entering Needs Diagnosis without any pain-point evidence is refused."""
        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_diagnosis.id})

        self.assertIn(self.lead.name, str(error.exception))
        self.assertIn(self.type_pain_points.name, str(error.exception))
        self.assertEqual(self.lead.stage_id, self.stage_screening)

    def test_move_evidence_without_file_refused(self):
        """A pain-point evidence record with no file does not open Needs Diagnosis."""
        self._add_evidence(self.lead, self.type_pain_points, with_file=False)

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_diagnosis.id})

        self.assertIn(self.type_pain_points.name, str(error.exception))
        self.assertEqual(self.lead.stage_id, self.stage_screening)

    def test_move_other_evidence_type_refused(self):
        """Evidence of another type does not stand in for the pain-point list."""
        self._add_evidence(self.lead, self.type_intent)

        with self.assertRaises(UserError):
            self.lead.write({"stage_id": self.stage_diagnosis.id})

    def test_move_with_evidence_in_same_write(self):
        """A form save that adds the evidence and moves the stage at once passes."""
        attachment = self.env["ir.attachment"].create(
            {
                "name": "pain_points.pdf",
                "raw": b"%PDF-1.4",
                "res_model": "crm.lead",
                "res_id": self.lead.id,
            }
        )

        self.lead.write(
            {
                "stage_id": self.stage_diagnosis.id,
                "evidence_ids": [
                    (
                        0,
                        0,
                        {
                            "type_id": self.type_pain_points.id,
                            "attachment_ids": [(6, 0, attachment.ids)],
                        },
                    )
                ],
            }
        )

        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)

    def test_create_first_stage(self):
        """A lead created without a stage lands in Lead Screening."""
        lead = self._create_lead("Eastgate Clinics", self.user_salesman)

        self.assertEqual(lead.stage_id, self.stage_screening)

    def test_create_later_stage_refused(self):
        """Creating a lead directly in Needs Diagnosis counts as a skip."""
        with self.assertRaises(UserError) as error:
            self._create_lead(
                "Northwind Hotels", self.user_salesman, stage_id=self.stage_diagnosis.id
            )

        self.assertIn("Northwind Hotels", str(error.exception))
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "Northwind Hotels")]))

    def test_batch_write_all_or_nothing(self):
        """One failing lead cancels the stage change of the whole batch."""
        self._add_evidence(self.lead, self.type_pain_points)
        leads = self.lead | self.lead_other
        leads.write({"date_last_stage_update": self.old_stage_date})
        history_before = self.env["crm.lead.stage.history"].search([("lead_id", "in", leads.ids)])
        history_dates_before = history_before.mapped("date_out")

        with self.assertRaises(UserError) as error:
            self.env["crm.lead"].browse(leads.ids).write({"stage_id": self.stage_diagnosis.id})

        message = str(error.exception)
        self.assertIn(self.lead_other.name, message)
        self.assertNotIn(self.lead.name, message)
        for lead in leads:
            self.assertEqual(lead.stage_id, self.stage_screening)
            self.assertEqual(lead.date_last_stage_update, self.old_stage_date)
        history_after = self.env["crm.lead.stage.history"].search([("lead_id", "in", leads.ids)])
        self.assertEqual(history_after, history_before)
        self.assertEqual(history_after.mapped("date_out"), history_dates_before)

    def test_batch_message_lists_each_lead(self):
        """The refusal names every failing lead of the batch."""
        leads = self.lead | self.lead_other

        with self.assertRaises(UserError) as error:
            leads.write({"stage_id": self.stage_diagnosis.id})

        self.assertIn(self.lead.name, str(error.exception))
        self.assertIn(self.lead_other.name, str(error.exception))

    def test_lost_lead_cannot_move(self):
        """An archived (lost) lead keeps its stage."""
        self._add_evidence(self.lead, self.type_pain_points)
        self.lead.action_set_lost()

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_diagnosis.id})

        self.assertIn("lost", str(error.exception))
        self.assertEqual(self.lead.stage_id, self.stage_screening)

    def test_move_back_allowed(self):
        """A lead moves back from Needs Diagnosis to Lead Screening by default."""
        self._walk_to(self.lead, self.stage_diagnosis)

        self.lead.write({"stage_id": self.stage_screening.id})

        self.assertEqual(self.lead.stage_id, self.stage_screening)

    def test_move_back_refused(self):
        """A stage that forbids moving back keeps its leads from going back."""
        self._walk_to(self.lead, self.stage_diagnosis)
        self.stage_diagnosis.gate_allow_back = False

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_screening.id})

        self.assertIn(self.stage_diagnosis.name, str(error.exception))
        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)

    def test_walk_full_pipeline(self):
        """With each stage's evidence a lead reaches Contract Closing one stage at a time."""
        self._walk_to(self.lead, self.stage_closing)

        self.assertEqual(self.lead.stage_id, self.stage_closing)

    def test_closing_requires_purchase_intent(self):
        """Contract Closing needs written purchase intent."""
        self._walk_to(self.lead, self.stage_consensus)

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_closing.id})

        self.assertIn(self.type_intent.name, str(error.exception))

    def test_set_won_from_contract_closing(self):
        """Mark as won from Contract Closing moves the lead to Won."""
        self._walk_to(self.lead, self.stage_closing)
        self._add_evidence(
            self.lead, self.env.ref("sales_closed_loop.evidence_type_signed_contract")
        )

        self.lead.action_set_won()

        self.assertEqual(self.lead.stage_id, self.stage_won)
        self.assertEqual(self.lead.probability, 100)

    def test_set_won_from_earlier_stage_refused(self):
        """Mark as won from Solution Matching is a skip and is refused."""
        self._walk_to(self.lead, self.stage_matching)

        with self.assertRaises(UserError) as error:
            self.lead.action_set_won()

        self.assertIn(self.stage_consensus.name, str(error.exception))
        self.assertEqual(self.lead.stage_id, self.stage_matching)

    def test_other_team_stage_refused(self):
        """A stage reserved for another team is not part of the lead's pipeline."""
        other_team = self.env["crm.team"].create({"name": "Closed-Loop West"})
        west_stage = self.env["crm.stage"].create(
            {"name": "West Pre-Screening", "sequence": 0, "team_id": other_team.id}
        )

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": west_stage.id})

        self.assertIn(west_stage.name, str(error.exception))

    def test_team_stage_joins_pipeline(self):
        """A team's own stage sits in its pipeline by sequence and cannot be skipped."""
        team_stage = self.env["crm.stage"].create(
            {"name": "East Site Visit", "sequence": 2, "team_id": self.team.id}
        )
        self._add_evidence(self.lead, self.type_pain_points)
        # Same sequence as Needs Diagnosis: the later id comes second.
        self.lead.write({"stage_id": self.stage_diagnosis.id})

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_matching.id})

        self.assertIn(team_stage.name, str(error.exception))

    def test_message_in_chinese(self):
        """A Chinese-speaking rep reads the refusal in Chinese."""
        self.user_salesman.lang = "zh_CN"

        lead = self.lead.with_user(self.user_salesman).with_context(lang=self.user_salesman.lang)

        with self.assertRaises(UserError) as error:
            lead.write({"stage_id": self.stage_diagnosis.id})

        self.assertIn("需求诊断", str(error.exception))
        self.assertIn("客户痛点清单", str(error.exception))

    def test_archived_type_not_required(self):
        """Archiving an evidence type drops it from the stages that required it."""
        self.type_pain_points.active = False

        self.lead.write({"stage_id": self.stage_diagnosis.id})

        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)
