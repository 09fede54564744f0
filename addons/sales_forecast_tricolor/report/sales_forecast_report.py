from odoo import fields, models
from odoo.tools import SQL, drop_view_if_exists

from ..models.crm_lead import FORECAST_COLORS


class SalesForecastReport(models.Model):
    """Tricolor forecast: one row per open opportunity.

    A row carries the opportunity's stored forecast colour and weight, so the
    report shows exactly what the opportunity form shows. The amounts are
    converted from the currency of the deal's company into the currency of
    the user's current company, so that totals over companies add like
    amounts. The rate is the current company's latest rate on or before today. The query is built for each request because the target
    currency and the rates depend on the user and the day.
    """

    _name = "sales.forecast.report"
    _description = "Tricolor Forecast Analysis"
    _auto = False
    _rec_name = "name"
    _order = "date_deadline, id"
    _depends = {
        "crm.lead": [
            "active",
            "company_id",
            "date_deadline",
            "expected_revenue",
            "forecast_color",
            "forecast_weight",
            "forecast_weighted_revenue",
            "name",
            "partner_id",
            "probability",
            "prorated_revenue",
            "stage_id",
            "team_id",
            "type",
            "user_id",
        ],
        "crm.stage": ["is_won"],
        "res.company": ["currency_id"],
        "res.currency.rate": ["rate", "name", "company_id", "currency_id"],
        "res.partner": ["commercial_partner_id", "industry_id"],
    }

    lead_id = fields.Many2one("crm.lead", string="Opportunity", readonly=True)
    name = fields.Char(string="Opportunity Name", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    currency_id = fields.Many2one(
        "res.currency",
        string="Currency",
        readonly=True,
        help="Currency of the user's current company, in which the amounts are shown.",
    )
    deal_currency_id = fields.Many2one(
        "res.currency",
        string="Deal Currency",
        readonly=True,
        help="Currency of the deal's company, in which the deal's amounts are recorded.",
    )
    deal_expected_revenue = fields.Monetary(
        string="Expected Revenue in Deal Currency",
        currency_field="deal_currency_id",
        readonly=True,
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    industry_id = fields.Many2one(
        "res.partner.industry",
        string="Industry",
        readonly=True,
        help="Industry of the customer, or of its parent company when the "
        "customer is a contact person without one.",
    )
    stage_id = fields.Many2one("crm.stage", string="Stage", readonly=True)
    date_deadline = fields.Date(string="Expected Closing", readonly=True)
    forecast_color = fields.Selection(FORECAST_COLORS, string="Forecast Colour", readonly=True)
    forecast_weight = fields.Float(string="Forecast Weight", aggregator="avg", readonly=True)
    probability = fields.Float(string="Probability", aggregator="avg", readonly=True)
    expected_revenue = fields.Monetary(
        string="Expected Revenue", currency_field="currency_id", readonly=True
    )
    weighted_revenue = fields.Monetary(
        string="Weighted Forecast",
        currency_field="currency_id",
        readonly=True,
        help="Expected revenue multiplied by the weight of the forecast colour.",
    )
    prorated_revenue = fields.Monetary(
        string="Prorated Revenue",
        currency_field="currency_id",
        readonly=True,
        help="Expected revenue multiplied by the probability, as in the CRM pipeline.",
    )

    @property
    def _table_query(self):
        return self._query()

    def _get_conversion_rates(self):
        """Return {company id: factor} turning each company's amounts into the report currency.

        The factor is the current company's conversion rate of today from the
        company's currency into the current company's currency. Companies in
        the report currency are left out: their factor is 1.
        """
        target = self.env.company.currency_id
        today = fields.Date.context_today(self)
        Currency = self.env["res.currency"]
        companies = self.env["res.company"].sudo().search([("currency_id", "!=", target.id)])
        return {
            company.id: Currency._get_conversion_rate(
                company.currency_id, target, self.env.company, today
            )
            for company in companies
        }

    def _query(self):
        """Return the SELECT statement behind the report.

        The conversion factors and the won stages are written into the query
        as constants, so the report reads ``crm_lead`` without joining a rate
        table or ``crm_stage``. On a large pipeline that keeps its grouped
        totals close to a grouped read of ``crm.lead`` itself.
        Override to add columns, keeping one row per opportunity.
        """
        factors = {
            company_id: factor
            for company_id, factor in self._get_conversion_rates().items()
            if factor != 1.0
        }

        def converted(column):
            if not factors:
                return SQL.identifier("lead", column)
            return SQL(
                "%s * (CASE lead.company_id %s ELSE 1.0 END)",
                SQL.identifier("lead", column),
                SQL(" ").join(
                    SQL("WHEN %s THEN %s::numeric", company_id, company_factor)
                    for company_id, company_factor in factors.items()
                ),
            )

        won_stage_ids = self.env["crm.stage"].sudo().search([("is_won", "=", True)]).ids or [0]
        return SQL(
            """
            SELECT
                lead.id AS id,
                lead.id AS lead_id,
                lead.name AS name,
                lead.company_id AS company_id,
                %(currency)s AS currency_id,
                company.currency_id AS deal_currency_id,
                lead.expected_revenue AS deal_expected_revenue,
                lead.team_id AS team_id,
                lead.user_id AS user_id,
                lead.partner_id AS partner_id,
                COALESCE(partner.industry_id, commercial.industry_id) AS industry_id,
                lead.stage_id AS stage_id,
                lead.date_deadline AS date_deadline,
                lead.forecast_color AS forecast_color,
                lead.forecast_weight AS forecast_weight,
                lead.probability AS probability,
                %(expected_revenue)s AS expected_revenue,
                %(weighted_revenue)s AS weighted_revenue,
                %(prorated_revenue)s AS prorated_revenue
            FROM crm_lead lead
            LEFT JOIN res_company company ON company.id = lead.company_id
            LEFT JOIN res_partner partner ON partner.id = lead.partner_id
            LEFT JOIN res_partner commercial
                ON commercial.id = partner.commercial_partner_id
            WHERE lead.active
                AND lead.type = 'opportunity'
                AND (lead.stage_id IS NULL OR lead.stage_id NOT IN %(won_stages)s)
            """,
            currency=self.env.company.currency_id.id,
            expected_revenue=converted("expected_revenue"),
            weighted_revenue=converted("forecast_weighted_revenue"),
            prorated_revenue=converted("prorated_revenue"),
            won_stages=tuple(won_stage_ids),
        )

    def init(self):
        # Earlier versions created a database view; the query now runs per request.
        drop_view_if_exists(self.env.cr, self._table)
