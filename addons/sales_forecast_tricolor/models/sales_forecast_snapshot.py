import logging
import time
from datetime import datetime
from datetime import time as dt_time

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, date_utils

from .crm_lead import FORECAST_COLORS

_logger = logging.getLogger(__name__)


class SalesForecastSnapshot(models.Model):
    """Frozen copy of a company's open deals at the start of a forecast period.

    A snapshot and its lines cannot be changed or deleted, so later changes of
    evidence, weights or amounts never rewrite what was forecast. Accuracy
    compares a snapshot with the deals won in its period.
    """

    _name = "sales.forecast.snapshot"
    _description = "Forecast Snapshot"
    _order = "period_start desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_start = fields.Date(string="Period Start", required=True, readonly=True)
    period_end = fields.Date(string="Period End", required=True, readonly=True)
    date_taken = fields.Datetime(
        string="Taken On", required=True, readonly=True, default=fields.Datetime.now
    )
    trigger = fields.Selection(
        [("scheduled", "Period start"), ("manual", "On demand")],
        required=True,
        readonly=True,
        default="manual",
    )
    line_ids = fields.One2many("sales.forecast.snapshot.line", "snapshot_id", string="Deals")
    line_count = fields.Integer(string="Deals Count", compute="_compute_totals")
    weighted_total = fields.Monetary(
        string="Weighted Forecast", compute="_compute_totals", currency_field="currency_id"
    )
    accuracy_ids = fields.One2many("sales.forecast.accuracy", "snapshot_id", string="Accuracy")

    @api.depends("company_id", "period_start", "trigger")
    def _compute_name(self):
        for snapshot in self:
            snapshot.name = self.env._(
                "%(company)s forecast of %(period)s",
                company=snapshot.company_id.name or "",
                period=(snapshot.period_start and snapshot.period_start.strftime("%Y-%m")) or "",
            )

    @api.depends("line_ids")
    def _compute_totals(self):
        groups = self.env["sales.forecast.snapshot.line"]._read_group(
            [("snapshot_id", "in", self.ids)],
            ["snapshot_id"],
            ["__count", "weighted_revenue:sum"],
        )
        totals = {snapshot: (count, total) for snapshot, count, total in groups}
        for snapshot in self:
            snapshot.line_count, snapshot.weighted_total = totals.get(snapshot, (0, 0.0))

    def write(self, vals):
        if set(vals) - {"name"}:
            raise UserError(self.env._("A forecast snapshot is frozen and cannot be changed."))
        return super().write(vals)

    def unlink(self):
        raise UserError(self.env._("A forecast snapshot is frozen and cannot be deleted."))

    # ------------------------------------------------------------
    # TAKING SNAPSHOTS
    # ------------------------------------------------------------

    @api.model
    def _take_snapshot(self, company, period_start=None, trigger="manual"):
        """Freeze the company's open deals and return the new snapshot.

        The period is the calendar month that contains ``period_start``
        (today by default). The lines are copied with one INSERT ... SELECT,
        because a snapshot of a large pipeline contains one row per open deal.
        """
        started = time.monotonic()
        period_start = date_utils.start_of(period_start or fields.Date.context_today(self), "month")
        snapshot = self.sudo().create(
            {
                "company_id": company.id,
                "period_start": period_start,
                "period_end": date_utils.end_of(period_start, "month"),
                "trigger": trigger,
            }
        )

        Lead = self.env["crm.lead"]
        Lead.flush_model()
        self.env["crm.stage"].flush_model(["is_won"])
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO sales_forecast_snapshot_line (
                    snapshot_id, period_start, company_id, lead_id, lead_name, team_id, user_id,
                    forecast_color, forecast_weight, expected_revenue,
                    weighted_revenue, prorated_revenue, date_deadline,
                    create_uid, create_date, write_uid, write_date
                )
                SELECT %(snapshot)s, %(period_start)s, lead.company_id, lead.id, lead.name, lead.team_id,
                       lead.user_id, COALESCE(lead.forecast_color, 'red'),
                       COALESCE(lead.forecast_weight, 0),
                       COALESCE(lead.expected_revenue, 0),
                       COALESCE(lead.forecast_weighted_revenue, 0),
                       COALESCE(lead.prorated_revenue, 0), lead.date_deadline,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM crm_lead lead
             LEFT JOIN crm_stage stage ON stage.id = lead.stage_id
                 WHERE lead.active
                   AND lead.type = 'opportunity'
                   AND NOT COALESCE(stage.is_won, FALSE)
                   AND lead.company_id = %(company)s
                """,
                snapshot=snapshot.id,
                period_start=period_start,
                uid=self.env.uid,
                company=company.id,
            )
        )
        count = self.env.cr.rowcount
        self.env["sales.forecast.snapshot.line"].invalidate_model()
        snapshot.invalidate_recordset()
        _logger.info(
            "Forecast snapshot %s of company %s: %s open deals frozen in %.2fs",
            snapshot.id,
            company.id,
            count,
            time.monotonic() - started,
        )
        return snapshot

    def action_take_snapshot(self):
        """Take an on-demand snapshot of the current company's pipeline and open it."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise UserError(self.env._("Only a sales manager can take a forecast snapshot."))
        snapshot = self._take_snapshot(self.env.company)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": snapshot.id,
            "view_mode": "form",
        }

    @api.model
    def _cron_take_period_snapshots(self):
        """Take the period-start snapshot of every company, once per period.

        Then compute the accuracy of the snapshots of the period that just
        ended. A company whose snapshot fails is logged and skipped, and the
        cron fails at the end so that the failure shows in the scheduler.
        """
        started = time.monotonic()
        today = fields.Date.context_today(self)
        period_start = date_utils.start_of(today, "month")
        previous_start = period_start - relativedelta(months=1)
        failed = []
        taken = 0
        for company in self.env["res.company"].sudo().search([]):
            try:
                with self.env.cr.savepoint():
                    already = self.sudo().search_count(
                        [
                            ("company_id", "=", company.id),
                            ("period_start", "=", period_start),
                            ("trigger", "=", "scheduled"),
                        ]
                    )
                    if not already:
                        self._take_snapshot(company, period_start, trigger="scheduled")
                        taken += 1
                    previous = self.sudo().search(
                        [
                            ("company_id", "=", company.id),
                            ("period_start", "=", previous_start),
                            ("trigger", "=", "scheduled"),
                        ],
                        limit=1,
                    )
                    previous._compute_forecast_accuracy()
                    previous._record_period_slips()
            except Exception:
                _logger.exception("Forecast snapshot of company %s failed", company.id)
                failed.append(company.id)
        _logger.info(
            "Forecast snapshots: %s taken for %s in %.2fs",
            taken,
            period_start,
            time.monotonic() - started,
        )
        if failed:
            raise UserError(
                self.env._(
                    "The forecast snapshot failed for the companies %(companies)s; see the server log.",
                    companies=failed,
                )
            )

    # ------------------------------------------------------------
    # ACCURACY
    # ------------------------------------------------------------

    def _record_period_slips(self):
        """Record a slip for each deal forecast in the period that is still open after it."""
        for snapshot in self:
            lines = (
                self.env["sales.forecast.snapshot.line"]
                .sudo()
                .search(
                    [
                        ("snapshot_id", "=", snapshot.id),
                        ("date_deadline", ">=", snapshot.period_start),
                        ("date_deadline", "<=", snapshot.period_end),
                        ("lead_id.active", "=", True),
                        ("lead_id.stage_id.is_won", "=", False),
                    ]
                )
            )
            self.env["sales.forecast.deviation"]._record_deviations(lines, "slipped")

    def _get_period_bounds(self):
        """Return the period as naive UTC datetimes [start, end) for ``date_closed``."""
        self.ensure_one()
        start = datetime.combine(self.period_start, dt_time.min)
        end = datetime.combine(self.period_end + relativedelta(days=1), dt_time.min)
        return start, end

    def action_compute_accuracy(self):
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise UserError(self.env._("Only a sales manager can compute forecast accuracy."))
        self._compute_forecast_accuracy()
        return True

    def _compute_forecast_accuracy(self):
        """Replace the accuracy rows of the snapshots, per sales team and per rep.

        The forecast of a group is the weighted amount of its snapshot lines
        whose expected closing date falls in the period. The actual is the
        expected revenue of the company's deals that are won at the time of
        the computation with a won date (``date_closed``, UTC) in the period,
        counted for the deal's current team and rep. So a deal won and then
        reopened no longer counts. A deal moved between two won stages keeps
        its first won date, because crm does not change ``date_closed`` then.
        A deal won in the period without being forecast for it adds to the
        actual only. See ``sales.forecast.accuracy._get_accuracy`` for the score.
        """
        Accuracy = self.env["sales.forecast.accuracy"].sudo()
        Line = self.env["sales.forecast.snapshot.line"].sudo()
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        for snapshot in self:
            # 1. Forget the previous computation.
            Accuracy.search([("snapshot_id", "=", snapshot.id)]).unlink()

            # 2. What was forecast for the period.
            forecast_domain = [
                ("snapshot_id", "=", snapshot.id),
                ("date_deadline", ">=", snapshot.period_start),
                ("date_deadline", "<=", snapshot.period_end),
            ]
            forecast = {}
            for team, user, total, count in Line._read_group(
                forecast_domain, ["team_id", "user_id"], ["weighted_revenue:sum", "__count"]
            ):
                forecast[(team.id, user.id)] = (total, count)
            forecast_lead_ids = set(Line.search(forecast_domain).lead_id.ids)

            # 3. What was won in the period.
            start, end = snapshot._get_period_bounds()
            won = Lead.search(
                [
                    ("active", "=", True),
                    ("type", "=", "opportunity"),
                    ("company_id", "=", snapshot.company_id.id),
                    ("stage_id.is_won", "=", True),
                    ("date_closed", ">=", start),
                    ("date_closed", "<", end),
                ]
            )
            actual = {}
            for lead in won:
                key = (lead.team_id.id, lead.user_id.id)
                amount, count, unforecast = actual.get(key, (0.0, 0, 0.0))
                extra = 0.0 if lead.id in forecast_lead_ids else lead.expected_revenue
                actual[key] = (amount + lead.expected_revenue, count + 1, unforecast + extra)

            # 4. One row per rep, then one per team with the reps added up.
            rows = {}
            for key in set(forecast) | set(actual):
                f_amount, f_count = forecast.get(key, (0.0, 0))
                a_amount, a_count, unforecast = actual.get(key, (0.0, 0, 0.0))
                rows[("user", *key)] = [f_amount, f_count, a_amount, a_count, unforecast]
                team_row = rows.setdefault(("team", key[0], False), [0.0, 0, 0.0, 0, 0.0])
                for index, value in enumerate((f_amount, f_count, a_amount, a_count, unforecast)):
                    team_row[index] += value
            Accuracy.create(
                [
                    {
                        "snapshot_id": snapshot.id,
                        "level": level,
                        "team_id": team_id,
                        "user_id": user_id if level == "user" else False,
                        "forecast_amount": values[0],
                        "forecast_count": values[1],
                        "actual_amount": values[2],
                        "won_count": values[3],
                        "unforecast_won_amount": values[4],
                    }
                    for (level, team_id, user_id), values in rows.items()
                ]
            )


