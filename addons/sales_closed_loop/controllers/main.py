"""Webhook through which WeCom, DingTalk or phone-system integrations record
interactions on leads.

    POST /sales_closed_loop/interaction
    Authorization: Bearer <the system parameter sales_closed_loop.webhook_token>
    Content-Type: application/json

    {"lead_id": 42, "kind": "call", "source": "wecom", "source_ref": "call-8812",
     "date": "2025-01-31T09:30:00+08:00", "summary": "Discussed the pilot"}

Returns 201 when recorded, 200 when the same ``source`` and ``source_ref``
were already recorded, 400 on invalid input and 401 on a missing or wrong
token. The webhook is off while the token parameter is empty.
"""

import hmac
import json
import logging

from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request

_logger = logging.getLogger(__name__)

TOKEN_PARAM = "sales_closed_loop.webhook_token"


class InteractionWebhook(http.Controller):
    @http.route(
        "/sales_closed_loop/interaction",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def record_interaction(self):
        expected = request.env["ir.config_parameter"].sudo().get_param(TOKEN_PARAM) or ""
        header = request.httprequest.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip()
        if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
            _logger.warning(
                "Interaction webhook: rejected a request from %s with a missing or wrong token",
                request.httprequest.remote_addr,
            )
            return self._reply(401, {"error": "missing or invalid token"})

        try:
            payload = json.loads(request.httprequest.get_data() or b"null")
        except ValueError:
            return self._reply(400, {"error": "the body is not valid JSON"})

        interactions = request.env["crm.lead.interaction"].sudo()
        try:
            interaction, created = interactions._record_external(payload)
        except ValidationError as error:
            return self._reply(400, {"error": str(error)})
        return self._reply(
            201 if created else 200,
            {"id": interaction.id, "status": "recorded" if created else "duplicate"},
        )

    def _reply(self, status, body):
        return request.make_json_response(body, status=status)
