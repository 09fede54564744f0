from datetime import timedelta

from odoo import api, fields, models

# Ended meetings are looked for this far back. Meetings are picked up by the
# silence crons, which run every few minutes; the margin covers a server that
# was down for days.
MEETING_LOOKBACK = timedelta(days=7)


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    @api.model
    def _interaction_register_ended(self, now=None):
        """Record the meetings of opportunities that ended since the last run.

        A meeting counts once it has taken place, at its end time. Each meeting
        is recorded once: its interaction carries the meeting as source
        reference. Returns the number of meetings recorded.
        """
        now = now or fields.Datetime.now()
        events = (
            self.sudo()
            .with_context(active_test=True)
            .search(
                [
                    ("opportunity_id", "!=", False),
                    ("stop", "<=", now),
                    ("stop", ">", now - MEETING_LOOKBACK),
                ]
            )
        )
        if not events:
            return 0
        known = set(
            self.env["crm.lead.interaction"]
            .sudo()
            .search([("calendar_event_id", "in", events.ids)])
            .mapped("calendar_event_id")
            .ids
        )
        vals_list = [
            {
                "lead_id": event.opportunity_id.id,
                "date": event.stop,
                "kind": "meeting",
                "direction": "two_way",
                "user_id": event.user_id.id,
                "calendar_event_id": event.id,
                "source": "calendar",
                "source_ref": str(event.id),
                "summary": (event.name or "")[:200],
            }
            for event in events
            if event.id not in known
        ]
        self.env["crm.lead"]._interaction_register(vals_list)
        return len(vals_list)
