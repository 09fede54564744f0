import logging
import time
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models

from .sales_action import ACTION_CATEGORIES

_logger = logging.getLogger(__name__)

# A rep with fewer expected actions in a month is listed in neither list: two
# missed actions out of two say more about a quiet month than about the rep.
DEFAULT_MIN_EXPECTED = 3
# Starting bars: red list (红榜) from 80 % done, black list (黑榜) under 50 %.
# The system parameters sales_action_kb.compliance_red_rate and
# sales_action_kb.compliance_black_rate change them.
DEFAULT_RED_RATE = 0.8
DEFAULT_BLACK_RATE = 0.5

LISTS = [
    ("red", "Red List"),
    ("black", "Black List"),
]


class SalesActionCompliance(models.Model):
    """Monthly compliance with the expected sales actions, per rep and team.

    Each time a lead enters a stage (a stage history row), the expectations of
    that stage apply: for each dimension, the expected number of uses. Done is
    the number of uses of that dimension recorded on the lead in that stage,
    capped at the expected number, so one dimension overdone never makes up
    for another. The visit counts in the month the lead entered the stage, for
    the rep and team of the history row.

    Compliance = done / expected. One row per month, team, rep (empty on the
    team's total) and dimension (empty on the all-dimension total). Reps are
    put on the red list (红榜) or black list (黑榜) of their team per dimension.
    """

    _name = "sales.action.compliance"
    _description = "Sales Action Compliance"
    _order = "month desc, team_id, category, rate desc, user_id"

    month = fields.Date(required=True, index=True, help="First day of the month.")
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True, ondelete="cascade")
    user_id = fields.Many2one(
        "res.users", string="Salesperson", index=True, help="Empty on the team's total."
    )
    category = fields.Selection(
        ACTION_CATEGORIES, string="Dimension", help="Empty on the total over every dimension."
    )
    expected_count = fields.Integer(string="Expected")
    done_count = fields.Integer(string="Done")
    rate = fields.Float(string="Compliance", aggregator=False)
    list_type = fields.Selection(LISTS, string="List")
    is_team_total = fields.Boolean(string="Team Total")

    # ------------------------------------------------------------------
    # Settings
    # ------------------------------------------------------------------

    @api.model
    def _get_setting(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(f"sales_action_kb.{key}")
        try:
            return type(default)(value) if value else default
        except ValueError:
            return default

    # ------------------------------------------------------------------
    # Computation
    # ------------------------------------------------------------------

    @api.model
    def _cron_compute_last_month(self):
        """Compute last month's compliance and post each team's red/black list summary."""
        started = time.monotonic()
        month = fields.Date.context_today(self).replace(day=1) - relativedelta(months=1)
        _logger.info("Sales action compliance: computing %s", month)
        rows = self._compute_month(month)
        teams = rows.team_id
        for team in teams:
            self._post_team_summary(
                team, month, rows.filtered(lambda row, t=team: row.team_id == t)
            )
        _logger.info(
            "Sales action compliance: %s done, %d rows, %d team summaries posted, %.1f s",
            month,
            len(rows),
            len(teams),
            time.monotonic() - started,
        )

    @api.model
    def action_compute_last_month(self):
        """Recompute last month's compliance now (managers' button), without posting."""
        self.env["sales.action.expectation"].check_access("write")
        month = fields.Date.context_today(self).replace(day=1) - relativedelta(months=1)
        self._compute_month(month)
        return {"type": "ir.actions.client", "tag": "reload"}

    @api.model
    def _compute_month(self, month):
        """Replace the rows of ``month`` (a date in it) and return the new rows.

        1. Stage visits of the month with the expected uses of their stage.
        2. Uses per lead, stage and dimension.
        3. Expected and done per team, rep and dimension.
        4. Rows, with red and black lists.
        """
        month = month.replace(day=1)
        start = fields.Datetime.to_datetime(month)
        end = start + relativedelta(months=1)
        Compliance = self.sudo()
        Compliance.search([("month", "=", month)]).unlink()

        # 1. Visits.
        expectations = self.env["sales.action.expectation"].sudo().search([])
        visits = (
            self.env["crm.lead.stage.history"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch(
                [
                    ("date_in", ">=", start),
                    ("date_in", "<", end),
                    ("stage_id", "in", expectations.stage_id.ids),
                ],
                ["lead_id", "stage_id", "team_id", "user_id"],
            )
        )

        # 2. Uses on those leads, per stage and dimension.
        uses = defaultdict(int)
        if visits:
            groups = (
                self.env["sales.action.usage"]
                .sudo()
                ._read_group(
                    [("lead_id", "in", visits.lead_id.ids)],
                    ["lead_id", "stage_id", "category"],
                    ["__count"],
                )
            )
            for lead, stage, category, count in groups:
                uses[lead.id, stage.id, category] += count

        # 3. Totals. A lead entering a stage twice in a month is one visit:
        # the reps did not get a second chance to skip the same actions.
        totals = defaultdict(lambda: [0, 0])
        seen = set()
        for visit in visits:
            key = (visit.lead_id.id, visit.stage_id.id)
            if key in seen:
                continue
            seen.add(key)
            team = visit.team_id or visit.lead_id.team_id
            user = visit.user_id or visit.lead_id.user_id
            for category, expected in expectations._get_expected(visit.stage_id, team).items():
                done = min(expected, uses[visit.lead_id.id, visit.stage_id.id, category])
                for scope_user in (user.id, False):
                    for scope_category in (category, False):
                        total = totals[team.id, scope_user, scope_category]
                        total[0] += expected
                        total[1] += done

        # 4. Rows.
        min_expected = self._get_setting("compliance_min_expected", DEFAULT_MIN_EXPECTED)
        red_rate = self._get_setting("compliance_red_rate", DEFAULT_RED_RATE)
        black_rate = self._get_setting("compliance_black_rate", DEFAULT_BLACK_RATE)
        vals_list = []
        for (team_id, user_id, category), (expected, done) in totals.items():
            rate = done / expected if expected else 0.0
            list_type = False
            if user_id and expected >= min_expected:
                if rate >= red_rate:
                    list_type = "red"
                elif rate < black_rate:
                    list_type = "black"
            vals_list.append(
                {
                    "month": month,
                    "team_id": team_id,
                    "user_id": user_id,
                    "category": category,
                    "expected_count": expected,
                    "done_count": done,
                    "rate": rate,
                    "list_type": list_type,
                    "is_team_total": not user_id,
                }
            )
        return Compliance.create(vals_list)

    # ------------------------------------------------------------------
    # Summary
    # ------------------------------------------------------------------

    @api.model
    def _post_team_summary(self, team, month, rows):
        """Post the month's red/black list of ``team`` on the team, as a note for its members.

        Override to post it elsewhere (a channel, an email to the managers).
        """
        if not team:
            return
        team = team.sudo()
        categories = dict(self._fields["category"]._description_selection(self.env))
        total = rows.filtered(lambda row: row.is_team_total and not row.category)
        lines = []
        used = {row.category for row in rows if row.category}
        for category in [key for key, _label in ACTION_CATEGORIES if key in used]:
            per_category = rows.filtered(lambda row, c=category: row.category == c)
            team_row = per_category.filtered("is_team_total")
            red = per_category.filtered(lambda row: row.list_type == "red").user_id
            black = per_category.filtered(lambda row: row.list_type == "black").user_id
            nobody = self.env._("nobody")
            red_names = ", ".join(red.mapped("name")) or nobody
            black_names = ", ".join(black.mapped("name")) or nobody
            rate = f"{team_row.rate:.0%}"
            lines.append(
                Markup("<li>%s</li>")
                % self.env._(
                    "%(dimension)s: %(rate)s done. Red list: %(red)s. Black list: %(black)s.",
                    dimension=categories.get(category, category),
                    rate=rate,
                    red=red_names,
                    black=black_names,
                )
            )
        month_label = month.strftime("%Y-%m")
        total_rate = f"{total.rate:.0%}"
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._(
                "Sales action red/black list for %(month)s: %(done)s of %(expected)s expected "
                "actions done (%(rate)s).",
                month=month_label,
                done=total.done_count,
                expected=total.expected_count,
                rate=total_rate,
            ),
            Markup().join(lines),
        )
        team.message_post(body=body, subtype_xmlid="mail.mt_note")
