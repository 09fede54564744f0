import hmac
import logging

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)


class SignalApi(http.Controller):
    """JSON endpoint for external signals, protected by a per-company token.

    POST a JSON list of rows with the import file's columns and the header
    ``Authorization: Bearer <token>``. The response contains the number of
    rows loaded and the error of each rejected row.
    """

    @http.route(
        "/sales_forecast_tricolor/signals",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def post_signals(self):
        header = request.httprequest.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip()
        company = self._find_company(token)
        if not company:
            _logger.warning("Signal API: request with a missing or invalid token rejected")
            return request.make_json_response({"error": "invalid token"}, status=401)

        try:
            rows = request.get_json_data()
        except ValueError:
            return request.make_json_response({"error": "the body is not JSON"}, status=400)
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            return request.make_json_response(
                {"error": "the body must be a list of objects"}, status=400
            )

        rows = [
            {str(key).lower(): str(value or "").strip() for key, value in row.items()}
            for row in rows
        ]
        env = request.env(su=True)(context={"allowed_company_ids": [company.id]})
        signals, errors = (
            env["sales.forecast.signal"].with_company(company)._import_signal_rows(rows)
        )
        return request.make_json_response({"loaded": len(signals), "errors": errors})

    def _find_company(self, token):
        if not token:
            return None
        companies = request.env(su=True)["res.company"].search(
            [("forecast_signal_token", "!=", False)]
        )
        for company in companies:
            if hmac.compare_digest(company.forecast_signal_token, token):
                return company
        return None
