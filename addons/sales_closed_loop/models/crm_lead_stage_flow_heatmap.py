from datetime import datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# Each month is one column of the screen: three years still fit with a
# horizontal scroll, and a longer range is better read in the pivot.
HEATMAP_MAX_MONTHS = 36

# Stages shown as rows even without any stay, so the pipeline keeps its shape.
HEATMAP_PIPELINE_STAGES = (
    "sales_closed_loop.stage_lead_screening",
    "sales_closed_loop.stage_needs_diagnosis",
    "sales_closed_loop.stage_solution_matching",
    "sales_closed_loop.stage_value_consensus",
    "sales_closed_loop.stage_contract_closing",
)


class CrmLeadStageFlowReport(models.Model):
    _inherit = "crm.lead.stage.flow.report"

    @api.model
    def get_heatmap_data(self, date_from, date_to, team_ids=None, user_ids=None):
        """Return the stage × month grid of the Lead Flow heat map.

        ``date_from`` and ``date_to`` are dates (or ISO strings) whose months,
        both included, become the columns. Months start at midnight in the
        user's timezone, as in the pivot of the report. ``team_ids`` and
        ``user_ids``, when not empty, keep the stays recorded with any of those
        sales teams and with any of those salespeople. The cells are then
        computed over the union of their stays. Rows are the pipeline
        stages and every other stage with stays in the grid except won stages,
        in pipeline order (sequence, then id). A cell sums up the stays that entered the stage in
        the month. It gives their number, where a lead entering twice counts
        twice, and the median and average days in stage. It also gives the
        shares in percent of stays over the stage's threshold (None for a
        stage without threshold), moved forward, moved back and lost. The
        stays are read through ``_search``, so the record rules of the report
        apply: a salesman gets the stays of his own and unassigned leads only.

        The result also lists the teams and salespeople found in the stays
        the user may read, whatever the months, for the filters of the screen,
        and the month of the latest such stay (``last_month``). When teams are
        picked, the salespeople are those of the picked teams' stays, and the
        picked salespeople stay listed. ``max_months`` is the maximum number of
        months accepted, so that the screen can keep its range within it.
        """
        # 1. The months of the grid and their bounds in UTC.
        first_month = self._heatmap_month(date_from)
        last_month = self._heatmap_month(date_to)
        if first_month > last_month:
            raise UserError(
                self.env._(
                    "The start month %(start)s is after the end month %(end)s. "
                    "Choose a start month before the end month.",
                    start=first_month.strftime("%Y-%m"),
                    end=last_month.strftime("%Y-%m"),
                )
            )
        month_count = (
            (last_month.year - first_month.year) * 12 + last_month.month - first_month.month + 1
        )
        if month_count > HEATMAP_MAX_MONTHS:
            raise UserError(
                self.env._(
                    "The heat map shows at most %(max)s months, and %(count)s were requested. "
                    "Choose a shorter range.",
                    max=HEATMAP_MAX_MONTHS,
                    count=month_count,
                )
            )
        months = [first_month + relativedelta(months=index) for index in range(month_count)]
        tz = self._heatmap_timezone()
        start_utc = self._heatmap_utc(tz, first_month)
        end_utc = self._heatmap_utc(tz, last_month + relativedelta(months=1))

        # 2. One SQL aggregate per stage and month over the stays the rules let
        # the user read: the median needs percentile_cont, which the ORM lacks.
        # A won lead stays in the won stage for good: its days there are not a stall.
        domain = [
            ("date_in", ">=", start_utc),
            ("date_in", "<", end_utc),
            ("stage_id.is_won", "=", False),
        ]
        if team_ids:
            domain.append(("team_id", "in", list(team_ids)))
        if user_ids:
            domain.append(("user_id", "in", list(user_ids)))
        cells = self._heatmap_cells(domain, tz)

        # 3. Rows in pipeline order, with an empty cell for each month without stays.
        stages = self.env["crm.stage"].browse({stage_id for stage_id, _month in cells})
        for xmlid in HEATMAP_PIPELINE_STAGES:
            pipeline_stage = self.env.ref(xmlid, raise_if_not_found=False)
            if pipeline_stage:
                stages |= pipeline_stage
        stages = stages.sorted(lambda stage: (stage.sequence, stage.id))
        rows = []
        for stage in stages:
            row_cells = []
            for month in months:
                cell = cells.get((stage.id, month)) or self._heatmap_empty_cell()
                if not stage.flow_threshold_days:
                    cell["over_threshold_share"] = None
                row_cells.append({"month": month.strftime("%Y-%m"), **cell})
            rows.append(
                {
                    "id": stage.id,
                    "name": stage.name,
                    "threshold_days": stage.flow_threshold_days,
                    "cells": row_cells,
                }
            )

        # 4. Filter choices, from all readable stays so that a choice never
        # disappears when the months change, and the latest month.
        overview = self._heatmap_overview(tz, team_ids, user_ids)
        return {
            "months": [month.strftime("%Y-%m") for month in months],
            "stages": rows,
            "teams": [{"id": team.id, "name": team.display_name} for team in overview["teams"]],
            "users": [{"id": user.id, "name": user.display_name} for user in overview["users"]],
            "has_history": overview["has_history"],
            "last_month": overview["last_month"],
            "max_months": HEATMAP_MAX_MONTHS,
        }

    @api.model
    def _heatmap_month(self, value):
        """Return the first day of the month of ``value``, a date or an ISO date string."""
        try:
            day = fields.Date.to_date(value)
        except ValueError:
            day = None
        if not day:
            raise UserError(
                self.env._(
                    "The date %(value)s is missing or invalid. Give a date as YYYY-MM-DD.",
                    value=repr(value),
                )
            )
        return day.replace(day=1)

    @api.model
    def _heatmap_timezone(self):
        """Return the timezone that decides the month of a stay.

        The context's timezone comes first, as in ``read_group``, then the user's, then UTC.
        """
        tz_name = self.env.context.get("tz") or self.env.user.tz
        return pytz.timezone(tz_name if tz_name in pytz.all_timezones_set else "UTC")

    @api.model
    def _heatmap_utc(self, tz, day):
        """Return midnight of ``day`` in ``tz`` as a naive UTC datetime."""
        local = tz.localize(datetime.combine(day, time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _heatmap_empty_cell(self):
        return {
            "entry_count": 0,
            "median_dwell": None,
            "avg_dwell": None,
            "over_threshold_share": None,
            "forward_share": None,
            "back_share": None,
            "lost_share": None,
            "lead_ids": [],
        }

    @api.model
    def _heatmap_cells(self, domain, tz):
        """Return the cells with stays, by (stage id, first day of the month)."""
        # The view reads these tables: pending ORM writes must reach them first.
        self.env["crm.lead.stage.history"].flush_model()
        self.env["crm.lead"].flush_model(["active", "user_id", "company_id"])
        self.env["crm.stage"].flush_model(["sequence", "is_won", "flow_threshold_days"])

        query = self._search(domain)
        table = query.table
        stage_sql = SQL.identifier(table, "stage_id")
        dwell_sql = SQL.identifier(table, "dwell_days")
        month_sql = SQL(
            "date_trunc('month', timezone(%s, timezone('UTC', %s)))::date",
            tz.zone,
            SQL.identifier(table, "date_in"),
        )
        query.groupby = SQL("%s, %s", stage_sql, month_sql)
        select = query.select(
            SQL("%s AS stage_id", stage_sql),
            SQL("%s AS month", month_sql),
            SQL("COUNT(*) AS entry_count"),
            SQL("percentile_cont(0.5) WITHIN GROUP (ORDER BY %s) AS median_dwell", dwell_sql),
            SQL("AVG(%s) AS avg_dwell", dwell_sql),
            SQL("AVG(%s) AS over_threshold_share", SQL.identifier(table, "over_threshold_rate")),
            SQL("AVG(%s) AS forward_share", SQL.identifier(table, "forward_rate")),
            SQL("AVG(%s) AS back_share", SQL.identifier(table, "back_rate")),
            SQL("AVG(%s) AS lost_share", SQL.identifier(table, "lost_rate")),
            SQL("ARRAY_AGG(DISTINCT %s) AS lead_ids", SQL.identifier(table, "lead_id")),
        )
        cells = {}
        for row in self.env.execute_query_dict(select):
            cells[row["stage_id"], row["month"]] = {
                "entry_count": row["entry_count"],
                "median_dwell": row["median_dwell"],
                # AVG of a numeric column returns a Decimal, which JSON-RPC would send as a string.
                "avg_dwell": float(row["avg_dwell"]),
                "over_threshold_share": float(row["over_threshold_share"]),
                "forward_share": float(row["forward_share"]),
                "back_share": float(row["back_share"]),
                "lost_share": float(row["lost_share"]),
                "lead_ids": sorted(row["lead_ids"]),
            }
        return cells

    @api.model
    def _heatmap_overview(self, tz, team_ids=None, user_ids=None):
        """Return the filter choices and the extent of the stays the user may read.

        The result has ``teams`` and ``users`` (the filter choices, sorted by
        name), ``has_history`` (whether any stay is readable) and
        ``last_month`` (YYYY-MM in ``tz`` of the latest stay outside won stages,
        or None). With ``team_ids``, the salespeople are those of the stays
        recorded with these teams, plus the salespeople of ``user_ids`` found in
        any stay. One grouped read gives all four, because every read of the
        report's view numbers the stays of the whole history.
        """
        groups = self._read_group([], ["team_id", "user_id", "stage_id"], ["date_in:max"])
        teams = self.env["crm.team"].union(*(team for team, _user, _stage, _date in groups))
        # Only the salespeople of the team's stays give figures under the
        # filter, former members included. A current member without any stay in
        # the team would give an empty grid, so members are not listed as such.
        # A picked salesperson stays listed, so that his tag keeps its name and
        # can be removed.
        users = self.env["res.users"].union(
            *(
                user
                for team, user, _stage, _date in groups
                if not team_ids or team.id in team_ids or user.id in (user_ids or [])
            )
        )
        latest = max(
            (date_in for _team, _user, stage, date_in in groups if not stage.is_won),
            default=None,
        )
        last_month = None
        if latest:
            last_month = pytz.utc.localize(latest).astimezone(tz).strftime("%Y-%m")
        return {
            "teams": teams.sorted(lambda team: team.display_name),
            "users": users.sorted(lambda user: user.display_name),
            "has_history": bool(groups),
            "last_month": last_month,
        }