class SalesForecastSnapshotLine(models.Model):
    """One open deal as it stood when the snapshot was taken."""

    _name = "sales.forecast.snapshot.line"
    _description = "Forecast Snapshot Line"
    _order = "snapshot_id desc, date_deadline, id"

    snapshot_id = fields.Many2one(
        "sales.forecast.snapshot", required=True, ondelete="restrict", index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_start = fields.Date(related="snapshot_id.period_start", store=True)
    lead_id = fields.Many2one(
        "crm.lead", string="Opportunity", ondelete="set null", index=True, readonly=True
    )
    lead_name = fields.Char(string="Opportunity Name", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True, index=True)
    forecast_color = fields.Selection(FORECAST_COLORS, string="Forecast Colour", readonly=True)
    forecast_weight = fields.Float(string="Forecast Weight", aggregator="avg", readonly=True)
    expected_revenue = fields.Monetary(readonly=True)
    weighted_revenue = fields.Monetary(string="Weighted Forecast", readonly=True)
    prorated_revenue = fields.Monetary(readonly=True)
    date_deadline = fields.Date(string="Expected Closing", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        raise UserError(
            self.env._(
                "Forecast snapshot lines are copied from the pipeline when a snapshot is taken."
            )
        )

    def write(self, vals):
        raise UserError(self.env._("A forecast snapshot is frozen and cannot be changed."))

    def unlink(self):
        raise UserError(self.env._("A forecast snapshot is frozen and cannot be deleted."))
