from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ClosedLoopCase

IMPORT_CONTEXT = {"sales_closed_loop_import": True}


@tagged("post_install", "-at_install")
class TestImportBypass(ClosedLoopCase):
    def test_bypass_admin(self):
        """An administrator's import places a lead in a later stage without history rows."""
        lead = self.lead.with_user(self.user_admin).with_context(**IMPORT_CONTEXT)

        lead.write({"stage_id": self.stage_closing.id})

        self.assertEqual(self.lead.stage_id, self.stage_closing)
        self.assertEqual(self._history(self.lead).stage_id, self.stage_screening)

    def test_bypass_superuser(self):
        """Sudo mode with the import key creates a lead straight into Contract Closing."""
        lead = (
            self.env["crm.lead"]
            .sudo()
            .with_context(**IMPORT_CONTEXT)
            .create(
                {
                    "name": "Imported Silverline deal",
                    "team_id": self.team.id,
                    "stage_id": self.stage_closing.id,
                }
            )
        )

        self.assertEqual(lead.stage_id, self.stage_closing)
        self.assertFalse(self._history(lead))

    def test_bypass_salesman_refused(self):
        """A sales rep setting the import key still goes through the gate."""
        lead = self.lead.with_user(self.user_salesman).with_context(**IMPORT_CONTEXT)

        with self.assertRaises(UserError):
            lead.write({"stage_id": self.stage_closing.id})

        self.assertEqual(self.lead.stage_id, self.stage_screening)

    def test_bypass_manager_refused(self):
        """A sales manager without administrator rights cannot use the import key."""
        lead = self.lead.with_user(self.user_manager).with_context(**IMPORT_CONTEXT)

        with self.assertRaises(UserError):
            lead.write({"stage_id": self.stage_closing.id})

    def test_gate_after_import(self):
        """An imported lead is gated on its next move."""
        lead = self.lead.with_context(**IMPORT_CONTEXT).sudo()
        lead.write({"stage_id": self.stage_matching.id})

        with self.assertRaises(UserError) as error:
            self.lead.write({"stage_id": self.stage_consensus.id})

        self.assertIn(self.type_verbal.name, str(error.exception))
