from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ForecastCommon


@tagged("post_install", "-at_install")
class TestForecastWeightOverride(ForecastCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.industry = cls.env["res.partner.industry"].create({"name": "Forecast Mining"})
        cls.customer = cls.env["res.partner"].create(
            {"name": "Forecast Mine", "is_company": True, "industry_id": cls.industry.id}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Forecast Mine Buyer", "parent_id": cls.customer.id}
        )
        cls.other_team = cls.env["crm.team"].create({"name": "Forecast Other Team"})
        cls.lead = cls._create_opportunity(
            name="Mining deal",
            expected_revenue=10000.0,
            partner_id=cls.contact.id,
            team_id=cls.other_team.id,
        )
        cls._add_evidence(cls.lead, cls.type_payment_voucher)
        cls.Weight = cls.env["sales.forecast.weight"]

    def _override(self, **vals):
        values = {
            "forecast_weight_green": 0.7,
            "forecast_weight_yellow": 0.5,
            "forecast_weight_red": 0.1,
        }
        values.update(vals)
        return self.Weight.create(values)

    def test_industry_override_applies(self):
        """An industry override applies to a deal whose customer's company is in that industry."""
        self._override(industry_id=self.industry.id)

        self.assertAlmostEqual(self.lead.forecast_weight, 0.7)
        self.assertAlmostEqual(self.lead.forecast_weighted_revenue, 7000.0)

    def test_team_override_beats_industry(self):
        """A team override is more specific than an industry override."""
        self._override(industry_id=self.industry.id)
        self._override(team_id=self.other_team.id, forecast_weight_green=0.85)

        self.assertAlmostEqual(self.lead.forecast_weight, 0.85)

    def test_team_industry_override_first(self):
        """An override for both the team and the industry beats either alone."""
        self._override(industry_id=self.industry.id)
        self._override(team_id=self.other_team.id, forecast_weight_green=0.85)
        self._override(
            team_id=self.other_team.id, industry_id=self.industry.id, forecast_weight_green=0.95
        )

        self.assertAlmostEqual(self.lead.forecast_weight, 0.95)

    def test_other_team_keeps_company(self):
        """A deal of another team and industry keeps the company weights."""
        self._override(industry_id=self.industry.id)
        other = self._create_opportunity(name="Plain deal")
        self._add_evidence(other, self.type_payment_voucher)

        self.assertAlmostEqual(other.forecast_weight, 0.9)

    def test_override_edit_and_delete(self):
        """Editing an override recomputes its deals, and deleting it restores the company weight."""
        override = self._override(industry_id=self.industry.id)

        override.forecast_weight_green = 0.6
        self.assertAlmostEqual(self.lead.forecast_weight, 0.6)

        override.unlink()
        self.assertAlmostEqual(self.lead.forecast_weight, 0.9)

    def test_override_validated(self):
        """Override weights out of range or out of order are rejected with a clear message."""
        with self.assertRaises(ValidationError) as caught:
            self._override(industry_id=self.industry.id, forecast_weight_red=1.5)
        self.assertIn("between 0 and 1", str(caught.exception))

        with self.assertRaises(ValidationError) as caught:
            self._override(industry_id=self.industry.id, forecast_weight_yellow=0.8)
        self.assertIn("green ≥ yellow ≥ red", str(caught.exception))

    def test_override_needs_scope(self):
        """An override without team or industry is rejected."""
        with self.assertRaises(ValidationError):
            self._override()

    def test_override_duplicate_rejected(self):
        """A second override for the same team and industry is rejected."""
        self._override(industry_id=self.industry.id)
        with self.assertRaises(ValidationError):
            self._override(industry_id=self.industry.id, forecast_weight_green=0.8)
