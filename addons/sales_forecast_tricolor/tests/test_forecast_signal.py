import base64
import io
from datetime import date

import openpyxl
from freezegun import freeze_time

from odoo.tests import tagged

from .common import ForecastCommon

CSV_MIXED = """customer,signal_type,date,severity,source_url,description
Signal Steel Works,administrative_penalty,2026-03-10,high,https://example.com/penalty,Fined for waste water
Nobody Known Ltd,administrative_penalty,2026-03-10,high,,
Signal Steel Works,alien_invasion,2026-03-10,low,,
Signal Steel Works,new_tender,10/03/2026,low,,
CN91310000TEST,Negative news,2026-03-11,High,,Plant fire reported
"""


@tagged("post_install", "-at_install")
class TestForecastSignal(ForecastCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Signal Steel Works", "is_company": True, "vat": "CN91310000TEST"}
        )
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Signal Buyer", "parent_id": cls.customer.id}
        )
        cls.lead = cls._create_opportunity(name="Steel deal", partner_id=cls.buyer.id)
        cls._add_evidence(cls.lead, cls.type_payment_voucher)
        cls.lead_other = cls._create_opportunity(name="Unrelated deal")
        cls._add_evidence(cls.lead_other, cls.type_payment_voucher)
        cls.Signal = cls.env["sales.forecast.signal"]

    def _signal(self, signal_type="administrative_penalty", severity="high", day="2026-03-10"):
        return self.Signal.create(
            {
                "partner_id": self.customer.id,
                "signal_type": signal_type,
                "severity": severity,
                "date": day,
                "description": "Fined for waste water",
            }
        )

    @freeze_time("2026-03-12")
    def test_penalty_lowers_deals(self):
        """A penalty lowers the customer's open deals by one colour for 90 days, with a note."""
        signal = self._signal()

        self.assertEqual(self.lead.forecast_color, "yellow")
        self.assertEqual(self.lead_other.forecast_color, "green")
        downgrade = signal.downgrade_ids
        self.assertEqual(downgrade.lead_id, self.lead)
        self.assertEqual(downgrade.kind, "signal")
        self.assertEqual(downgrade.date_end, date(2026, 6, 8))
        self.assertTrue(self.lead.message_ids.filtered(lambda m: "waste water" in (m.body or "")))

    @freeze_time("2026-03-12")
    def test_no_rule_no_change(self):
        """A signal without a matching rule, such as low-severity news, changes nothing."""
        self._signal("negative_news", "low")
        self._signal("new_tender", "high")

        self.assertEqual(self.lead.forecast_color, "green")

    def test_signal_downgrade_expires(self):
        """After its last day the signal downgrade ends and the deal's colour comes back."""
        with freeze_time("2026-03-12"):
            self._signal()
        self.assertEqual(self.lead.forecast_color, "yellow")

        with freeze_time("2026-06-09"):
            self.env["sales.forecast.downgrade"]._cron_expire_downgrades()

        self.assertEqual(self.lead.forecast_color, "green")

    @freeze_time("2026-03-12")
    def test_evidence_does_not_lift_signal(self):
        """New evidence does not lift a downgrade set by an external signal."""
        self._signal()

        self._add_evidence(self.lead, self.type_purchase_order)

        self.assertEqual(self.lead.forecast_color, "yellow")

    @freeze_time("2026-03-12")
    def test_csv_mixed_rows(self):
        """A CSV with good and bad rows loads the good ones and reports each bad one by row."""
        wizard = self.env["sales.forecast.signal.import"].create(
            {"file": base64.b64encode(CSV_MIXED.encode()), "filename": "signals.csv"}
        )
        wizard.action_import()

        self.assertEqual(wizard.imported_count, 2)
        self.assertEqual(wizard.error_count, 3)
        self.assertIn("Row 3: no customer company", wizard.result)
        self.assertIn("Row 4: unknown signal type alien_invasion", wizard.result)
        self.assertIn("Row 5: invalid date 10/03/2026", wizard.result)
        signals = self.Signal.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(
            set(signals.mapped("signal_type")), {"administrative_penalty", "negative_news"}
        )
        # The penalty and the high-severity news each lower the deal one colour.
        self.assertEqual(self.lead.forecast_color, "red")

    @freeze_time("2026-03-12")
    def test_xlsx_import(self):
        """An XLSX file with the same columns loads too."""
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["customer", "signal_type", "date", "severity", "source_url", "description"])
        sheet.append(
            [
                "Signal Steel Works",
                "Legal representative change",
                "2026-03-09",
                "medium",
                None,
                None,
            ]
        )
        sheet.append([None, "new_tender", "2026-03-09", "low", None, None])
        buffer = io.BytesIO()
        workbook.save(buffer)

        wizard = self.env["sales.forecast.signal.import"].create(
            {"file": base64.b64encode(buffer.getvalue()), "filename": "signals.xlsx"}
        )
        wizard.action_import()

        self.assertEqual(wizard.imported_count, 1)
        self.assertIn("Row 3: the customer is missing", wizard.result)
        self.assertEqual(self.lead.forecast_color, "yellow")
