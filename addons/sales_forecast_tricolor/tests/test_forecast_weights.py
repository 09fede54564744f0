from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ForecastCommon


@tagged("post_install", "-at_install")
class TestForecastWeights(ForecastCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead_green = cls._create_opportunity(name="Green deal", expected_revenue=10000.0)
        cls._add_evidence(cls.lead_green, cls.type_payment_voucher)
        cls.lead_red = cls._create_opportunity(name="Red deal", expected_revenue=5000.0)
        cls.lead_lost = cls._create_opportunity(name="Lost deal", expected_revenue=8000.0)
        cls._add_evidence(cls.lead_lost, cls.type_payment_voucher)
        cls.lead_lost.action_set_lost()

    def _report_total(self):
        groups = self.env["sales.forecast.report"]._read_group(
            [("team_id", "=", self.team.id)], [], ["weighted_revenue:sum"]
        )
        return groups[0][0]

    def test_weight_change_recomputes_open(self):
        """A new company weight applies to open leads and to the report, not to lost ones."""
        self.assertAlmostEqual(self._report_total(), 10000.0 * 0.9 + 5000.0 * 0.2)

        self.company.write({"forecast_weight_green": 0.8, "forecast_weight_red": 0.1})

        self.assertAlmostEqual(self.lead_green.forecast_weight, 0.8)
        self.assertAlmostEqual(self.lead_green.forecast_weighted_revenue, 8000.0)
        self.assertAlmostEqual(self.lead_red.forecast_weight, 0.1)
        self.assertAlmostEqual(self.lead_red.forecast_weighted_revenue, 500.0)
        self.assertAlmostEqual(self.lead_lost.forecast_weight, 0.9)
        self.assertAlmostEqual(self._report_total(), 10000.0 * 0.8 + 5000.0 * 0.1)

    def test_weight_change_other_company(self):
        """Changing another company's weights leaves this company's leads alone."""
        other = self.env["res.company"].create({"name": "Forecast Other Company"})

        other.write({"forecast_weight_red": 0.05})

        self.assertAlmostEqual(self.lead_red.forecast_weight, 0.2)

    def test_weight_above_one_rejected(self):
        """A weight above 1 raises and leaves every weight unchanged."""
        with self.assertRaises(ValidationError) as caught:
            self.company.write({"forecast_weight_green": 1.2})

        self.assertIn("between 0 and 1", str(caught.exception))
        self.assertIn("green", str(caught.exception))
        self.company.invalidate_recordset()
        self.assertAlmostEqual(self.company.forecast_weight_green, 0.9)
        self.assertAlmostEqual(self.lead_green.forecast_weight, 0.9)

    def test_weight_below_zero_rejected(self):
        """A negative weight raises."""
        with self.assertRaises(ValidationError):
            self.company.write({"forecast_weight_red": -0.1})

    def test_weight_order_rejected(self):
        """Green below yellow raises, names the weights, and saves nothing."""
        with self.assertRaises(ValidationError) as caught:
            self.company.write({"forecast_weight_green": 0.5})

        message = str(caught.exception)
        self.assertIn("green 0.5", message)
        self.assertIn("yellow 0.6", message)
        self.assertIn("red 0.2", message)
        self.company.invalidate_recordset()
        self.assertAlmostEqual(self.company.forecast_weight_green, 0.9)

    def test_settings_lower_all_weights(self):
        """Settings save three lower weights at once although each alone would break the order."""
        settings = self.env["res.config.settings"].create(
            {
                "forecast_weight_green": 0.5,
                "forecast_weight_yellow": 0.4,
                "forecast_weight_red": 0.1,
            }
        )
        settings.execute()

        self.assertAlmostEqual(self.company.forecast_weight_green, 0.5)
        self.assertAlmostEqual(self.company.forecast_weight_yellow, 0.4)
        self.assertAlmostEqual(self.company.forecast_weight_red, 0.1)
        self.assertAlmostEqual(self.lead_green.forecast_weighted_revenue, 5000.0)

    def test_settings_show_company_weights(self):
        """Settings open with the current company's weights."""
        self.company.write({"forecast_weight_yellow": 0.7})

        settings = self.env["res.config.settings"].create({})

        self.assertAlmostEqual(settings.forecast_weight_green, 0.9)
        self.assertAlmostEqual(settings.forecast_weight_yellow, 0.7)
        self.assertAlmostEqual(settings.forecast_weight_red, 0.2)

    def test_settings_invalid_rejected(self):
        """Saving invalid weights in Settings raises and saves nothing."""
        settings = self.env["res.config.settings"].create({"forecast_weight_yellow": 0.95})

        with self.assertRaises(ValidationError):
            settings.execute()

        self.company.invalidate_recordset()
        self.assertAlmostEqual(self.company.forecast_weight_yellow, 0.6)
