import threading

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

# As many simultaneous uses of one action as a busy team can produce in the
# same second.
PARALLEL_USES = 20

# Seconds a thread waits for the others at the start line before giving up,
# so a broken run fails instead of hanging.
START_TIMEOUT = 30


@tagged("post_install", "-at_install")
class TestSalesActionUsageConcurrency(TransactionCase):
    """Uses recorded in parallel transactions, as they happen on a live server.

    The test cursor never commits, so the parallel transactions cannot see
    records created through it. This test therefore commits its own leads in
    separate cursors and deletes them again at the end.
    """

    def _run_parallel_uses(self, action_id, lead_ids):
        """Create one usage per lead, all in separate transactions started together.

        Return the exceptions the transactions raised.
        """
        start_line = threading.Barrier(len(lead_ids))
        errors = []

        def use_action(lead_id):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    start_line.wait(timeout=START_TIMEOUT)
                    env["sales.action.usage"].create(
                        {"action_id": action_id, "lead_id": lead_id, "source": "message"}
                    )
            except Exception as error:  # the test reports every failure, whatever its type
                errors.append(error)

        threads = [threading.Thread(target=use_action, args=(lead_id,)) for lead_id in lead_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return errors

    def test_parallel_uses_kept(self):
        """Twenty uses of one action committed at the same moment are all stored, without error."""
        action_id = self.env.ref("sales_action_kb.sales_action_d13").id
        lead_ids = []
        try:
            # 1. Leads that the parallel transactions can see.
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                leads = env["crm.lead"].create(
                    [
                        {"name": f"Parallel use {index}", "type": "opportunity"}
                        for index in range(PARALLEL_USES)
                    ]
                )
                lead_ids = leads.ids

            # 2. One use per lead, all started together on the same action.
            errors = self._run_parallel_uses(action_id, lead_ids)
            self.assertEqual(errors, [])

            # 3. Every use is stored.
            with self.registry.cursor() as cr:
                cr.execute(
                    """
                    SELECT count(*) FROM sales_action_usage
                     WHERE action_id = %s AND lead_id IN %s
                    """,
                    [action_id, tuple(lead_ids)],
                )
                self.assertEqual(cr.fetchone()[0], PARALLEL_USES)
        finally:
            # Deleting the leads deletes their usages (ondelete cascade).
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["crm.lead"].browse(lead_ids).exists().unlink()
