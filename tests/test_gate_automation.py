"""Automation rules run through the same stage gate as a rep's own move.

The modules do not depend on base_automation. The test command installs it so
that this path is checked, and the test is skipped where it is absent.
"""

import unittest

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.sales_closed_loop.tests.common import ClosedLoopCase


@tagged("post_install", "-at_install")
class TestGateAutomation(ClosedLoopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "base.automation" not in cls.env:
            raise unittest.SkipTest("base_automation is not installed")
        lead_model = cls.env.ref("crm.model_crm_lead")
        cls.automation = cls.env["base.automation"].create(
            {
                "name": "Jump silent deals to Solution Matching",
                "model_id": lead_model.id,
                "trigger": "on_create_or_write",
                "filter_domain": "[('name', 'ilike', 'fast track')]",
            }
        )
        cls.env["ir.actions.server"].create(
            {
                "name": "Move to Solution Matching",
                "model_id": lead_model.id,
                "base_automation_id": cls.automation.id,
                "usage": "base_automation",
                "state": "code",
                "code": "record.write({'stage_id': "
                "env.ref('sales_closed_loop.stage_solution_matching').id})",
            }
        )

    def test_rule_on_create_refused(self):
        """A rule that moves a new lead past a stage makes its creation fail."""
        with self.assertRaises(UserError) as error:
            self._create_lead("Fast track harbour cranes", self.user_salesman)

        self.assertIn("Solution Matching", str(error.exception))
        leads = self.env["crm.lead"].search([("name", "=", "Fast track harbour cranes")])
        self.assertFalse(leads)

    def test_rule_on_write_refused(self):
        """A rule triggered by an edit cannot skip the lead's stage either."""
        history_before = len(self._history(self.lead))

        with self.assertRaises(UserError) as error:
            self.lead.with_user(self.user_salesman).write({"name": "Fast track upgrade"})

        self.assertIn("Solution Matching", str(error.exception))
        self.assertEqual(self.lead.stage_id, self.stage_screening)
        self.assertEqual(len(self._history(self.lead)), history_before)
