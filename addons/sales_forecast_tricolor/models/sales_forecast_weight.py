import logging
import time

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import split_every

from .res_company import WEIGHT_RECOMPUTE_BATCH_SIZE, check_forecast_weights

_logger = logging.getLogger(__name__)


class SalesForecastWeight(models.Model):
    """Forecast weights of one company for a sales team, an industry or both.

    A deal takes the most specific weights that match it: team and industry,
    then team, then industry, then the company's own weights.
    """

    _name = "sales.forecast.weight"
    _description = "Forecast Weight Override"
    _order = "company_id, team_id, industry_id, id"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        domain="[('company_id', 'in', (company_id, False))]",
        help="Deals of this sales team use these weights. Leave empty to match every team.",
    )
    industry_id = fields.Many2one(
        "res.partner.industry",
        string="Industry",
        help="Deals whose customer is in this industry use these weights. Leave "
        "empty to match every industry.",
    )
    forecast_weight_green = fields.Float(string="Green Weight", default=0.9, required=True)
    forecast_weight_yellow = fields.Float(string="Yellow Weight", default=0.6, required=True)
    forecast_weight_red = fields.Float(string="Red Weight", default=0.2, required=True)

    @api.depends("company_id", "team_id", "industry_id")
    def _compute_display_name(self):
        for override in self:
            parts = [part.name for part in (override.team_id, override.industry_id) if part]
            override.display_name = " / ".join(parts) or override.company_id.name or ""

    @api.constrains("forecast_weight_green", "forecast_weight_yellow", "forecast_weight_red")
    def _check_forecast_weights(self):
        for override in self:
            check_forecast_weights(
                self.env,
                override.display_name,
                override.forecast_weight_green,
                override.forecast_weight_yellow,
                override.forecast_weight_red,
            )

    @api.constrains("company_id", "team_id", "industry_id")
    def _check_scope(self):
        for override in self:
            if not override.team_id and not override.industry_id:
                raise ValidationError(
                    self.env._(
                        "A forecast weight override needs a sales team, an industry "
                        "or both. Set the company's own weights in Settings."
                    )
                )
            duplicate = self.search_count(
                [
                    ("id", "!=", override.id),
                    ("company_id", "=", override.company_id.id),
                    ("team_id", "=", override.team_id.id),
                    ("industry_id", "=", override.industry_id.id),
                ]
            )
            if duplicate:
                raise ValidationError(
                    self.env._(
                        "%(company)s already has forecast weights for %(scope)s. "
                        "Change those instead of adding a second override.",
                        company=override.company_id.name,
                        scope=override.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        overrides = super().create(vals_list)
        overrides._recompute_forecast_leads()
        return overrides

    def write(self, vals):
        # The leads that matched before the change lose the override, so they
        # are recomputed too.
        old_scopes = [(o.company_id, o.team_id, o.industry_id) for o in self]
        result = super().write(vals)
        new_scopes = [(o.company_id, o.team_id, o.industry_id) for o in self]
        self._recompute_forecast_leads(old_scopes + new_scopes)
        return result

    def unlink(self):
        scopes = [(o.company_id, o.team_id, o.industry_id) for o in self]
        result = super().unlink()
        self.browse()._recompute_forecast_leads(scopes)
        return result

    @api.model
    def _get_weight_table(self, companies):
        """Return the overrides of the companies as {(company, team, industry): weights}.

        Ids are used in the keys, ``False`` for an empty team or industry, and
        weights are dicts keyed by colour, as ``res.company._get_forecast_weights``.
        """
        companies = companies or self.env.company
        table = {}
        for override in self.sudo().search([("company_id", "in", companies.ids)]):
            key = (override.company_id.id, override.team_id.id, override.industry_id.id)
            table[key] = {
                "green": override.forecast_weight_green,
                "yellow": override.forecast_weight_yellow,
                "red": override.forecast_weight_red,
            }
        return table

    def _recompute_forecast_leads(self, scopes=None):
        """Recompute the weight of the open leads these overrides may apply to.

        Snapshots copy the weight when they are taken, so they keep it.
        """
        if scopes is None:
            scopes = [(o.company_id, o.team_id, o.industry_id) for o in self]
        if not scopes:
            return
        started = time.monotonic()
        Lead = self.env["crm.lead"].sudo()
        scope_domains = []
        for company, team, industry in scopes:
            scope = Lead._get_forecast_open_domain(company)
            if team:
                scope.append(("team_id", "=", team.id))
            if industry:
                scope += [
                    "|",
                    ("partner_id.industry_id", "=", industry.id),
                    ("partner_id.commercial_partner_id.industry_id", "=", industry.id),
                ]
            scope_domains.append(scope)
        leads = Lead.search(expression.OR(scope_domains))
        fnames = ["forecast_weight", "forecast_weighted_revenue"]
        for batch in split_every(WEIGHT_RECOMPUTE_BATCH_SIZE, leads.ids, Lead.browse):
            for fname in fnames:
                self.env.add_to_compute(Lead._fields[fname], batch)
            batch.flush_recordset(fnames)
            batch.invalidate_recordset(fnames)
        _logger.info(
            "Recomputed the forecast weight of %s open leads after an override change in %.2fs",
            len(leads),
            time.monotonic() - started,
        )
