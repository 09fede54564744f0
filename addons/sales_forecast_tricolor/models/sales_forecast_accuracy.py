from odoo import api, fields, models


class SalesForecastAccuracy(models.Model):
    """Forecast accuracy of one sales team or rep for one snapshot's period.

    Rows are computed from a snapshot by
    ``sales.forecast.snapshot._compute_forecast_accuracy`` and replaced each
    time it runs, because a deal may be won or reopened after the period.
    """

    _name = "sales.forecast.accuracy"
    _description = "Forecast Accuracy"
    _order = "period_start desc, team_id, level, user_id"

    snapshot_id = fields.Many2one(
        "sales.forecast.snapshot", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="snapshot_id.company_id", store=True)
    currency_id = fields.Many2one(related="snapshot_id.currency_id")
    period_start = fields.Date(related="snapshot_id.period_start", store=True)
    level = fields.Selection(
        [("team", "Sales Team"), ("user", "Salesperson")], required=True, readonly=True
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True, index=True)
    forecast_amount = fields.Monetary(
        string="Forecast",
        readonly=True,
        help="Weighted forecast frozen at the period start for deals expected to close in the period.",
    )
    forecast_count = fields.Integer(string="Forecast Deals", readonly=True)
    actual_amount = fields.Monetary(
        string="Won",
        readonly=True,
        help="Expected revenue of the deals won in the period, forecast or not.",
    )
    won_count = fields.Integer(string="Won Deals", readonly=True)
    unforecast_won_amount = fields.Monetary(
        string="Won Without Forecast",
        readonly=True,
        help="Part of the won amount from deals the snapshot did not expect in the period.",
    )
    accuracy = fields.Float(
        compute="_compute_accuracy",
        store=True,
        aggregator="avg",
        help="1 − |forecast − won| / won, at least 0. With nothing won, 1 when "
        "nothing was forecast and 0 otherwise.",
    )

    @api.depends("forecast_amount", "actual_amount")
    def _compute_accuracy(self):
        for row in self:
            row.accuracy = self._get_accuracy(row.forecast_amount, row.actual_amount)

    @api.model
    def _get_accuracy(self, forecast, actual):
        """Return the forecast accuracy between 0 and 1.

        ``1 − |forecast − actual| / actual``, floored at 0 so that a forecast
        more than twice the actual scores 0 rather than a negative number.
        When nothing was won the ratio has no denominator: a team that forecast
        nothing and won nothing was right (1), any forecast was wrong (0).
        """
        currency_rounding = 0.005
        if abs(actual) < currency_rounding:
            return 1.0 if abs(forecast) < currency_rounding else 0.0
        return max(0.0, 1.0 - abs(forecast - actual) / actual)
