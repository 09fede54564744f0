"""One deal through the gated stages, the forecast colours and the actions."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.sales_closed_loop.tests.common import ClosedLoopCase


@tagged("post_install", "-at_install")
class TestClosedLoopFlow(ClosedLoopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_voucher = cls.env.ref("sales_closed_loop.evidence_type_payment_voucher")
        customer = cls.env["res.partner"].create({"name": "Harbour Logistics", "is_company": True})
        cls.lead.write(
            {
                "partner_id": customer.id,
                "expected_revenue": 50000.0,
                "date_deadline": "2026-12-30",
            }
        )

    def _forecast_row(self, lead):
        # The report is an SQL view: rows read earlier in this transaction
        # stay cached, so read them again as a new request would.
        report = self.env["sales.forecast.report"]
        report.invalidate_model()
        return report.search([("lead_id", "=", lead.id)])

    def _move(self, stage):
        self.lead.with_user(self.user_salesman).write({"stage_id": stage.id})

    def test_deal_from_screening_to_won(self):
        """Evidence opens each gate and raises the forecast colour on the way."""
        lead = self.lead.with_user(self.user_salesman)
        self.assertEqual(lead.stage_id, self.stage_screening)
        self.assertEqual(lead.forecast_color, "red")
        self.assertAlmostEqual(self._forecast_row(lead).weighted_revenue, 10000.0)

        self._add_evidence(self.lead, self.type_pain_points)
        self._move(self.stage_diagnosis)
        self._move(self.stage_matching)
        self._add_evidence(self.lead, self.type_verbal)
        self._move(self.stage_consensus)
        self.assertEqual(lead.forecast_color, "red")

        self._add_evidence(self.lead, self.type_intent)
        self._move(self.stage_closing)
        self.assertEqual(lead.forecast_color, "yellow")
        self.assertAlmostEqual(self._forecast_row(lead).weighted_revenue, 30000.0)

        self._add_evidence(self.lead, self.type_voucher)
        self.assertEqual(lead.forecast_color, "green")
        self.assertAlmostEqual(self._forecast_row(lead).weighted_revenue, 45000.0)

        lead.action_set_won()
        self.assertTrue(lead.stage_id.is_won)
        self.assertFalse(self._forecast_row(lead))
        history = self._history(self.lead)
        self.assertEqual(
            history.stage_id,
            self.stage_screening
            | self.stage_diagnosis
            | self.stage_matching
            | self.stage_consensus
            | self.stage_closing
            | self.stage_won,
        )

    def test_refused_move_keeps_forecast(self):
        """A refused stage move leaves the colour, weight and report row as they were."""
        self._add_evidence(self.lead, self.type_intent)
        before = self._forecast_row(self.lead).weighted_revenue
        with self.assertRaises(UserError):
            self._move(self.stage_matching)
        self.assertEqual(self.lead.stage_id, self.stage_screening)
        self.assertEqual(self.lead.forecast_color, "yellow")
        self.assertEqual(self._forecast_row(self.lead).weighted_revenue, before)

    def test_actions_cover_every_gated_stage(self):
        """The action library offers at least one action for each gated stage."""
        actions = self.env["sales.action"].search([])
        for stage in (
            self.stage_screening,
            self.stage_diagnosis,
            self.stage_matching,
            self.stage_consensus,
            self.stage_closing,
        ):
            with self.subTest(stage=stage.name):
                self.assertTrue(actions.filtered(lambda action, s=stage: s in action.stage_ids))
