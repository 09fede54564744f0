from datetime import date

from odoo.tests import tagged
from odoo.tools.misc import format_date

from .common import ForecastCommon


@tagged("post_install", "-at_install")
class TestForecastColor(ForecastCommon):
    def test_no_evidence_red(self):
        """An opportunity without evidence is red and counts with the red weight."""
        lead = self._create_opportunity(expected_revenue=5000.0)

        self.assertEqual(lead.forecast_color, "red")
        self.assertAlmostEqual(lead.forecast_weight, 0.2)
        self.assertAlmostEqual(lead.forecast_weighted_revenue, 1000.0)
        self.assertIn("no evidence", lead.forecast_color_reason)

    def test_purchase_intent_with_deadline_yellow(self):
        """A written purchase intent with an expected closing date makes the deal yellow."""
        lead = self._create_opportunity(expected_revenue=5000.0)
        self._add_evidence(lead, self.type_purchase_intent)

        self.assertEqual(lead.forecast_color, "yellow")
        self.assertAlmostEqual(lead.forecast_weight, 0.6)
        self.assertAlmostEqual(lead.forecast_weighted_revenue, 3000.0)
        self.assertIn(self.type_purchase_intent.name, lead.forecast_color_reason)
        self.assertIn(format_date(self.env, lead.date_deadline), lead.forecast_color_reason)

    def test_purchase_intent_without_deadline_red(self):
        """A purchase intent without an expected closing date counts as red."""
        lead = self._create_opportunity(date_deadline=False)
        self._add_evidence(lead, self.type_purchase_intent)

        self.assertEqual(lead.forecast_color, "red")
        self.assertAlmostEqual(lead.forecast_weight, 0.2)
        self.assertIn(self.type_purchase_intent.name, lead.forecast_color_reason)
        self.assertIn("expected closing date", lead.forecast_color_reason)

    def test_deadline_change_recomputes(self):
        """Removing, then setting the expected closing date moves a yellow deal to red and back."""
        lead = self._create_opportunity()
        self._add_evidence(lead, self.type_purchase_intent)
        self.assertEqual(lead.forecast_color, "yellow")

        lead.date_deadline = False
        self.assertEqual(lead.forecast_color, "red")

        lead.date_deadline = date(2026, 6, 30)
        self.assertEqual(lead.forecast_color, "yellow")
        self.assertAlmostEqual(lead.forecast_weight, 0.6)

    def test_payment_voucher_green_reason(self):
        """A payment voucher makes the deal green and the reason names it with its date."""
        lead = self._create_opportunity(expected_revenue=20000.0)
        self._add_evidence(lead, self.type_verbal_commitment, date(2026, 3, 5))
        voucher = self._add_evidence(lead, self.type_payment_voucher, date(2026, 3, 2))

        self.assertEqual(lead.forecast_color, "green")
        self.assertAlmostEqual(lead.forecast_weight, 0.9)
        self.assertAlmostEqual(lead.forecast_weighted_revenue, 18000.0)
        self.assertEqual(
            lead.forecast_color_reason,
            f"Green because: {voucher.type_id.name} of {format_date(self.env, voucher.date)}",
        )

    def test_reason_translated(self):
        """The reason is written in the reader's language."""
        self.env["res.lang"]._activate_lang("zh_CN")
        lead = self._create_opportunity()
        self._add_evidence(lead, self.type_payment_voucher)

        lead_zh = lead.with_context(lang="zh_CN")
        reason = lead_zh.forecast_color_reason

        self.assertTrue(reason.startswith("绿色，依据："), reason)
        self.assertIn(self.type_payment_voucher.with_context(lang="zh_CN").name, reason)
        self.assertIn(format_date(lead_zh.env, lead.evidence_ids.date), reason)

    def test_removing_evidence_recomputes(self):
        """Deleting the green evidence drops the deal to the next colour it still proves."""
        lead = self._create_opportunity()
        self._add_evidence(lead, self.type_purchase_intent)
        voucher = self._add_evidence(lead, self.type_payment_voucher)
        self.assertEqual(lead.forecast_color, "green")

        voucher.unlink()
        self.assertEqual(lead.forecast_color, "yellow")
        self.assertAlmostEqual(lead.forecast_weight, 0.6)

        lead.evidence_ids.unlink()
        self.assertEqual(lead.forecast_color, "red")
        self.assertAlmostEqual(lead.forecast_weight, 0.2)

    def test_evidence_type_change_recomputes(self):
        """Changing the evidence type of a record recomputes the colour."""
        lead = self._create_opportunity()
        evidence = self._add_evidence(lead, self.type_verbal_commitment)
        self.assertEqual(lead.forecast_color, "red")

        evidence.type_id = self.type_payment_voucher

        self.assertEqual(lead.forecast_color, "green")

    def test_best_color_wins(self):
        """The most credible evidence sets the colour, whatever its date."""
        lead = self._create_opportunity()
        self._add_evidence(lead, self.type_payment_voucher, date(2026, 1, 10))
        self._add_evidence(lead, self.type_verbal_commitment, date(2026, 3, 20))
        self._add_evidence(lead, self.type_purchase_intent, date(2026, 3, 25))

        self.assertEqual(lead.forecast_color, "green")
        self.assertIn(self.type_payment_voucher.name, lead.forecast_color_reason)

    def test_color_change_tracked(self):
        """A colour change is logged in the chatter with the colour subtype."""
        # Tracking values are written by a pre-commit hook, and changes made in
        # the transaction that creates a record are not tracked.
        lead = self._create_opportunity()
        self.env.flush_all()
        self.env.cr.precommit.run()

        self._add_evidence(lead, self.type_payment_voucher)
        self.env.flush_all()
        self.env.cr.precommit.run()

        subtype = self.env.ref("sales_forecast_tricolor.mt_lead_forecast_color")
        messages = self.env["mail.message"].search(
            [
                ("model", "=", "crm.lead"),
                ("res_id", "=", lead.id),
                ("subtype_id", "=", subtype.id),
            ]
        )
        self.assertEqual(len(messages), 1)
        self.assertEqual(messages.tracking_value_ids.field_id.name, "forecast_color")
