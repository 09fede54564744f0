import logging
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..effectiveness_stats import rate_difference_interval, wilson_interval

_logger = logging.getLogger(__name__)

# Closed leads of the last year: long enough for a typical B2B sales cycle and
# for dozens of closed deals per action, short enough to reflect today's market.
DEFAULT_PERIOD_DAYS = 365

# Below ten closed leads on either side no ranking claim is made: even at ten,
# the 95 % Wilson interval of a 5-in-10 win rate runs from 24 % to 76 %.
# Managers can raise the bar with the system parameter
# sales_action_kb.effectiveness_min_sample.
DEFAULT_MIN_SAMPLE = 10

TOP_SIZE = 20

# A batch runs two grouped queries, then one in-memory pass over the closed
# leads per action. 50 actions keep one run short (estimate: seconds for tens of
# thousands of closed leads), and the cron re-triggers itself for the rest.
CRON_BATCH_SIZE = 50

VERDICTS = [
    ("insufficient", "Too Few Closed Leads"),
    ("better", "Clearly Better"),
    ("unclear", "No Clear Difference"),
    ("worse", "Clearly Worse"),
]


class SalesActionEffectiveness(models.Model):
    """How often an action goes with won deals, refreshed once a day.

    For each action, the closed leads of the period that reached the action's
    reference stage are split in two: those where the action was used before
    the lead closed, and the others. Both groups reached the same stage and
    closed in the same period, so their win rates compare like with like. Each
    rate has a Wilson interval and the difference a Newcombe interval. An
    action is ranked only when both groups have the minimum sample. The
    top 20 are ranked by the lower end of the difference, the improvement the
    data supports with 95 % confidence.

    The figures show association, not cause: reps may choose an action on the
    deals that were going well anyway.

    NOTE: the comparison pools the closed leads of every company and team in
    the database, so one figure per action is stored.

    Rows are results, written by the daily refresh only; sales users read them.
    """

    _name = "sales.action.effectiveness"
    _description = "Sales Action Effectiveness"
    _order = "rank_sequence, uplift_low desc, action_id"
    _rec_name = "action_id"

    action_id = fields.Many2one(
        "sales.action", string="Action", required=True, index=True, ondelete="cascade"
    )
    action_active = fields.Boolean(related="action_id.active", string="Action Active")
    category = fields.Selection(related="action_id.category", store=True)
    reference_stage_id = fields.Many2one(
        "crm.stage",
        string="Compared From Stage",
        help="Only closed leads that reached this stage are compared: the earliest stage "
        "the action was used in.",
    )
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    use_count = fields.Integer(string="Uses", help="Uses of the action in the period.")
    lead_count = fields.Integer(
        string="Leads Touched", help="Leads on which the action was used in the period."
    )
    closed_with_count = fields.Integer(
        string="Closed With Action",
        help="Closed leads of the period where the action was used before closing.",
    )
    won_with_count = fields.Integer(string="Won With Action")
    win_rate_with = fields.Float(string="Win Rate With Action", aggregator=False)
    win_rate_with_low = fields.Float(string="With Action: Low", aggregator=False)
    win_rate_with_high = fields.Float(string="With Action: High", aggregator=False)
    closed_without_count = fields.Integer(
        string="Closed Without Action",
        help="Comparable closed leads of the period where the action was not used.",
    )
    won_without_count = fields.Integer(string="Won Without Action")
    win_rate_without = fields.Float(string="Win Rate Without Action", aggregator=False)
    win_rate_without_low = fields.Float(string="Without Action: Low", aggregator=False)
    win_rate_without_high = fields.Float(string="Without Action: High", aggregator=False)
    uplift = fields.Float(
        string="Difference",
        aggregator=False,
        help="Win rate with the action minus win rate without it.",
    )
    uplift_low = fields.Float(string="Difference: Low", aggregator=False)
    uplift_high = fields.Float(string="Difference: High", aggregator=False)
    verdict = fields.Selection(VERDICTS, required=True, default="insufficient")
    rank = fields.Integer(help="Place in the top 20, or 0 when the action is not ranked.")
    rank_sequence = fields.Integer(
        compute="_compute_rank_sequence", store=True, help="Ranked actions first, for sorting."
    )
    is_top = fields.Boolean(string="In Top 20", compute="_compute_rank_sequence", store=True)
    refreshed_on = fields.Date(required=True, default=fields.Date.context_today)

    _sql_constraints = [
        ("action_unique", "unique(action_id)", "An action has one effectiveness row."),
    ]

    @api.depends("rank")
    def _compute_rank_sequence(self):
        for row in self:
            row.is_top = bool(row.rank)
            row.rank_sequence = row.rank or TOP_SIZE + 1

    # ------------------------------------------------------------------
    # Settings
    # ------------------------------------------------------------------

    @api.model
    def _get_period_days(self):
        """Override to change how far back closed leads count."""
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("sales_action_kb.effectiveness_period_days")
        )
        return int(value) if value and value.isdigit() and int(value) > 0 else DEFAULT_PERIOD_DAYS

    @api.model
    def _get_min_sample(self):
        """Override to change the number of closed leads needed on each side for a ranking."""
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("sales_action_kb.effectiveness_min_sample")
        )
        return int(value) if value and value.isdigit() and int(value) > 0 else DEFAULT_MIN_SAMPLE

    # ------------------------------------------------------------------
    # Refresh
    # ------------------------------------------------------------------

    @api.model
    def _cron_refresh(self, batch_size=CRON_BATCH_SIZE):
        """Refresh the rows not yet refreshed today, one bounded batch per run.

        Each action is written in its own savepoint: one failing action is
        logged and skipped, the others are saved, and the error is raised at
        the end so the scheduler shows the run as failed.
        """
        started = time.monotonic()
        today = fields.Date.context_today(self)
        actions = self._get_actions_to_refresh(today)
        batch, rest = actions[:batch_size], actions[batch_size:]
        _logger.info("Sales action effectiveness: refreshing %d actions", len(batch))

        failed = self._refresh(batch, today=today)
        self._update_ranks()

        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=len(rest))
        _logger.info(
            "Sales action effectiveness: %d refreshed, %d failed, %d left for the next run, %.1f s",
            len(batch) - len(failed),
            len(failed),
            len(rest),
            time.monotonic() - started,
        )
        if failed:
            raise RuntimeError(f"Sales action effectiveness failed for {failed.mapped('code')}")

    @api.model
    def _get_actions_to_refresh(self, today):
        """Return every action, archived ones included, whose row is missing or stale."""
        Action = self.env["sales.action"].sudo().with_context(active_test=False)
        fresh = self.sudo().search([("refreshed_on", ">=", today)]).action_id
        return Action.search([("id", "not in", fresh.ids)])

    @api.model
    def action_refresh_all(self):
        """Refresh every action now (managers' button), then rank them."""
        self.env["sales.action"].check_access("write")
        actions = self.env["sales.action"].sudo().with_context(active_test=False).search([])
        failed = self._refresh(actions)
        self._update_ranks()
        if failed:
            raise RuntimeError(f"Sales action effectiveness failed for {failed.mapped('code')}")
        return {"type": "ir.actions.client", "tag": "reload"}

    @api.model
    def _refresh(self, actions, today=None):
        """Compute and store the rows of ``actions``; return the actions that failed."""
        today = today or fields.Date.context_today(self)
        period_start = today - timedelta(days=self._get_period_days())
        all_vals = self._compute_figures(actions, period_start, today)

        rows = {
            row.action_id: row for row in self.sudo().search([("action_id", "in", actions.ids)])
        }
        failed = self.env["sales.action"]
        for action in actions:
            vals = dict(all_vals[action.id], refreshed_on=today)
            try:
                with self.env.cr.savepoint():
                    if action in rows:
                        rows[action].write(vals)
                    else:
                        self.sudo().create(dict(vals, action_id=action.id))
            except Exception:
                _logger.exception("Sales action effectiveness failed for action %s", action.code)
                failed |= action
        return failed

    @api.model
    def _compute_figures(self, actions, period_start, period_end):
        """Return ``{action id: vals}`` with the figures of each action.

        1. Closed leads of the period, with whether they were won and the
           highest stage sequence they reached (stage history and current
           stage; a won lead reached every stage).
        2. For the actions, the leads where each was first used before the
           lead closed, and the uses and leads touched in the period.
        3. Per action, the pool of comparable leads and its split.
        """
        min_sample = self._get_min_sample()
        start = fields.Datetime.to_datetime(period_start)
        end = fields.Datetime.to_datetime(period_end) + timedelta(days=1)

        # 1. Closed leads. Lost follows crm: archived with probability 0.
        self.env["crm.lead"].flush_model()
        self.env["crm.stage"].flush_model()
        self.env["crm.lead.stage.history"].flush_model()
        self.env["sales.action.usage"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT lead.id, lead.date_closed, COALESCE(stage.is_won, FALSE),
                       GREATEST(COALESCE(stage.sequence, 0), COALESCE(MAX(hstage.sequence), 0))
                  FROM crm_lead lead
                  LEFT JOIN crm_stage stage ON stage.id = lead.stage_id
                  LEFT JOIN crm_lead_stage_history history ON history.lead_id = lead.id
                  LEFT JOIN crm_stage hstage ON hstage.id = history.stage_id
                 WHERE lead.date_closed >= %(start)s AND lead.date_closed < %(end)s
                   AND (stage.is_won OR (NOT lead.active AND lead.probability = 0))
                 GROUP BY lead.id, stage.is_won, stage.sequence
                """,
                start=start,
                end=end,
            )
        )
        closed = {
            lead_id: (date_closed, won, reached)
            for lead_id, date_closed, won, reached in self.env.cr.fetchall()
        }

        # 2. Uses of the actions.
        first_use = {action_id: {} for action_id in actions.ids}
        period_uses = {}
        use_stage_ids = {action_id: set() for action_id in actions.ids}
        if actions:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT action_id, lead_id, MIN(date),
                           COUNT(*) FILTER (WHERE date >= %(start)s AND date < %(end)s),
                           ARRAY_AGG(DISTINCT stage_id) FILTER (WHERE stage_id IS NOT NULL)
                      FROM sales_action_usage
                     WHERE action_id IN %(actions)s
                     GROUP BY action_id, lead_id
                    """,
                    start=start,
                    end=end,
                    actions=tuple(actions.ids),
                )
            )
            for action_id, lead_id, first, in_period, stage_ids in self.env.cr.fetchall():
                first_use[action_id][lead_id] = first
                use_stage_ids[action_id].update(stage_ids or ())
                if in_period:
                    uses, leads = period_uses.get(action_id, (0, 0))
                    period_uses[action_id] = (uses + in_period, leads + 1)

        # 3. Per action.
        result = {}
        for action in actions:
            reference_stage = self._get_reference_stage(
                action, self.env["crm.stage"].browse(use_stage_ids[action.id])
            )
            reference = reference_stage.sequence if reference_stage else None
            won_with = closed_with = won_without = closed_without = 0
            used = first_use[action.id]
            for lead_id, (date_closed, won, reached) in closed.items():
                if reference is not None and not won and reached < reference:
                    continue
                first = used.get(lead_id)
                if first and first <= date_closed:
                    closed_with += 1
                    won_with += won
                else:
                    closed_without += 1
                    won_without += won
            uses, leads = period_uses.get(action.id, (0, 0))
            result[action.id] = self._figures_vals(
                won_with, closed_with, won_without, closed_without, min_sample
            ) | {
                "reference_stage_id": reference_stage.id,
                "period_start": period_start,
                "period_end": period_end,
                "use_count": uses,
                "lead_count": leads,
            }
        return result

    @api.model
    def _get_reference_stage(self, action, use_stages):
        """Return the stage comparable leads must have reached.

        It is the earliest of ``use_stages``, the stages the action was used
        in, so that every lead where it was used is in the comparison; an
        action never used falls back to the earliest stage it is meant for.
        Override to compare from another stage.
        """
        stages = use_stages or action.stage_ids
        return stages.sorted(lambda stage: (stage.sequence, stage.id))[:1]

    @api.model
    def _figures_vals(self, won_with, closed_with, won_without, closed_without, min_sample):
        """Return the rates, intervals and verdict for the two groups."""
        low_with, high_with = wilson_interval(won_with, closed_with)
        low_without, high_without = wilson_interval(won_without, closed_without)
        uplift, uplift_low, uplift_high = rate_difference_interval(
            won_with, closed_with, won_without, closed_without
        )
        if closed_with < min_sample or closed_without < min_sample:
            verdict = "insufficient"
        elif uplift_low > 0:
            verdict = "better"
        elif uplift_high < 0:
            verdict = "worse"
        else:
            verdict = "unclear"
        return {
            "won_with_count": won_with,
            "closed_with_count": closed_with,
            "win_rate_with": won_with / closed_with if closed_with else 0.0,
            "win_rate_with_low": low_with,
            "win_rate_with_high": high_with,
            "won_without_count": won_without,
            "closed_without_count": closed_without,
            "win_rate_without": won_without / closed_without if closed_without else 0.0,
            "win_rate_without_low": low_without,
            "win_rate_without_high": high_without,
            "uplift": uplift,
            "uplift_low": uplift_low,
            "uplift_high": uplift_high,
            "verdict": verdict,
        }

    @api.model
    def _update_ranks(self):
        """Rank the active actions with enough closed leads by the low end of their difference.

        The low end rewards an improvement the data supports: a large sample
        with a moderate gain ranks above a tiny sample with a big one.
        """
        rows = self.sudo().search([])
        eligible = rows.filtered(
            lambda row: row.verdict != "insufficient" and row.action_id.active
        ).sorted(lambda row: (-row.uplift_low, -row.win_rate_with, -row.closed_with_count, row.id))
        ranks = {row: position for position, row in enumerate(eligible[:TOP_SIZE], start=1)}
        for row in rows:
            rank = ranks.get(row, 0)
            if row.rank != rank:
                row.rank = rank
