from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from ..models import crm_lead_silence
from .silence_common import MONDAY, SilenceCase

RUN_AT = MONDAY + timedelta(hours=73)


@tagged("post_install", "-at_install")
class TestBreakerBatch(SilenceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leads = cls.lead
        for index in range(2):
            lead = cls._create_lead(f"Silent lead {index}", cls.user_salesman)
            cls._reset_ledger(lead, interaction=MONDAY + timedelta(minutes=index + 1))
            cls.leads |= lead

    def test_crons_shipped(self):
        """Both silence crons are active scheduled actions running at least every 5 minutes."""
        for xmlid, method in (
            ("sales_closed_loop.ir_cron_silence_nudge", "_cron_silence_nudge"),
            ("sales_closed_loop.ir_cron_silence_breaker", "_cron_silence_breaker"),
        ):
            cron = self.env.ref(xmlid)
            self.assertTrue(cron.active)
            self.assertEqual(cron.interval_type, "minutes")
            self.assertLessEqual(cron.interval_number, 5)
            self.assertIn(method, cron.code)

    def test_bounded_batches(self):
        """A run handles one bounded batch, oldest deadline first, and reports what remains."""
        with freeze_time(RUN_AT):
            first = self.env["crm.lead"]._cron_silence_breaker(batch_size=2)
        self.assertEqual((first["done"], first["remaining"]), (2, 1))
        self.assertEqual(self.leads[:2].escalation_ids.lead_id, self.leads[:2])
        with freeze_time(RUN_AT + timedelta(minutes=5)):
            second = self.env["crm.lead"]._cron_silence_breaker(batch_size=2)
        self.assertEqual((second["done"], second["remaining"]), (1, 0))
        self.assertEqual(len(self.leads.escalation_ids), 3)

    def test_progress_reported(self):
        """The run reports done and remaining leads to the cron's progress record."""
        cron = self.env.ref("sales_closed_loop.ir_cron_silence_breaker")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        with freeze_time(RUN_AT):
            self.env["crm.lead"].with_context(
                ir_cron_progress_id=progress.id
            )._cron_silence_breaker(batch_size=2)
        self.assertEqual((progress.done, progress.remaining), (2, 1))

    def test_failure_isolated(self):
        """A lead that fails is rolled back and retried; the others of the batch are kept."""
        Lead = type(self.env["crm.lead"])
        original = Lead._silence_escalate
        failing = self.leads[1]

        def escalate(lead, now, batch_data):
            if lead == failing:
                raise ValueError("simulated failure")
            return original(lead, now, batch_data)

        with patch.object(Lead, "_silence_escalate", escalate), freeze_time(RUN_AT):
            with self.assertLogs("odoo.addons.sales_closed_loop.models.crm_lead_silence", "ERROR"):
                counts = self.env["crm.lead"]._cron_silence_breaker()
        self.assertEqual((counts["done"], counts["failed"]), (2, 1))
        self.assertFalse(failing.escalation_ids)
        self.assertEqual(failing.user_id, self.user_salesman)

        with freeze_time(RUN_AT + timedelta(minutes=5)):
            counts = self.env["crm.lead"]._cron_silence_breaker()
        self.assertEqual(counts["done"], 1)
        self.assertEqual(len(failing.escalation_ids), 1)

    def test_summary_logged(self):
        """Each run logs one summary line with its counts."""
        with freeze_time(RUN_AT), patch.object(crm_lead_silence._logger, "info") as info:
            self.env["crm.lead"]._cron_silence_breaker()
        summaries = [call.args for call in info.call_args_list if "scanned" in call.args[0]]
        self.assertEqual(len(summaries), 1)
        # method, scanned, acted on, skipped, failed, remaining, seconds
        self.assertEqual(summaries[0][1:7], ("_silence_escalate", 3, 3, 0, 0, 0))
