from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ClosedLoopCase


@tagged("post_install", "-at_install")
class TestAccess(ClosedLoopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.evidence_other = cls._add_evidence(cls.lead_other, cls.type_pain_points)

    def test_evidence_type_salesman_read_only(self):
        """A sales rep reads evidence types but cannot change them."""
        evidence_type = self.type_pain_points.with_user(self.user_salesman)

        self.assertTrue(evidence_type.name)
        with self.assertRaises(AccessError):
            evidence_type.write({"color_class": "green"})
        with self.assertRaises(AccessError):
            self.env["crm.evidence.type"].with_user(self.user_salesman).create(
                {"name": "Site Photo", "code": "site_photo"}
            )

    def test_evidence_type_manager_edit(self):
        """A sales manager creates and edits evidence types."""
        types = self.env["crm.evidence.type"].with_user(self.user_manager)

        site_photo = types.create({"name": "Site Photo", "code": "site_photo"})
        site_photo.write({"color_class": "yellow"})

        self.assertEqual(site_photo.color_class, "yellow")

    def test_evidence_salesman_own_lead(self):
        """A sales rep adds evidence with a file to their own lead."""
        attachment = (
            self.env["ir.attachment"]
            .with_user(self.user_salesman)
            .create(
                {"name": "pain_points.pdf", "raw": b"%PDF-1.4", "res_model": "crm.lead.evidence"}
            )
        )
        evidence = (
            self.env["crm.lead.evidence"]
            .with_user(self.user_salesman)
            .create(
                {
                    "lead_id": self.lead.id,
                    "type_id": self.type_pain_points.id,
                    "attachment_ids": [(6, 0, attachment.ids)],
                }
            )
        )

        self.assertEqual(evidence.user_id, self.user_salesman)
        self.assertEqual(attachment.res_model, "crm.lead")
        self.assertEqual(attachment.res_id, self.lead.id)

    def test_evidence_file_readable_by_manager(self):
        """A file uploaded by a rep on evidence is readable by the manager afterwards."""
        attachment = (
            self.env["ir.attachment"]
            .with_user(self.user_salesman)
            .create(
                {"name": "pain_points.pdf", "raw": b"%PDF-1.4", "res_model": "crm.lead.evidence"}
            )
        )
        self.env["crm.lead.evidence"].with_user(self.user_salesman).create(
            {
                "lead_id": self.lead.id,
                "type_id": self.type_pain_points.id,
                "attachment_ids": [(6, 0, attachment.ids)],
            }
        )

        self.assertEqual(attachment.with_user(self.user_manager).raw, b"%PDF-1.4")

    def test_evidence_salesman_other_lead_hidden(self):
        """A sales rep does not see evidence of another rep's lead."""
        evidence = self.env["crm.lead.evidence"].with_user(self.user_salesman)

        self.assertNotIn(self.evidence_other, evidence.search([]))
        with self.assertRaises(AccessError):
            self.evidence_other.with_user(self.user_salesman).read(["note"])

    def test_evidence_salesman_no_unlink(self):
        """A sales rep cannot delete evidence, even on their own lead."""
        evidence = self._add_evidence(self.lead, self.type_pain_points)

        with self.assertRaises(AccessError):
            evidence.with_user(self.user_salesman).unlink()

    def test_evidence_all_leads_sees_all(self):
        """A rep with access to all leads sees every lead's evidence."""
        evidence = self.env["crm.lead.evidence"].with_user(self.user_all_leads)

        self.assertIn(self.evidence_other, evidence.search([]))

    def test_evidence_manager_unlink(self):
        """A sales manager deletes evidence."""
        self.evidence_other.with_user(self.user_manager).unlink()

        self.assertFalse(self.evidence_other.exists())

    def test_history_salesman_read_own(self):
        """A sales rep reads the stage history of their own leads only."""
        history = self.env["crm.lead.stage.history"].with_user(self.user_salesman)

        rows = history.search([("lead_id", "in", (self.lead | self.lead_other).ids)])

        self.assertEqual(rows.lead_id, self.lead)

    def test_history_salesman_no_write(self):
        """A sales rep cannot change stage history rows."""
        row = self._history(self.lead).with_user(self.user_salesman)

        with self.assertRaises(AccessError):
            row.write({"date_in": "2020-01-01 00:00:00"})
        with self.assertRaises(AccessError):
            row.unlink()

    def test_history_salesman_move_writes_row(self):
        """A sales rep's stage move closes and opens history rows despite read-only access."""
        self._add_evidence(self.lead, self.type_pain_points)

        self.lead.with_user(self.user_salesman).write({"stage_id": self.stage_diagnosis.id})

        self.assertEqual(len(self._history(self.lead)), 2)

    def test_history_manager_write(self):
        """A sales manager corrects a stage history row."""
        row = self._history(self.lead).with_user(self.user_manager)

        row.write({"date_in": "2026-01-05 09:00:00"})

        self.assertEqual(str(row.date_in), "2026-01-05 09:00:00")

    def test_stage_gate_fields_manager_only(self):
        """Only a sales manager changes the evidence a stage requires."""
        with self.assertRaises(AccessError):
            self.stage_diagnosis.with_user(self.user_salesman).write({"gate_allow_back": False})

        self.stage_diagnosis.with_user(self.user_manager).write({"gate_allow_back": False})

        self.assertFalse(self.stage_diagnosis.gate_allow_back)


@tagged("post_install", "-at_install")
class TestGateRuleAccess(ClosedLoopCase):
    def test_rules_rep_read_only(self):
        """Sales reps read the gate rules of a stage but cannot change them."""
        field_rule = self.stage_matching.gate_field_ids[:1].with_user(self.user_salesman)

        self.assertTrue(field_rule.field_id)
        with self.assertRaises(AccessError):
            field_rule.write({"operator": "set"})
        with self.assertRaises(AccessError):
            self.env["crm.stage.gate.condition"].with_user(self.user_all_leads).create(
                {"stage_id": self.stage_matching.id, "domain": "[]", "message": "No"}
            )

    def test_rules_manager_edits(self):
        """A sales manager adds a condition to a stage."""
        condition = (
            self.env["crm.stage.gate.condition"]
            .with_user(self.user_manager)
            .create({"stage_id": self.stage_matching.id, "domain": "[]", "message": "Always met"})
        )

        self.assertIn(condition, self.stage_matching.gate_condition_ids)

    def test_rep_moves_with_hidden_evidence(self):
        """A rep's move counts evidence recorded by a colleague the rep cannot read."""
        evidence = self._add_evidence(self.lead, self.type_pain_points)
        evidence.user_id = self.user_manager

        self.lead.with_user(self.user_salesman).write({"stage_id": self.stage_diagnosis.id})

        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)

    def test_history_rep_other_lead_hidden(self):
        """A rep does not see the stage history of another rep's lead."""
        rows = (
            self.env["crm.lead.stage.history"]
            .with_user(self.user_salesman)
            .search([("lead_id", "in", (self.lead | self.lead_other).ids)])
        )

        self.assertEqual(rows.lead_id, self.lead)
