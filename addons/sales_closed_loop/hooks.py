import logging

from .models.crm_lead import IMPORT_CONTEXT_KEY

_logger = logging.getLogger(__name__)

# Default stages of crm replaced by the five gated stages of this module.
REPLACED_STAGE_XMLIDS = ("crm.stage_lead1", "crm.stage_lead2", "crm.stage_lead3")


def post_init_hook(env):
    """Replace crm's New, Qualified and Proposition stages with the gated pipeline.

    Leads in those stages, lost ones included, move to Lead Screening, then the
    three stages are deleted, so that the pipeline reads: the five gated stages,
    then Won. The stage history of every lead is then rebuilt from the stage
    tracking of its chatter, with stays in the deleted stages read as Lead
    Screening.
    """
    first_stage = env.ref("sales_closed_loop.stage_lead_screening")
    replaced_stages = env["crm.stage"]
    for xmlid in REPLACED_STAGE_XMLIDS:
        replaced_stages |= env.ref(xmlid, raise_if_not_found=False) or env["crm.stage"]

    leads = env["crm.lead"].with_context(active_test=False, **{IMPORT_CONTEXT_KEY: True})
    if replaced_stages:
        moved = leads.search([("stage_id", "in", replaced_stages.ids)])
        moved.write({"stage_id": first_stage.id})
        replaced_stages.unlink()
        _logger.info(
            "Moved %s leads to %s and deleted %s default crm stages",
            len(moved),
            first_stage.name,
            len(replaced_stages),
        )

    staged_leads = leads.search([("stage_id", "!=", False)])
    stage_map = dict.fromkeys(replaced_stages.ids, first_stage.id)
    rows = env["crm.lead.stage.history"]._rebuild_from_tracking(staged_leads, stage_map)
    _logger.info("Rebuilt %s stage history rows of %s leads", len(rows), len(staged_leads))
