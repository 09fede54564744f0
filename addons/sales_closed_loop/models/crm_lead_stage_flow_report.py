from odoo import fields, models, tools
from odoo.tools import SQL

OUTCOMES = [
    ("forward", "Moved Forward"),
    ("back", "Moved Back"),
    ("lost", "Lost in Stage"),
    ("won", "Won"),
    ("open", "Still in Stage"),
    ("unknown", "Left, Next Stage Unknown"),
]


class CrmStage(models.Model):
    _inherit = "crm.stage"

    flow_threshold_days = fields.Integer(
        string="Stall Threshold (Days)",
        default=0,
        help="Number of days after which a stay in this stage counts as over the threshold "
        "in the Lead Flow report. 0 means no threshold.",
    )


class CrmLeadStageFlowReport(models.Model):
    """One stay of a lead in a stage, with its dwell time and outcome, for the Lead Flow report.

    The rows are the stage history rows, read through an SQL view so that
    dwell times and outcomes can be grouped by stage, month, team and
    salesperson. The outcome of a stay is read from the stage of the lead's
    next history row, by entry date and then id. A won next stage is a win,
    a higher sequence a move forward and a lower one a move back. A stay that
    has not ended is lost when the lead is inactive (lost or archived), won
    when the stage is a won stage, and still open otherwise. The rates are
    0 or 100 per row, so their average in a group is a share in percent
    of all stays of the group, open ones included.
    """

    _name = "crm.lead.stage.flow.report"
    _description = "Lead Flow Analysis"
    _auto = False
    _rec_name = "stage_id"
    _order = "date_in desc, id desc"

    lead_id = fields.Many2one("crm.lead", string="Lead", readonly=True)
    stage_id = fields.Many2one("crm.stage", string="Stage", readonly=True)
    next_stage_id = fields.Many2one("crm.stage", string="Next Stage", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        readonly=True,
        help="Salesperson of the lead when it entered the stage.",
    )
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    date_in = fields.Datetime(string="Entered On", readonly=True)
    date_out = fields.Datetime(string="Left On", readonly=True)
    dwell_days = fields.Float(
        string="Days in Stage",
        readonly=True,
        aggregator="avg",
        help="Days between entering and leaving the stage. For a lead still in the stage, "
        "days from entering until the report is read.",
    )
    is_open = fields.Boolean(
        string="Still in Stage",
        readonly=True,
        help="The lead has not left the stage. A lead lost in the stage stays in it.",
    )
    outcome = fields.Selection(
        OUTCOMES,
        string="Outcome",
        readonly=True,
        help="What ended the stay: a move to a stage of higher sequence (forward) or lower "
        "sequence (back), losing the lead while in the stage, winning it, or nothing yet.",
    )
    threshold_days = fields.Integer(
        string="Stall Threshold (Days)",
        readonly=True,
        aggregator="max",
        help="Threshold of the stage. 0 means the stage has no threshold.",
    )
    is_over_threshold = fields.Boolean(
        string="Over Threshold",
        readonly=True,
        help="The stay lasted longer than the stage's threshold.",
    )
    entry_count = fields.Integer(string="Leads Entering", readonly=True)
    over_threshold_rate = fields.Float(
        string="% Over Threshold",
        readonly=True,
        aggregator="avg",
        help="Share of stays longer than the stage's threshold, in percent.",
    )
    forward_rate = fields.Float(
        string="% Moved Forward",
        readonly=True,
        aggregator="avg",
        help="Share of stays that ended with a move to a later stage or a win, in percent.",
    )
    back_rate = fields.Float(
        string="% Moved Back",
        readonly=True,
        aggregator="avg",
        help="Share of stays that ended with a move to an earlier stage, in percent.",
    )
    lost_rate = fields.Float(
        string="% Lost in Stage",
        readonly=True,
        aggregator="avg",
        help="Share of stays in which the lead was lost, in percent.",
    )
    is_imported = fields.Boolean(string="Imported", readonly=True)
    lead_active = fields.Boolean(string="Lead Active", readonly=True)

    def _query(self):
        """Return the SELECT of the view. Override to add columns."""
        return SQL(
            """
            WITH stay AS (
                SELECT h.*,
                       LEAD(h.stage_id) OVER (
                           PARTITION BY h.lead_id ORDER BY h.date_in, h.id
                       ) AS next_stage_id,
                       -- A stay dated in the future (a mistyped import date)
                       -- counts 0 days rather than a negative number.
                       GREATEST(EXTRACT(EPOCH FROM (
                           COALESCE(h.date_out, (NOW() AT TIME ZONE 'UTC')) - h.date_in
                       )) / 86400.0, 0) AS dwell_days
                  FROM crm_lead_stage_history h
            ),
            stay_outcome AS (
                SELECT stay.*,
                       lead.active AS lead_active,
                       COALESCE(stage.flow_threshold_days, 0) AS threshold_days,
                       CASE
                           WHEN stay.date_out IS NULL AND NOT lead.active THEN 'lost'
                           WHEN stay.date_out IS NULL AND stage.is_won THEN 'won'
                           WHEN stay.date_out IS NULL THEN 'open'
                           -- An imported lost deal has its last stay closed on the loss date.
                           WHEN next_stage.id IS NULL AND NOT lead.active THEN 'lost'
                           WHEN next_stage.id IS NULL THEN 'unknown'
                           WHEN next_stage.is_won THEN 'won'
                           -- Of two stages of equal sequence, the higher id counts as later.
                           WHEN (next_stage.sequence, next_stage.id) > (stage.sequence, stage.id)
                               THEN 'forward'
                           ELSE 'back'
                       END AS outcome
                  FROM stay
                  JOIN crm_lead lead ON lead.id = stay.lead_id
                  JOIN crm_stage stage ON stage.id = stay.stage_id
             LEFT JOIN crm_stage next_stage ON next_stage.id = stay.next_stage_id
            )
            SELECT id,
                   lead_id,
                   stage_id,
                   next_stage_id,
                   team_id,
                   user_id,
                   company_id,
                   date_in,
                   date_out,
                   dwell_days,
                   date_out IS NULL AS is_open,
                   outcome,
                   threshold_days,
                   (threshold_days > 0 AND dwell_days > threshold_days) AS is_over_threshold,
                   1 AS entry_count,
                   CASE WHEN threshold_days > 0 AND dwell_days > threshold_days
                        THEN 100.0 ELSE 0.0 END AS over_threshold_rate,
                   CASE WHEN outcome IN ('forward', 'won') AND date_out IS NOT NULL
                        THEN 100.0 ELSE 0.0 END AS forward_rate,
                   CASE WHEN outcome = 'back' THEN 100.0 ELSE 0.0 END AS back_rate,
                   CASE WHEN outcome = 'lost' THEN 100.0 ELSE 0.0 END AS lost_rate,
                   COALESCE(is_imported, FALSE) AS is_imported,
                   lead_active
              FROM stay_outcome
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
