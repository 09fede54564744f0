from datetime import datetime, timedelta

from odoo.tests import new_test_user

from .common import ClosedLoopCase

# A Monday at 09:00 in Shanghai (01:00 UTC). Every silence test freezes time
# relative to it, long after the setUpClass data was created.
MONDAY = datetime(2030, 1, 7, 1, 0, 0)


class SilenceCase(ClosedLoopCase):
    """A team with a leader and four reps, a customer company with two contacts,
    and one opportunity whose salesperson last wrote to the customer at MONDAY."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = "UTC"
        cls.user_rep_3 = new_test_user(
            cls.env, login="cl_rep_3", groups="sales_team.group_sale_salesman"
        )
        cls.user_rep_4 = new_test_user(
            cls.env, login="cl_rep_4", groups="sales_team.group_sale_salesman"
        )
        cls.user_senior = new_test_user(
            cls.env, login="cl_senior", groups="sales_team.group_sale_salesman_all_leads"
        )
        cls.team.write(
            {
                "user_id": cls.user_manager.id,
                "silence_nudge_hours": 48,
                "silence_breaker_hours": 72,
                "silence_time_mode": "wall",
                "silence_breaker_policy": "round_robin",
            }
        )
        cls.members = {
            user: cls.env["crm.team.member"].create(
                {"crm_team_id": cls.team.id, "user_id": user.id}
            )
            for user in (cls.user_salesman, cls.user_salesman_other, cls.user_rep_3, cls.user_rep_4)
        }

        cls.customer = cls.env["res.partner"].create(
            {"name": "Harbour Logistics Co.", "is_company": True, "email": "office@harbour.example"}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Wang Li", "parent_id": cls.customer.id, "email": "wang.li@harbour.example"}
        )
        cls.contact_other = cls.env["res.partner"].create(
            {"name": "Zhao Min", "parent_id": cls.customer.id, "email": "zhao.min@harbour.example"}
        )
        cls.stranger = cls.env["res.partner"].create(
            {"name": "Someone Else", "email": "someone@elsewhere.example"}
        )
        cls.lead.write({"partner_id": cls.contact.id})
        cls.lead.message_subscribe(partner_ids=cls.contact.ids)
        # Nothing the ledger did at creation matters; each test sets its own story.
        cls._reset_ledger(cls.lead)
        # The other rep's lead stays busy, and the demo leads, silent since
        # their creation, are archived so that the crons only see ours.
        cls._reset_ledger(cls.lead_other, outbound=False, interaction=MONDAY + timedelta(days=365))
        cls.env["crm.lead"].search([("id", "not in", (cls.lead | cls.lead_other).ids)]).write(
            {"active": False}
        )

    @classmethod
    def _reset_ledger(cls, lead, outbound=MONDAY, interaction=MONDAY):
        lead.interaction_ids.sudo().unlink()
        lead.sudo().write(
            {
                "last_interaction_date": interaction,
                "last_outbound_date": outbound,
                "last_customer_reply_date": False,
                "silence_needs_intervention": False,
                "silence_escalated_date": False,
                "silence_extension_until": False,
            }
        )

    def _post_from_customer(self, lead, partner=None, **values):
        """Post an incoming email on ``lead`` written by a contact of the customer."""
        return lead.message_post(
            body="We are still interested.",
            message_type="email",
            author_id=(partner or self.contact).id,
            subtype_xmlid="mail.mt_comment",
            **values,
        )

    def _post_to_customer(self, lead, user=None):
        """Post a message to the customer on ``lead`` as its salesperson."""
        return lead.with_user(user or lead.user_id).message_post(
            body="Here is the offer we discussed.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.contact.ids,
        )
