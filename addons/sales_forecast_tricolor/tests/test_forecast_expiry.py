from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ForecastCommon


@tagged("post_install", "-at_install")
class TestForecastExpiry(ForecastCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_purchase_intent.forecast_validity_days = 30

    def test_expiry_date_from_type(self):
        """Evidence of a type with a validity gets a validity date that many days after its date."""
        lead = self._create_opportunity()
        intent = self._add_evidence(lead, self.type_purchase_intent, date(2026, 3, 2))
        voucher = self._add_evidence(lead, self.type_payment_voucher, date(2026, 3, 2))

        self.assertEqual(intent.date_expiry, date(2026, 4, 1))
        self.assertFalse(voucher.date_expiry)

    @freeze_time("2026-03-20")
    def test_valid_evidence_counts(self):
        """Evidence within its validity sets the colour."""
        lead = self._create_opportunity()
        intent = self._add_evidence(lead, self.type_purchase_intent, date(2026, 3, 2))

        self.assertFalse(intent.forecast_expired)
        self.assertEqual(lead.forecast_color, "yellow")

    @freeze_time("2026-04-02")
    def test_expired_evidence_ignored(self):
        """Evidence past its validity does not count, and the reason names the expiry."""
        lead = self._create_opportunity()
        intent = self._add_evidence(lead, self.type_purchase_intent, date(2026, 3, 2))

        self.assertTrue(intent.forecast_expired)
        self.assertEqual(lead.forecast_color, "red")
        self.assertAlmostEqual(lead.forecast_weight, 0.2)
        self.assertIn("no valid evidence", lead.forecast_color_reason)
        self.assertIn("expired", lead.forecast_color_reason)

    def test_cron_expires_evidence(self):
        """The daily job drops the colour of a deal whose evidence expired overnight."""
        with freeze_time("2026-03-31"):
            lead = self._create_opportunity()
            intent = self._add_evidence(lead, self.type_purchase_intent, date(2026, 3, 2))
            self.assertEqual(lead.forecast_color, "yellow")

        with freeze_time("2026-04-02"):
            expired = self.env["crm.lead.evidence"]._cron_expire_forecast_evidence()

        self.assertIn(intent, expired)
        self.assertTrue(intent.forecast_expired)
        self.assertEqual(lead.forecast_color, "red")

    @freeze_time("2026-04-02")
    def test_extended_expiry_counts_again(self):
        """Moving the validity date into the future makes the evidence count again."""
        lead = self._create_opportunity()
        intent = self._add_evidence(lead, self.type_purchase_intent, date(2026, 3, 2))
        self.assertEqual(lead.forecast_color, "red")

        intent.date_expiry = date(2026, 4, 30)

        self.assertFalse(intent.forecast_expired)
        self.assertEqual(lead.forecast_color, "yellow")

    @freeze_time("2026-04-02")
    def test_expired_green_keeps_valid_yellow(self):
        """When the green evidence expires, a still valid yellow one sets the colour."""
        self.type_purchase_order.forecast_validity_days = 10
        lead = self._create_opportunity()
        self._add_evidence(lead, self.type_purchase_order, date(2026, 3, 2))
        self._add_evidence(lead, self.type_purchase_intent, date(2026, 3, 25))

        self.assertEqual(lead.forecast_color, "yellow")
        self.assertIn(self.type_purchase_intent.name, lead.forecast_color_reason)
