import logging
import time

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import date_utils, float_round

_logger = logging.getLogger(__name__)


class SalesTeamBudget(models.Model):
    """Marketing budget of a sales team for one quarter.

    At the start of the quarter the budget policy of the company lowers it
    when the team's forecast accuracy stayed below the threshold for the
    last quarters. A sales manager can reverse that with a reason.
    """

    _name = "sales.team.budget"
    _description = "Sales Team Quarterly Budget"
    _inherit = ["mail.thread"]
    _order = "quarter_start desc, team_id"

    team_id = fields.Many2one("crm.team", string="Sales Team", required=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    quarter_start = fields.Date(
        string="Quarter",
        required=True,
        help="First day of the quarter; any day of the quarter is moved to its first day.",
    )
    planned_amount = fields.Monetary(
        string="Planned Budget", required=True, tracking=True, help="Budget before any policy cut."
    )
    amount = fields.Monetary(
        string="Budget",
        readonly=True,
        tracking=True,
        help="Budget after the policy, if it applied.",
    )
    state = fields.Selection(
        [
            ("planned", "Planned"),
            ("kept", "Kept"),
            ("cut", "Cut by policy"),
            ("reversed", "Cut reversed"),
        ],
        required=True,
        default="planned",
        readonly=True,
        tracking=True,
    )
    policy_note = fields.Text(string="Policy Result", readonly=True)

    _sql_constraints = [
        (
            "team_quarter_unique",
            "unique(team_id, quarter_start)",
            "A sales team has one marketing budget per quarter.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("quarter_start"):
                day = fields.Date.to_date(vals["quarter_start"])
                vals["quarter_start"] = date_utils.start_of(day, "quarter")
            vals.setdefault("amount", vals.get("planned_amount", 0.0))
        return super().create(vals_list)

    def write(self, vals):
        if "planned_amount" in vals and any(budget.state != "planned" for budget in self):
            raise UserError(
                self.env._(
                    "The budget policy already ran for this quarter; the planned budget is final."
                )
            )
        if "planned_amount" in vals:
            vals = dict(vals, amount=vals["planned_amount"])
        return super().write(vals)

    @api.constrains("planned_amount")
    def _check_planned_amount(self):
        for budget in self:
            if budget.planned_amount < 0:
                raise ValidationError(self.env._("A marketing budget cannot be negative."))

    # ------------------------------------------------------------
    # POLICY
    # ------------------------------------------------------------

    def _get_quarter_accuracy(self, team, quarter_start):
        """Return the team's accuracy over a quarter, or None without snapshot data.

        The quarter's forecast and won amounts are the sums of the team's
        monthly accuracy rows of the period-start snapshots. The score uses
        the same formula as a month.
        """
        quarter_end = quarter_start + relativedelta(months=3, days=-1)
        rows = (
            self.env["sales.forecast.accuracy"]
            .sudo()
            .search(
                [
                    ("team_id", "=", team.id),
                    ("level", "=", "team"),
                    ("snapshot_id.trigger", "=", "scheduled"),
                    ("period_start", ">=", quarter_start),
                    ("period_start", "<=", quarter_end),
                ]
            )
        )
        if not rows:
            return None
        forecast = sum(rows.mapped("forecast_amount"))
        actual = sum(rows.mapped("actual_amount"))
        return self.env["sales.forecast.accuracy"]._get_accuracy(forecast, actual)

    def _apply_budget_policy(self):
        """Cut the budgets whose team missed the accuracy threshold for the last quarters."""
        for budget in self.filtered(lambda budget: budget.state == "planned"):
            company = budget.company_id
            threshold = company.forecast_budget_threshold
            quarters = company.forecast_budget_quarters
            cut = company.forecast_budget_cut

            accuracies = []
            for offset in range(1, quarters + 1):
                start = budget.quarter_start - relativedelta(months=3 * offset)
                accuracies.append((start, self._get_quarter_accuracy(budget.team_id, start)))
            summary = ", ".join(
                self.env._(
                    "%(quarter)s: %(accuracy)s",
                    quarter=fields.Date.to_string(start),
                    accuracy=self._format_share(value),
                )
                for start, value in accuracies
            )
            threshold_label = self._format_share(threshold)
            below = all(value is not None and value < threshold for _start, value in accuracies)

            if below:
                amount = float_round(
                    budget.planned_amount * (1 - cut),
                    precision_rounding=budget.currency_id.rounding,
                )
                note = self.env._(
                    "Budget cut by %(cut)s to %(amount)s because the forecast accuracy "
                    "was below %(threshold)s in each of the last %(quarters)s quarters "
                    "(%(summary)s).",
                    cut=self._format_share(cut),
                    amount=amount,
                    threshold=threshold_label,
                    quarters=quarters,
                    summary=summary,
                )
                budget.sudo().write({"amount": amount, "state": "cut", "policy_note": note})
            else:
                note = self.env._(
                    "Budget kept: the forecast accuracy was not below %(threshold)s in "
                    "each of the last %(quarters)s quarters (%(summary)s).",
                    threshold=threshold_label,
                    quarters=quarters,
                    summary=summary,
                )
                budget.sudo().write({"state": "kept", "policy_note": note})
            budget.message_post(body=note)

    def _format_share(self, value):
        """Return a share as a whole percentage, or "no data" for None."""
        if value is None:
            return self.env._("no data")
        return f"{value:.0%}"

    @api.model
    def _cron_apply_budget_policy(self):
        """Apply the budget policy to this quarter's budgets, once.

        A budget that fails is logged and skipped, and the job fails at the end.
        """
        started = time.monotonic()
        quarter_start = date_utils.start_of(fields.Date.context_today(self), "quarter")
        budgets = self.sudo().search(
            [("quarter_start", "=", quarter_start), ("state", "=", "planned")]
        )
        failed = []
        for budget in budgets:
            try:
                with self.env.cr.savepoint():
                    budget._apply_budget_policy()
            except Exception:
                _logger.exception("Budget policy of budget %s failed", budget.id)
                failed.append(budget.id)
        _logger.info(
            "Budget policy: %s budgets of %s checked in %.2fs",
            len(budgets),
            quarter_start,
            time.monotonic() - started,
        )
        if failed:
            raise UserError(
                self.env._(
                    "The budget policy failed for the budgets %(budgets)s; see the server log.",
                    budgets=failed,
                )
            )

    def _reverse_cut(self, reason):
        """Restore the planned budget of a cut budget and log who did it and why."""
        self.ensure_one()
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(self.env._("Only a sales director can reverse a budget cut."))
        if self.state != "cut":
            raise UserError(self.env._("Only a budget cut by the policy can be reversed."))
        if not (reason or "").strip():
            raise UserError(self.env._("Enter the reason for reversing the budget cut."))
        self.sudo().write({"amount": self.planned_amount, "state": "reversed"})
        self.message_post(
            body=self.env._(
                "Budget cut reversed by %(user)s: %(reason)s",
                user=self.env.user.name,
                reason=reason,
            )
        )


class SalesTeamBudgetReverseWizard(models.TransientModel):
    _name = "sales.team.budget.reverse.wizard"
    _description = "Reverse Budget Cut"

    budget_id = fields.Many2one("sales.team.budget", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.budget_id._reverse_cut(self.reason)
        return {"type": "ir.actions.act_window_close"}
