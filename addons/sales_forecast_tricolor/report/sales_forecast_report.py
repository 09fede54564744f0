from odoo import fields, models
from odoo.tools import SQL, drop_view_if_exists

from ..models.crm_lead import FORECAST_COLORS


class SalesForecastReport(models.Model):
    """Tricolor forecast: one row per open opportunity.

    A row carries the opportunity's stored forecast colour and weight, so the
    report shows exactly what the opportunity form shows. Amounts are in the
    currency of the opportunity's company and are not converted, so a total
    over companies with different currencies adds unlike amounts: group by
    company to compare them.
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
        "res.partner": ["commercial_partner_id", "industry_id"],
    }

    lead_id = fields.Many2one("crm.lead", string="Opportunity", readonly=True)
    name = fields.Char(string="Opportunity Name", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Currency", readonly=True)
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

    def _query(self):
        """Return the SELECT statement behind the view.

        Override to add columns, keeping one row per opportunity.
        """
        return SQL(
            """
            SELECT
                lead.id AS id,
                lead.id AS lead_id,
                lead.name AS name,
                lead.company_id AS company_id,
                company.currency_id AS currency_id,
                lead.team_id AS team_id,
                lead.user_id AS user_id,
                lead.partner_id AS partner_id,
                COALESCE(partner.industry_id, commercial.industry_id) AS industry_id,
                lead.stage_id AS stage_id,
                lead.date_deadline AS date_deadline,
                lead.forecast_color AS forecast_color,
                lead.forecast_weight AS forecast_weight,
                lead.probability AS probability,
                lead.expected_revenue AS expected_revenue,
                lead.forecast_weighted_revenue AS weighted_revenue,
                lead.prorated_revenue AS prorated_revenue
            FROM crm_lead lead
            LEFT JOIN crm_stage stage ON stage.id = lead.stage_id
            LEFT JOIN res_company company ON company.id = lead.company_id
            LEFT JOIN res_partner partner ON partner.id = lead.partner_id
            LEFT JOIN res_partner commercial
                ON commercial.id = partner.commercial_partner_id
            WHERE lead.active
                AND lead.type = %s
                AND NOT COALESCE(stage.is_won, FALSE)
            """,
            "opportunity",
        )

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )
