from datetime import timedelta

import psycopg2
from freezegun import freeze_time

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .silence_common import RUN_AT, CommittedSilenceCase


@tagged("post_install", "-at_install")
class TestBreakerConcurrency(CommittedSilenceCase):
    """Overlapping transactions on committed data, as several cron workers see them."""

    lead_name = "Concurrent silent lead"

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
