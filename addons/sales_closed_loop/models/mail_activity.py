from odoo import fields, models

from .crm_lead_escalation import SILENCE_WRITE_CONTEXT_KEY


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        # Read before super(): activities of types that do not keep done
        # activities are deleted by it.
        vals_list = self._interaction_prepare_done()
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        self.env["crm.lead"]._interaction_register(vals_list)
        return result

    def _interaction_prepare_done(self):
        """Return interaction values for the counted activities of leads in ``self``."""
        if self.env.context.get(SILENCE_WRITE_CONTEXT_KEY):
            return []
        now = fields.Datetime.now()
        return [
            {
                "lead_id": activity.res_id,
                "date": now,
                "kind": "activity",
                "direction": "two_way",
                "user_id": activity.user_id.id,
                "activity_type_id": activity.activity_type_id.id,
                "source": "odoo",
                "summary": (activity.summary or activity.activity_type_id.name or "")[:200],
            }
            for activity in self.sudo()
            if activity.res_model == "crm.lead" and activity.activity_type_id.counts_as_interaction
        ]
