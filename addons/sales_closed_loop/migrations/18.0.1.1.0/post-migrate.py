"""Turn the evidence types that stages required in 18.0.1.0.0 into evidence rules."""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    cr.execute("SELECT to_regclass('crm_stage_gate_evidence_type_rel')")
    if not cr.fetchone()[0]:
        return
    cr.execute("SELECT stage_id, evidence_type_id FROM crm_stage_gate_evidence_type_rel")
    pairs = cr.fetchall()
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.stage.gate.evidence"].create(
        [{"stage_id": stage_id, "type_ids": [(6, 0, [type_id])]} for stage_id, type_id in pairs]
    )
    cr.execute("DROP TABLE crm_stage_gate_evidence_type_rel")
    _logger.info("Converted %s required evidence types of stages into evidence rules", len(pairs))
