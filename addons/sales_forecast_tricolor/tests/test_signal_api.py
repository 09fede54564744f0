import json

from odoo.tests import HttpCase, tagged

from .common import ForecastCommon


@tagged("post_install", "-at_install")
class TestSignalApi(HttpCase, ForecastCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.forecast_signal_token = "fc-test-token-123"
        cls.customer = cls.env["res.partner"].create({"name": "Api Chemicals", "is_company": True})

    def _post(self, rows, token="fc-test-token-123"):
        return self.url_open(
            "/sales_forecast_tricolor/signals",
            data=json.dumps(rows),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )

    def test_api_loads_rows(self):
        """A valid token loads the good rows and returns the errors of the bad ones."""
        response = self._post(
            [
                {
                    "customer": "Api Chemicals",
                    "signal_type": "new_tender",
                    "date": "2026-03-01",
                    "severity": "low",
                },
                {"customer": "Api Chemicals", "signal_type": "??", "date": "2026-03-01"},
            ]
        )

        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["loaded"], 1)
        self.assertEqual(len(body["errors"]), 1)
        self.assertIn("Row 3", body["errors"][0])
        signal = self.env["sales.forecast.signal"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(signal.company_id, self.company)

    def test_api_rejects_bad_token(self):
        """A wrong or missing token is rejected with 401 and loads nothing."""
        for token in ("wrong", ""):
            response = self._post(
                [{"customer": "Api Chemicals", "signal_type": "new_tender", "date": "2026-03-01"}],
                token=token,
            )
            self.assertEqual(response.status_code, 401)
        self.assertFalse(
            self.env["sales.forecast.signal"].search([("partner_id", "=", self.customer.id)])
        )

    def test_api_rejects_bad_body(self):
        """A body that is not a list of objects is rejected with 400."""
        response = self._post({"customer": "Api Chemicals"})

        self.assertEqual(response.status_code, 400)
