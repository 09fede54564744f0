import logging
import time

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import split_every

_logger = logging.getLogger(__name__)

# Open leads recomputed per batch after a weight change: large enough that a
# pipeline of 100,000 deals needs only a hundred flushes, small enough that the
# record cache of one batch stays small (estimated at a few megabytes).
WEIGHT_RECOMPUTE_BATCH_SIZE = 1000

FORECAST_WEIGHT_FIELDS = (
    "forecast_weight_green",
    "forecast_weight_yellow",
    "forecast_weight_red",
)


def check_forecast_weights(env, owner, green, yellow, red):
    """Raise a ValidationError unless the weights are each in [0, 1] and green ≥ yellow ≥ red.

    ``owner`` names the company or override in the message.
    """
    for label, weight in (
        (env._("green"), green),
        (env._("yellow"), yellow),
        (env._("red"), red),
    ):
        if not 0.0 <= weight <= 1.0:
            raise ValidationError(
                env._(
                    "The %(color)s forecast weight of %(company)s is "
                    "%(weight)s, but a forecast weight must be between "
                    "0 and 1.",
                    color=label,
                    company=owner,
                    weight=weight,
                )
            )
    if not green >= yellow >= red:
        raise ValidationError(
            env._(
                "The forecast weights of %(company)s must not increase "
                "from green to yellow to red, but they are green "
                "%(green)s, yellow %(yellow)s, red %(red)s. Set green "
                "≥ yellow ≥ red.",
                company=owner,
                green=green,
                yellow=yellow,
                red=red,
            )
        )


class ResCompany(models.Model):
    _inherit = "res.company"

    forecast_weight_green = fields.Float(
        string="Green Forecast Weight",
        default=0.9,
        help="Share of the expected revenue counted in the weighted forecast "
        "for a deal backed by a signed contract, purchase order or payment "
        "voucher (0 to 1).",
    )
    forecast_weight_yellow = fields.Float(
        string="Yellow Forecast Weight",
        default=0.6,
        help="Share of the expected revenue counted in the weighted forecast "
        "for a deal backed by a written purchase intent and an expected "
        "closing date (0 to 1).",
    )
    forecast_weight_red = fields.Float(
        string="Red Forecast Weight",
        default=0.2,
        help="Share of the expected revenue counted in the weighted forecast "
        "for a deal backed only by verbal or vague commitments, or by no "
        "evidence at all (0 to 1).",
    )

    forecast_budget_threshold = fields.Float(
        string="Budget Accuracy Threshold",
        default=0.7,
        help="Forecast accuracy (0 to 1) below which a sales team's quarter counts as missed.",
    )
    forecast_budget_quarters = fields.Integer(
        string="Missed Quarters Before a Cut",
        default=2,
        help="Number of consecutive missed quarters after which the next quarter's "
        "marketing budget is cut.",
    )
    forecast_budget_cut = fields.Float(
        string="Budget Cut",
        default=0.15,
        help="Share of the planned marketing budget removed by the policy (0 to 1).",
    )

    forecast_signal_token = fields.Char(
        string="External Signal Token",
        groups="base.group_system",
        copy=False,
        help="Secret that a system posting external signals sends as a bearer "
        "token. Leave empty to turn the endpoint off for this company.",
    )

    @api.constrains("forecast_budget_threshold", "forecast_budget_quarters", "forecast_budget_cut")
    def _check_forecast_budget_policy(self):
        for company in self:
            if not 0.0 <= company.forecast_budget_threshold <= 1.0:
                raise ValidationError(
                    self.env._("The budget accuracy threshold must be between 0 and 1.")
                )
            if not 0.0 <= company.forecast_budget_cut <= 1.0:
                raise ValidationError(self.env._("The budget cut must be between 0 and 1."))
            if company.forecast_budget_quarters < 1:
                raise ValidationError(
                    self.env._("The budget policy needs at least one missed quarter.")
                )

    @api.constrains(*FORECAST_WEIGHT_FIELDS)
    def _check_forecast_weights(self):
        for company in self:
            check_forecast_weights(
                self.env,
                company.name,
                company.forecast_weight_green,
                company.forecast_weight_yellow,
                company.forecast_weight_red,
            )

    def write(self, vals):
        changed = self.browse()
        if any(fname in vals for fname in FORECAST_WEIGHT_FIELDS):
            changed = self.filtered(
                lambda company: any(
                    fname in vals and company[fname] != vals[fname]
                    for fname in FORECAST_WEIGHT_FIELDS
                )
            )
        result = super().write(vals)
        if changed:
            changed._recompute_forecast_weights()
        return result

    def _get_forecast_weights(self):
        """Return the company's weights as a dict keyed by colour class."""
        self.ensure_one()
        return {
            "green": self.forecast_weight_green,
            "yellow": self.forecast_weight_yellow,
            "red": self.forecast_weight_red,
        }

    def _recompute_forecast_weights(self):
        """Recompute the forecast weight of the companies' open leads.

        Only open leads follow a weight change: won and lost deals keep the
        weight they closed with, so past results do not move. The leads are
        recomputed as superuser because the administrator who changes the
        weights may not see every lead through the record rules.
        """
        Lead = self.env["crm.lead"].sudo()
        started = time.monotonic()
        leads = Lead.search(Lead._get_forecast_open_domain(self))
        fnames = ["forecast_weight", "forecast_weighted_revenue"]
        for batch in split_every(WEIGHT_RECOMPUTE_BATCH_SIZE, leads.ids, Lead.browse):
            for fname in fnames:
                self.env.add_to_compute(Lead._fields[fname], batch)
            batch.flush_recordset(fnames)
            batch.invalidate_recordset(fnames)
        _logger.info(
            "Recomputed the forecast weight of %s open leads of companies %s in %.2fs",
            len(leads),
            self.ids,
            time.monotonic() - started,
        )
