from datetime import datetime, timedelta

from psycopg2 import IntegrityError
from pytz import utc

from odoo import api, fields, models
from odoo.exceptions import ValidationError

INTERACTION_KINDS = [
    ("activity", "Activity Done"),
    ("meeting", "Meeting Held"),
    ("email_in", "Customer Message"),
    ("email_out", "Message to Customer"),
    ("call", "Phone Call"),
    ("chat_in", "Chat from Customer"),
    ("chat_out", "Chat to Customer"),
    ("document_view", "Document Viewed"),
]

INTERACTION_DIRECTIONS = [
    ("inbound", "From Customer"),
    ("outbound", "To Customer"),
    ("two_way", "Conversation"),
]

# Kinds an integration may send, with the direction each one counts as. A
# call or a meeting is a conversation, so it also counts as the customer's
# reply.
EXTERNAL_DIRECTIONS = {
    "call": "two_way",
    "meeting": "two_way",
    "chat_in": "inbound",
    "chat_out": "outbound",
    "email_in": "inbound",
    "email_out": "outbound",
    "document_view": "inbound",
}
# Sources written by the module itself; an integration may not use them.
RESERVED_SOURCES = {"odoo", "calendar", "share_link"}
# Clock difference accepted between an integration and this server.
FUTURE_TOLERANCE = timedelta(minutes=5)


class CrmLeadInteraction(models.Model):
    """One valid interaction with the customer of a lead.

    Rows are written in sudo mode by ``crm.lead._interaction_register``; users
    only read them. ``source`` and ``source_ref`` identify an interaction sent
    by an integration, so that a repeated delivery is recorded once.
    """

    _name = "crm.lead.interaction"
    _description = "Lead Interaction"
    _order = "date desc, id desc"

    lead_id = fields.Many2one(
        "crm.lead", string="Lead", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
    date = fields.Datetime(required=True)
    kind = fields.Selection(INTERACTION_KINDS, required=True)
    direction = fields.Selection(INTERACTION_DIRECTIONS, required=True)
    user_id = fields.Many2one("res.users", string="Salesperson")
    message_id = fields.Many2one("mail.message", string="Message", ondelete="set null")
    activity_type_id = fields.Many2one(
        "mail.activity.type", string="Activity Type", ondelete="set null"
    )
    calendar_event_id = fields.Many2one(
        "calendar.event", string="Meeting", ondelete="set null", index="btree_not_null"
    )
    source = fields.Char(
        help="Where the interaction was recorded: odoo, or the name an integration sends."
    )
    source_ref = fields.Char(
        string="Source Reference",
        help="Identifier of the interaction in its source system.",
    )
    summary = fields.Char()

    _sql_constraints = [
        (
            "source_ref_unique",
            "unique(source, source_ref)",
            "An interaction with this source reference is already recorded.",
        ),
    ]

    # ------------------------------------------------------------
    # EXTERNAL INTERACTIONS
    # ------------------------------------------------------------

    @api.model
    def _record_external(self, payload):
        """Record one interaction sent by an integration; return ``(interaction, created)``.

        ``payload`` is the decoded JSON body of the webhook. A payload whose
        ``source`` and ``source_ref`` are already recorded returns the existing
        interaction with ``created`` False, so that an integration can safely
        send the same event again. Raises ``ValidationError`` on invalid input.
        """
        values = self._validate_external(payload)
        existing = self.sudo().search(
            [("source", "=", values["source"]), ("source_ref", "=", values["source_ref"])], limit=1
        )
        if existing:
            return existing, False
        try:
            with self.env.cr.savepoint():
                interaction = self.env["crm.lead"]._interaction_register([values])
        except IntegrityError:
            # Another request recorded the same event between our search and insert.
            existing = self.sudo().search(
                [("source", "=", values["source"]), ("source_ref", "=", values["source_ref"])],
                limit=1,
            )
            return existing, False
        return interaction, True

    @api.model
    def _validate_external(self, payload):
        """Return interaction values from a webhook payload, or raise ``ValidationError``."""
        if not isinstance(payload, dict):
            raise ValidationError(self.env._("The request body must be a JSON object."))

        kind = payload.get("kind")
        if kind not in EXTERNAL_DIRECTIONS:
            raise ValidationError(
                self.env._(
                    "Invalid kind %(kind)r: use one of %(kinds)s.",
                    kind=kind,
                    kinds=", ".join(sorted(EXTERNAL_DIRECTIONS)),
                )
            )
        source, source_ref = payload.get("source"), payload.get("source_ref")
        for name, value, size in (("source", source, 64), ("source_ref", source_ref, 128)):
            if not isinstance(value, str) or not value.strip() or len(value) > size:
                raise ValidationError(
                    self.env._(
                        "Missing or invalid %(name)s: send a text of 1 to %(size)s characters.",
                        name=name,
                        size=size,
                    )
                )
        if source.strip().lower() in RESERVED_SOURCES:
            raise ValidationError(
                self.env._("The source %(name)s is reserved; name your integration.", name=source)
            )

        lead_id = payload.get("lead_id")
        if not isinstance(lead_id, int) or isinstance(lead_id, bool):
            raise ValidationError(self.env._("Missing or invalid lead_id: send the lead's id."))
        lead = self.env["crm.lead"].sudo().browse(lead_id).exists()
        if not lead:
            raise ValidationError(self.env._("No lead has the id %(lead_id)s.", lead_id=lead_id))

        date = self._validate_external_date(payload.get("date"))
        summary = payload.get("summary") or ""
        if not isinstance(summary, str):
            raise ValidationError(self.env._("The summary must be a text."))
        return {
            "lead_id": lead.id,
            "date": date,
            "kind": kind,
            "direction": EXTERNAL_DIRECTIONS[kind],
            "user_id": lead.user_id.id,
            "source": source.strip(),
            "source_ref": source_ref.strip(),
            "summary": summary[:200],
        }

    @api.model
    def _validate_external_date(self, value):
        """Return the naive UTC datetime of an ISO 8601 ``value`` (now when missing)."""
        now = fields.Datetime.now()
        if value in (None, ""):
            return now
        if not isinstance(value, str):
            raise ValidationError(self.env._("The date must be an ISO 8601 text."))
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(
                self.env._(
                    "Invalid date %(date)r: use ISO 8601, such as 2025-01-31T09:30:00+08:00.",
                    date=value,
                )
            ) from None
        if moment.tzinfo is None:
            raise ValidationError(
                self.env._(
                    "The date %(date)r has no timezone: add one, such as +08:00 or Z.", date=value
                )
            )
        moment = moment.astimezone(utc).replace(tzinfo=None)
        if moment > now + FUTURE_TOLERANCE:
            raise ValidationError(
                self.env._(
                    "The date %(date)s is in the future; send past interactions only.", date=value
                )
            )
        return moment
