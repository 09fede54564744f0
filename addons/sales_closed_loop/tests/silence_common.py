from datetime import datetime, timedelta

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, new_test_user
from odoo.tests.common import get_db_name

from .common import ClosedLoopCase

# A Monday at 09:00 in Shanghai (01:00 UTC). Every silence test freezes time
# relative to it, long after the setUpClass data was created.
MONDAY = datetime(2030, 1, 7, 1, 0, 0)
# Long before the demo data was created, so that only the lead of a committed test is due.
SILENT_SINCE = datetime(2020, 1, 6, 9, 0)
RUN_AT = SILENT_SINCE + timedelta(hours=80)


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


class CommittedSilenceCase(BaseCase):
    """A silent lead committed to the database, for tests with overlapping transactions.

    The data is committed in setUp and deleted again in the cleanup, because
    row locks only act between separate transactions.
    """

    lead_name = "Committed silent lead"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            admin, demo = env.ref("base.user_admin"), env.ref("base.user_demo")
            # No team members: adding one would archive the user's membership of
            # their other team, and that change would outlive the test.
            team = env["crm.team"].create(
                {
                    "name": f"{self.lead_name} team",
                    "user_id": demo.id,
                    "silence_breaker_hours": 72,
                    "silence_breaker_policy": "team_leader",
                }
            )
            lead = env["crm.lead"].create(
                {"name": self.lead_name, "team_id": team.id, "user_id": admin.id}
            )
            lead.write({"last_interaction_date": SILENT_SINCE})
            self.team_id, self.lead_id = team.id, lead.id
            self.demo_id = demo.id
        self.addCleanup(self._delete_data)

    def _delete_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            lead = env["crm.lead"].with_context(active_test=False).browse(self.lead_id)
            lead.escalation_ids.unlink()
            lead.unlink()
            env["crm.team"].browse(self.team_id).unlink()

    def _escalation_count(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM crm_lead_escalation WHERE lead_id = %s", [self.lead_id]
            )
            return cr.fetchone()[0]
