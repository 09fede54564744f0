from odoo import api, fields, models

from .crm_lead_escalation import SILENCE_WRITE_CONTEXT_KEY
from .mail_thread import AUTO_SUBMITTED_CONTEXT_KEY

# System parameter listing the mail.message types that can count as an
# interaction with the customer, separated by commas.
MESSAGE_TYPES_PARAM = "sales_closed_loop.interaction_message_types"
DEFAULT_MESSAGE_TYPES = "email,comment,email_outgoing"


class MailMessage(models.Model):
    _inherit = "mail.message"

    is_auto_submitted = fields.Boolean(
        string="Automatic Reply",
        readonly=True,
        help="The incoming email carried an Auto-Submitted header other than 'no' "
        "(out-of-office replies, delivery reports, mailing-list robots).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get(AUTO_SUBMITTED_CONTEXT_KEY):
            for vals in vals_list:
                if vals.get("message_type") == "email":
                    vals["is_auto_submitted"] = True
        messages = super().create(vals_list)
        if not self.env.context.get(SILENCE_WRITE_CONTEXT_KEY):
            lead_messages = messages.filtered(lambda message: message.model == "crm.lead")
            if lead_messages:
                lead_messages._interaction_register_messages()
        return messages

    def _interaction_register_messages(self):
        """Record the messages of ``self`` that are a valid interaction on their lead.

        The lead and the authors are read in sudo mode: a message counts even
        when its author cannot read the lead.
        """
        message_types = self._interaction_get_message_types()
        leads = self.env["crm.lead"].sudo().browse(set(self.mapped("res_id"))).exists()
        vals_list = []
        for message in self.sudo():
            lead = leads.filtered(lambda lead, message=message: lead.id == message.res_id)
            if not lead or message.message_type not in message_types:
                continue
            direction = message._interaction_get_direction(lead)
            if not direction:
                continue
            vals_list.append(
                {
                    "lead_id": lead.id,
                    "date": message.date or fields.Datetime.now(),
                    "kind": "email_in" if direction == "inbound" else "email_out",
                    "direction": direction,
                    "user_id": lead.user_id.id,
                    "message_id": message.id,
                    "source": "odoo",
                    "summary": (message.subject or message.preview or "")[:200],
                }
            )
        self.env["crm.lead"]._interaction_register(vals_list)

    @api.model
    def _interaction_get_message_types(self):
        """Return the message types that may count, from the system parameter."""
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(MESSAGE_TYPES_PARAM, DEFAULT_MESSAGE_TYPES)
        )
        return {item.strip() for item in value.split(",") if item.strip()}

    def _interaction_get_direction(self, lead):
        """Return "inbound", "outbound" or False for this message on ``lead``.

        Override to count other messages. Notes, automatic replies and
        messages of a lead without a customer never count. A message from any
        contact of the customer's company is inbound. A message written by an
        internal user is outbound when a recipient or a follower belongs to
        the customer's company.
        """
        self.ensure_one()
        if self.is_auto_submitted or self.is_internal or self.subtype_id.internal:
            return False
        customer = lead.partner_id.commercial_partner_id
        author = self.author_id
        if customer and author.commercial_partner_id == customer:
            return "inbound"
        if not author and lead.email_normalized and self.email_from:
            if lead.email_normalized in (self.email_from or "").lower():
                return "inbound"
            return False
        if not customer or not author.user_ids.filtered(lambda user: not user.share):
            return False
        audience = self.partner_ids | lead.message_partner_ids
        if customer in audience.commercial_partner_id:
            return "outbound"
        return False
