from odoo import models

# Context key under which incoming automatic replies are created.
AUTO_SUBMITTED_CONTEXT_KEY = "sales_closed_loop_auto_submitted"


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def message_parse(self, message, save_original=False):
        """Mark automatic replies, which never count as a customer interaction.

        RFC 3834 marks them with an ``Auto-Submitted`` header whose value is
        anything but ``no`` (``auto-replied`` for out-of-office messages,
        ``auto-generated`` for robots).
        """
        msg_dict = super().message_parse(message, save_original=save_original)
        auto_submitted = (message.get("Auto-Submitted") or "").strip().lower()
        if auto_submitted and auto_submitted != "no":
            msg_dict["is_auto_submitted"] = True
        return msg_dict

    def _message_route_process(self, message, message_dict, routes):
        # mail.thread.message_post rejects values it does not know, so the
        # automatic-reply mark travels in the context to mail.message.create.
        if message_dict.pop("is_auto_submitted", False):
            self = self.with_context(**{AUTO_SUBMITTED_CONTEXT_KEY: True})
        return super()._message_route_process(message, message_dict, routes)
