from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import ClosedLoopCase


@tagged("post_install", "-at_install")
class TestGateRules(ClosedLoopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_contract = cls.env.ref("sales_closed_loop.evidence_type_signed_contract")
        cls.type_order = cls.env.ref("sales_closed_loop.evidence_type_purchase_order")
        cls.Field = cls.env["ir.model.fields"]

    def _require_field(self, stage, name, **values):
        return self.env["crm.stage.gate.field"].create(
            {"stage_id": stage.id, "field_id": self.Field._get("crm.lead", name).id, **values}
        )

    def _attachment(self, lead, name, content):
        return self.env["ir.attachment"].create(
            {"name": name, "raw": content, "res_model": "crm.lead", "res_id": lead.id}
        )

    def test_field_char_blank_refused(self):
        """A text of spaces does not count as a filled-in required field."""
        self._require_field(self.stage_diagnosis, "phone")
        self._add_evidence(self.lead, self.type_pain_points)
        self.lead.phone = "   "

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_diagnosis.id})

        self.assertIn("Phone", str(error.exception))

    def test_field_set_in_same_write(self):
        """A required field written with the stage change passes the gate."""
        self._require_field(self.stage_diagnosis, "phone")
        self._add_evidence(self.lead, self.type_pain_points)

        self.lead.write({"stage_id": self.stage_diagnosis.id, "phone": "+86 21 5555 0101"})

        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)

    def test_field_integer_zero_is_value(self):
        """An integer field holding 0 is set."""
        self._require_field(self.stage_diagnosis, "color")
        self._add_evidence(self.lead, self.type_pain_points)
        self.lead.color = 0

        self.lead.write({"stage_id": self.stage_diagnosis.id})

        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)

    def test_field_amount_zero_not_set(self):
        """An amount of 0 is not a filled-in expected revenue."""
        self._require_field(self.stage_diagnosis, "expected_revenue")
        self._add_evidence(self.lead, self.type_pain_points)

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_diagnosis.id, "expected_revenue": 0})

        self.assertIn("Expected Revenue", str(error.exception))

    def test_field_greater_than(self):
        """A greater-than rule refuses an amount at the threshold and passes one above."""
        self._require_field(
            self.stage_diagnosis, "expected_revenue", operator="greater", threshold=5000
        )
        self._add_evidence(self.lead, self.type_pain_points)

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_diagnosis.id, "expected_revenue": 5000})
        self.assertIn("greater than 5000", str(error.exception))

        self.lead.write({"stage_id": self.stage_diagnosis.id, "expected_revenue": 5001})
        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)

    def test_field_greater_needs_number(self):
        """A greater-than rule on a text field is rejected."""
        with self.assertRaises(ValidationError):
            self._require_field(self.stage_diagnosis, "phone", operator="greater")

    def test_field_many2many_empty(self):
        """A required many2many field needs at least one record."""
        self._require_field(self.stage_diagnosis, "tag_ids")
        self._add_evidence(self.lead, self.type_pain_points)

        with self.assertRaises(UserError):
            self.lead.write({"stage_id": self.stage_diagnosis.id})

        tag = self.env["crm.tag"].create({"name": "Gate Tag"})
        self.lead.write({"stage_id": self.stage_diagnosis.id, "tag_ids": [(4, tag.id)]})
        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)

    def test_field_custom(self):
        """A custom field added by an administrator can be required."""
        self.env["ir.model.fields"].create(
            {
                "name": "x_budget_owner",
                "field_description": "Budget Owner",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "ttype": "char",
            }
        )
        self._require_field(self.stage_diagnosis, "x_budget_owner")
        self._add_evidence(self.lead, self.type_pain_points)

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_diagnosis.id})
        self.assertIn("Budget Owner", str(error.exception))

        self.lead.write({"stage_id": self.stage_diagnosis.id, "x_budget_owner": "CFO Wang"})
        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)

    def test_shipped_matching_rules(self):
        """Solution Matching ships requiring an expected revenue and a closing date."""
        self._add_evidence(self.lead, self.type_pain_points)
        self.lead.write({"stage_id": self.stage_diagnosis.id})

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_matching.id})

        self.assertIn("Expected Revenue", str(error.exception))
        self.assertIn("Expected Closing", str(error.exception))

    def test_evidence_min_count(self):
        """A rule asking for two files is not met by one."""
        rule = self.stage_diagnosis.gate_evidence_ids
        rule.min_count = 2
        self._add_evidence(self.lead, self.type_pain_points)

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_diagnosis.id})
        self.assertIn("1 of 2", str(error.exception))

        self._add_evidence(self.lead, self.type_pain_points)
        self.lead.write({"stage_id": self.stage_diagnosis.id})
        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)

    def test_evidence_same_file_once(self):
        """One file linked by two evidence records counts once."""
        self.stage_diagnosis.gate_evidence_ids.min_count = 2
        attachment = self._attachment(self.lead, "pain.pdf", b"%PDF-1.4 pain list")
        for _index in range(2):
            self.env["crm.lead.evidence"].create(
                {
                    "lead_id": self.lead.id,
                    "type_id": self.type_pain_points.id,
                    "attachment_ids": [(6, 0, attachment.ids)],
                }
            )

        with self.assertRaises(UserError):
            self.lead.write({"stage_id": self.stage_diagnosis.id})

    def test_evidence_same_content_once(self):
        """The same scan uploaded twice, once from the chatter, counts once."""
        self.stage_diagnosis.gate_evidence_ids.min_count = 2
        chatter_file = self._attachment(self.lead, "pain_chat.pdf", b"%PDF-1.4 same scan")
        self.lead.message_post(body="Scan from the customer", attachment_ids=chatter_file.ids)
        upload = self._attachment(self.lead, "pain_upload.pdf", b"%PDF-1.4 same scan")
        self.env["crm.lead.evidence"].create(
            {
                "lead_id": self.lead.id,
                "type_id": self.type_pain_points.id,
                "attachment_ids": [(6, 0, (chatter_file | upload).ids)],
            }
        )

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_diagnosis.id})
        self.assertIn("1 of 2", str(error.exception))

    def test_evidence_chatter_file_counts(self):
        """A file posted in the chatter counts once an evidence record links it."""
        chatter_file = self._attachment(self.lead, "pain_chat.jpg", b"jpeg pain list")
        self.lead.message_post(body="Photo of the list", attachment_ids=chatter_file.ids)
        self.env["crm.lead.evidence"].create(
            {
                "lead_id": self.lead.id,
                "type_id": self.type_pain_points.id,
                "attachment_ids": [(6, 0, chatter_file.ids)],
            }
        )

        self.lead.write({"stage_id": self.stage_diagnosis.id})

        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)

    def test_evidence_max_age(self):
        """Evidence older than the rule's maximum age does not count."""
        self.stage_diagnosis.gate_evidence_ids.max_age_days = 30
        evidence = self._add_evidence(self.lead, self.type_pain_points)
        # The gate counts days in the user's time zone, as the evidence form does.
        today = fields.Date.context_today(self.lead)
        evidence.date = today - timedelta(days=31)

        with self.assertRaises(UserError):
            self.lead.write({"stage_id": self.stage_diagnosis.id})

        evidence.date = today - timedelta(days=30)
        self.lead.write({"stage_id": self.stage_diagnosis.id})
        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)

    def test_evidence_file_types(self):
        """Only files of the allowed types count."""
        self.stage_diagnosis.gate_evidence_ids.allowed_extensions = "jpg, png"
        self._add_evidence(self.lead, self.type_pain_points)  # a .pdf file

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_diagnosis.id})
        self.assertIn("jpg", str(error.exception))

        photo = self._attachment(self.lead, "list.JPG", b"jpeg bytes")
        self.env["crm.lead.evidence"].create(
            {
                "lead_id": self.lead.id,
                "type_id": self.type_pain_points.id,
                "attachment_ids": [(6, 0, photo.ids)],
            }
        )
        self.lead.write({"stage_id": self.stage_diagnosis.id})
        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)

    def test_evidence_any_of_types(self):
        """Won accepts a signed contract, a purchase order or a payment voucher."""
        self._walk_to(self.lead, self.stage_closing)

        with self.assertRaises(UserError) as error:
            self.lead.action_set_won()
        self.assertIn(self.type_contract.name, str(error.exception))

        self._add_evidence(self.lead, self.type_order)
        self.lead.action_set_won()
        self.assertEqual(self.lead.stage_id, self.stage_won)

    def test_evidence_type_shortcut(self):
        """Setting the required evidence types keeps detailed rules of the stage."""
        detailed = self.env["crm.stage.gate.evidence"].create(
            {
                "stage_id": self.stage_matching.id,
                "type_ids": [(6, 0, self.type_contract.ids)],
                "min_count": 2,
            }
        )

        self.stage_matching.gate_evidence_type_ids = self.type_intent | self.type_contract

        self.assertTrue(detailed.exists())
        self.assertEqual(
            self.stage_matching.gate_evidence_ids.type_ids, self.type_intent | self.type_contract
        )

    def test_condition_refused_with_message(self):
        """A failing condition shows its own message."""
        self.env["crm.stage.gate.condition"].create(
            {
                "stage_id": self.stage_diagnosis.id,
                "domain": "[('email_from', '!=', False)]",
                "message": "The customer must have an email address.",
            }
        )
        self._add_evidence(self.lead, self.type_pain_points)

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_diagnosis.id})
        self.assertIn("The customer must have an email address.", str(error.exception))

        self.lead.write({"stage_id": self.stage_diagnosis.id, "email_from": "li@example.com"})
        self.assertEqual(self.lead.stage_id, self.stage_diagnosis)

    def test_condition_invalid_domain(self):
        """A condition on a field the lead does not have is rejected."""
        with self.assertRaises(ValidationError):
            self.env["crm.stage.gate.condition"].create(
                {
                    "stage_id": self.stage_diagnosis.id,
                    "domain": "[('no_such_field', '=', 1)]",
                    "message": "Never shown",
                }
            )

    def test_message_lists_everything(self):
        """One refusal names the missing field, evidence and condition together."""
        self._require_field(self.stage_diagnosis, "phone")
        self.env["crm.stage.gate.condition"].create(
            {
                "stage_id": self.stage_diagnosis.id,
                "domain": "[('email_from', '!=', False)]",
                "message": "The customer must have an email address.",
            }
        )

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_diagnosis.id})

        message = str(error.exception)
        self.assertIn("Phone", message)
        self.assertIn(self.type_pain_points.name, message)
        self.assertIn("email address", message)

    def test_reenter_runs_gate(self):
        """A lead that moved back runs the gate again when it re-enters a stage."""
        evidence = self._add_evidence(self.lead, self.type_pain_points)
        self.lead.write({"stage_id": self.stage_diagnosis.id})
        self.lead.write({"stage_id": self.stage_screening.id})
        evidence.unlink()

        with self.assertRaises(UserError):
            self.lead.write({"stage_id": self.stage_diagnosis.id})

    def test_gate_not_held_in_stage(self):
        """Deleting evidence after entering a stage is allowed and shows on the checklist."""
        evidence = self._add_evidence(self.lead, self.type_pain_points)
        self.lead.write({"stage_id": self.stage_diagnosis.id})
        self.lead.write({"stage_id": self.stage_screening.id})

        evidence.unlink()

        self.assertEqual(self.lead.stage_id, self.stage_screening)
        self.assertTrue(self.lead.gate_blocked)

    def test_reorder_changes_next_stage(self):
        """Reordering stages changes which stage comes next."""
        self.stage_matching.sequence = 1
        self.stage_screening.sequence = 2
        self._fill_gate_fields(self.lead)

        # Solution Matching now comes first and Lead Screening second.
        self.assertEqual(self.lead.gate_next_stage_id, self.stage_diagnosis)
        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_consensus.id})
        self.assertIn(self.stage_diagnosis.name, str(error.exception))

        self.lead.write({"stage_id": self.stage_matching.id})
        self.assertEqual(self.lead.stage_id, self.stage_matching)

    def test_fold_first_stage(self):
        """Folding the first stage keeps new leads in it."""
        self.stage_screening.fold = True

        lead = self._create_lead("Folded Start Ltd", self.user_salesman)

        self.assertEqual(lead.stage_id, self.stage_screening)

    def test_rename_keeps_rules(self):
        """A renamed stage keeps its gate and names itself by the new name."""
        self.stage_diagnosis.name = "Discovery"

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_diagnosis.id})

        self.assertIn("Discovery", str(error.exception))

    def test_checklist_lists_next_stage(self):
        """The checklist shows the next stage's items, ticked when met."""
        self.assertEqual(self.lead.gate_next_stage_id, self.stage_diagnosis)
        self.assertTrue(self.lead.gate_blocked)
        self.assertIn("fa-square-o", self.lead.gate_checklist)
        self.assertIn(self.type_pain_points.name, self.lead.gate_checklist)

        self._add_evidence(self.lead, self.type_pain_points)
        self.lead.invalidate_recordset()

        self.assertFalse(self.lead.gate_blocked)
        self.assertIn("fa-check-square-o", self.lead.gate_checklist)

    def test_checklist_live_in_form(self):
        """The checklist ticks evidence added in an unsaved form."""
        attachment = self._attachment(self.lead, "pain.pdf", b"%PDF-1.4 live")
        draft = self.lead.new(
            {
                "evidence_ids": [
                    (
                        0,
                        0,
                        {
                            "type_id": self.type_pain_points.id,
                            "attachment_ids": [(6, 0, attachment.ids)],
                        },
                    )
                ]
            },
            origin=self.lead,
        )

        self.assertFalse(draft.gate_blocked)

    def test_filter_blocked(self):
        """The Blocked at Gate filter finds leads missing their next stage's rules."""
        self._add_evidence(self.lead_other, self.type_pain_points)

        blocked = self.env["crm.lead"].search(
            [("gate_blocked", "=", True), ("id", "in", (self.lead | self.lead_other).ids)]
        )
        ready = self.env["crm.lead"].search(
            [("gate_blocked", "=", False), ("id", "in", (self.lead | self.lead_other).ids)]
        )

        self.assertEqual(blocked, self.lead)
        self.assertEqual(ready, self.lead_other)

    def test_message_chinese_field_label(self):
        """A Chinese-speaking rep reads the missing evidence and stage in Chinese."""
        self.user_salesman.lang = "zh_CN"
        lead = self.lead.with_user(self.user_salesman).with_context(lang="zh_CN")
        self._add_evidence(self.lead, self.type_pain_points)
        lead.write({"stage_id": self.stage_diagnosis.id})

        with self.assertRaises(UserError) as error:
            lead.write({"stage_id": self.stage_matching.id})

        self.assertIn("方案匹配", str(error.exception))
        self.assertIn("预期收入", str(error.exception))
