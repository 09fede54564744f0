import json
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from .silence_common import MONDAY, SilenceCase

URL = "/sales_closed_loop/interaction"
TOKEN = "s3cret-webhook-token"
# Two days after the lead's last message, one day after the call of _payload.
NOW = MONDAY + timedelta(hours=48)


@tagged("post_install", "-at_install")
class TestInteractionWebhook(HttpCase, SilenceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("sales_closed_loop.webhook_token", TOKEN)

    def _payload(self, **values):
        return {
            "lead_id": self.lead.id,
            "kind": "call",
            "source": "wecom",
            "source_ref": "call-8812",
            "date": "2030-01-08T09:30:00+08:00",
            "summary": "Discussed the pilot",
            **values,
        }

    def _post(self, body, token=TOKEN):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = body if isinstance(body, str) else json.dumps(body)
        with freeze_time(NOW):
            return self.url_open(URL, data=data, headers=headers)

    def test_call_recorded(self):
        """A call sent by an integration is recorded at its own time, in UTC."""
        response = self._post(self._payload())
        self.assertEqual(response.status_code, 201, response.text)
        moment = MONDAY + timedelta(hours=24, minutes=30)  # 09:30 in Shanghai is 01:30 UTC
        self.assertEqual(self.lead.last_interaction_date, moment)
        self.assertEqual(self.lead.last_customer_reply_date, moment)
        self.assertEqual(self.lead.interaction_ids.source_ref, "call-8812")

    def test_same_event_once(self):
        """The same source reference sent twice is recorded once."""
        self.assertEqual(self._post(self._payload()).status_code, 201)
        response = self._post(self._payload())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], "duplicate")
        self.assertEqual(len(self.lead.interaction_ids), 1)

    def test_wrong_token_rejected(self):
        """A request without the right token is rejected and records nothing."""
        self.assertEqual(self._post(self._payload(), token="guess").status_code, 401)
        self.assertEqual(self._post(self._payload(), token=None).status_code, 401)
        self.assertFalse(self.lead.interaction_ids)

    def test_no_token_configured(self):
        """The webhook is off while no token is configured."""
        self.env["ir.config_parameter"].sudo().set_param("sales_closed_loop.webhook_token", "")
        self.assertEqual(self._post(self._payload(), token="").status_code, 401)

    def test_invalid_json_rejected(self):
        """A body that is not JSON is rejected."""
        self.assertEqual(self._post("{not json").status_code, 400)

    def test_invalid_payloads(self):
        """Each invalid field is rejected with a message naming it."""
        Interaction = self.env["crm.lead.interaction"]
        cases = {
            "kind": self._payload(kind="fax"),
            "lead": self._payload(lead_id=0),
            "source_ref": self._payload(source_ref=""),
            "reserved": self._payload(source="odoo"),
            "timezone": self._payload(date="2030-01-08T09:30:00"),
            "date": self._payload(date="yesterday"),
        }
        for name, payload in cases.items():
            with self.subTest(name), freeze_time(NOW), self.assertRaises(ValidationError):
                Interaction._record_external(payload)
        with self.assertRaises(ValidationError):
            Interaction._record_external(["not", "an", "object"])

    def test_future_date_rejected(self):
        """An interaction dated in the future is rejected."""
        with freeze_time(MONDAY):
            with self.assertRaises(ValidationError):
                self.env["crm.lead.interaction"]._record_external(
                    self._payload(date="2030-01-08T09:30:00+08:00")
                )

    def test_outbound_chat(self):
        """A chat message to the customer moves the outbound date only."""
        with freeze_time(NOW):
            self.env["crm.lead.interaction"]._record_external(
                self._payload(kind="chat_out", source_ref="msg-1")
            )
        self.assertEqual(self.lead.last_outbound_date, MONDAY + timedelta(hours=24, minutes=30))
        self.assertFalse(self.lead.last_customer_reply_date)
