from datetime import datetime, timedelta

import psycopg2
from freezegun import freeze_time

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

# Long before the demo data was created, so that only the lead of this test is due.
SILENT_SINCE = datetime(2020, 1, 6, 9, 0)
RUN_AT = SILENT_SINCE + timedelta(hours=80)


@tagged("post_install", "-at_install")
class TestBreakerConcurrency(BaseCase):
    """Overlapping transactions on committed data, as several cron workers see them.

    The data is committed in setUp and deleted again in the cleanup, because
    row locks only act between separate transactions.
    """

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
                    "name": "Concurrency team",
                    "user_id": demo.id,
                    "silence_breaker_hours": 72,
                    "silence_breaker_policy": "team_leader",
                }
            )
            lead = env["crm.lead"].create(
                {"name": "Concurrent silent lead", "team_id": team.id, "user_id": admin.id}
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

    def test_locked_lead_skipped(self):
        """A second run skips the lead the first run holds, and nothing is escalated twice."""
        with freeze_time(RUN_AT), self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            locked = env_a["crm.lead"]._silence_lock_due("silence_breaker_due_date", RUN_AT, 10)
            self.assertIn(self.lead_id, locked)

            counts_b = env_b["crm.lead"]._cron_silence_breaker()
            self.assertEqual(counts_b["done"], 0)
            cr_b.commit()

            counts_a = env_a["crm.lead"]._cron_silence_breaker()
            self.assertEqual(counts_a["done"], 1)
            cr_a.commit()

        with freeze_time(RUN_AT + timedelta(minutes=5)), self.registry.cursor() as cr_c:
            env_c = api.Environment(cr_c, SUPERUSER_ID, {})
            self.assertEqual(env_c["crm.lead"]._cron_silence_breaker()["done"], 0)
        self.assertEqual(self._escalation_count(), 1)

    def test_stale_snapshot_no_double(self):
        """A run whose snapshot predates another run's commit escalates nothing again."""
        with freeze_time(RUN_AT), self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            cr_b.execute("SELECT 1")  # take B's snapshot before A commits

            self.assertEqual(env_a["crm.lead"]._cron_silence_breaker()["done"], 1)
            cr_a.commit()

            try:
                counts_b = env_b["crm.lead"]._cron_silence_breaker()
            except psycopg2.errors.SerializationFailure:
                cr_b.rollback()
            else:
                self.assertEqual(counts_b["done"], 0)
                cr_b.commit()
        self.assertEqual(self._escalation_count(), 1)
        with self.registry.cursor() as cr:
            cr.execute("SELECT user_id FROM crm_lead WHERE id = %s", [self.lead_id])
            self.assertEqual(cr.fetchone()[0], self.demo_id)
