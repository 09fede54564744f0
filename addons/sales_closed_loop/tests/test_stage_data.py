from odoo.tests import tagged

from .common import ClosedLoopCase


@tagged("post_install", "-at_install")
class TestStageData(ClosedLoopCase):
    def test_stages_order(self):
        """The shared pipeline is the five gated stages, then Won."""
        stages = self.env["crm.stage"].search([("team_id", "=", False)], order="sequence, id")

        self.assertEqual(
            stages.ids,
            [
                self.stage_screening.id,
                self.stage_diagnosis.id,
                self.stage_matching.id,
                self.stage_consensus.id,
                self.stage_closing.id,
                self.stage_won.id,
            ],
        )

    def test_default_stages_removed(self):
        """The install hook deleted crm's New, Qualified and Proposition stages."""
        for xmlid in ("crm.stage_lead1", "crm.stage_lead2", "crm.stage_lead3"):
            self.assertFalse(self.env.ref(xmlid, raise_if_not_found=False), xmlid)

    def test_stage_names_chinese(self):
        """The five stages read in Chinese for a zh_CN user."""
        expected = {
            self.stage_screening: "线索初筛",
            self.stage_diagnosis: "需求诊断",
            self.stage_matching: "方案匹配",
            self.stage_consensus: "价值共识",
            self.stage_closing: "合同闭环",
        }
        for stage, name in expected.items():
            self.assertEqual(stage.with_context(lang="zh_CN").name, name)

    def test_stage_names_english(self):
        """The five stages keep their English names."""
        self.assertEqual(self.stage_screening.with_context(lang="en_US").name, "Lead Screening")
        self.assertEqual(self.stage_closing.with_context(lang="en_US").name, "Contract Closing")

    def test_evidence_types_colours(self):
        """The shipped evidence types carry their colour class."""
        colours = {
            "pain_points": "red",
            "verbal_commitment": "red",
            "purchase_intent": "yellow",
            "signed_contract": "green",
            "purchase_order": "green",
            "payment_voucher": "green",
        }
        for code, colour in colours.items():
            evidence_type = self.env.ref(f"sales_closed_loop.evidence_type_{code}")
            self.assertEqual(evidence_type.code, code)
            self.assertEqual(evidence_type.color_class, colour)

    def test_demo_lead_moved(self):
        """A crm demo lead of a deleted default stage is in Lead Screening, history open."""
        lead = self.env.ref("crm.crm_case_1", raise_if_not_found=False)
        if not lead:
            self.skipTest("crm demo data is not installed")

        self.assertEqual(lead.stage_id, self.stage_screening)
        open_rows = self._history(lead).filtered(lambda row: not row.date_out)
        self.assertEqual(open_rows.stage_id, self.stage_screening)
