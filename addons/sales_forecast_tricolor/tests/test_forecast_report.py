from datetime import date

from odoo.tests import tagged

from .common import ForecastCommon


@tagged("post_install", "-at_install")
class TestForecastReport(ForecastCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.industry = cls.env["res.partner.industry"].create({"name": "Forecast Catering"})
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Forecast Customer",
                "is_company": True,
                "industry_id": cls.industry.id,
            }
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Forecast Contact", "parent_id": cls.customer.id}
        )

        cls.lead_own = cls._create_opportunity(
            name="Own deal", expected_revenue=12000.0, partner_id=cls.contact.id
        )
        cls._add_evidence(cls.lead_own, cls.type_purchase_intent)
        cls.lead_other = cls._create_opportunity(
            name="Other rep deal",
            expected_revenue=7000.0,
            user_id=cls.user_salesman_other.id,
            date_deadline=date(2026, 5, 15),
        )
        cls._add_evidence(cls.lead_other, cls.type_payment_voucher)
        cls.lead_unassigned = cls._create_opportunity(
            name="Unassigned deal", expected_revenue=3000.0, user_id=False
        )
        cls.lead_lost = cls._create_opportunity(name="Lost deal", expected_revenue=9000.0)
        cls.lead_lost.action_set_lost()
        cls.lead_won = cls._create_opportunity(name="Won deal", expected_revenue=4000.0)
        won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        # The import context lets the test place the deal in the won stage
        # without walking it through every gated stage.
        cls.lead_won.with_context(sales_closed_loop_import=True).write({"stage_id": won_stage.id})
        cls.lead_plain = cls._create_opportunity(
            name="Plain lead", type="lead", expected_revenue=6000.0
        )

        cls.Report = cls.env["sales.forecast.report"]

    def test_report_open_opportunities_only(self):
        """The report has one row per open opportunity and none for lost, won or plain leads."""
        rows = self.Report.search([("team_id", "=", self.team.id)])

        self.assertEqual(
            set(rows.lead_id.ids),
            {self.lead_own.id, self.lead_other.id, self.lead_unassigned.id},
        )

    def test_report_row_values(self):
        """A row copies the opportunity's colour, weight and amounts and the customer's industry."""
        row = self.Report.search([("lead_id", "=", self.lead_own.id)])

        self.assertEqual(row.forecast_color, "yellow")
        self.assertAlmostEqual(row.forecast_weight, 0.6)
        self.assertAlmostEqual(row.expected_revenue, 12000.0)
        self.assertAlmostEqual(row.weighted_revenue, 7200.0)
        self.assertAlmostEqual(row.prorated_revenue, self.lead_own.prorated_revenue)
        self.assertEqual(row.industry_id, self.industry)
        self.assertEqual(row.user_id, self.user_salesman)
        self.assertEqual(row.currency_id, self.company.currency_id)

    def test_report_sum_matches_leads(self):
        """The weighted total equals the sum of revenue times colour weight over open deals."""
        leads = self.env["crm.lead"].search(
            [
                ("type", "=", "opportunity"),
                ("active", "=", True),
                "|",
                ("stage_id", "=", False),
                ("stage_id.is_won", "=", False),
            ]
        )
        expected = 0.0
        for lead in leads:
            company = lead.company_id or self.env.company
            weights = {
                "green": company.forecast_weight_green,
                "yellow": company.forecast_weight_yellow,
                "red": company.forecast_weight_red,
            }
            expected += lead.expected_revenue * weights[lead.forecast_color]

        [(total, count)] = self.Report._read_group([], [], ["weighted_revenue:sum", "__count"])

        self.assertEqual(count, len(leads))
        self.assertAlmostEqual(total, expected, delta=0.005 * len(leads))

    def test_report_group_by_color(self):
        """Grouping the team's rows by colour gives one total per colour."""
        groups = self.Report._read_group(
            [("team_id", "=", self.team.id)],
            ["forecast_color"],
            ["weighted_revenue:sum"],
        )

        totals = dict(groups)
        self.assertAlmostEqual(totals["green"], 7000.0 * 0.9)
        self.assertAlmostEqual(totals["yellow"], 12000.0 * 0.6)
        self.assertAlmostEqual(totals["red"], 3000.0 * 0.2)

    def test_report_salesman_own_rows(self):
        """A salesman sees only their own and unassigned opportunities in the report."""
        rows = self.Report.with_user(self.user_salesman).search([("team_id", "=", self.team.id)])

        self.assertEqual(set(rows.lead_id.ids), {self.lead_own.id, self.lead_unassigned.id})
        self.assertFalse(rows.user_id - self.user_salesman)

        [(total,)] = self.Report.with_user(self.user_salesman)._read_group(
            [("team_id", "=", self.team.id)], [], ["weighted_revenue:sum"]
        )
        self.assertAlmostEqual(total, 12000.0 * 0.6 + 3000.0 * 0.2)

    def test_report_all_leads_rows(self):
        """A user allowed all leads sees every rep's opportunities in the report."""
        for user in (self.user_all_leads, self.user_manager):
            rows = self.Report.with_user(user).search([("team_id", "=", self.team.id)])
            self.assertEqual(
                set(rows.lead_id.ids),
                {self.lead_own.id, self.lead_other.id, self.lead_unassigned.id},
                user.login,
            )

    def test_report_multi_company(self):
        """Each company's rows carry its own weights and stay out of the other company's view."""
        company_b = self.env["res.company"].create(
            {
                "name": "Forecast Company B",
                "forecast_weight_green": 0.8,
                "forecast_weight_yellow": 0.5,
                "forecast_weight_red": 0.1,
            }
        )
        team_b = self.env["crm.team"].create(
            {"name": "Forecast Team B", "company_id": company_b.id}
        )
        self.user_all_leads.write({"company_ids": [(4, company_b.id)]})
        lead_b = self._create_opportunity(
            name="Company B deal",
            company_id=company_b.id,
            team_id=team_b.id,
            user_id=self.user_all_leads.id,
            expected_revenue=10000.0,
        )
        self._add_evidence(lead_b, self.type_payment_voucher)

        row_b = self.Report.search([("lead_id", "=", lead_b.id)])
        self.assertEqual(row_b.company_id, company_b)
        self.assertAlmostEqual(row_b.weighted_revenue, 8000.0)

        teams = team_b | self.team
        totals = dict(
            self.Report._read_group(
                [("team_id", "in", teams.ids)], ["company_id"], ["weighted_revenue:sum"]
            )
        )
        self.assertAlmostEqual(totals[company_b], 8000.0)
        self.assertAlmostEqual(totals[self.company], 7000.0 * 0.9 + 12000.0 * 0.6 + 3000.0 * 0.2)

        report_a = self.Report.with_user(self.user_all_leads).with_context(
            allowed_company_ids=[self.company.id]
        )
        self.assertFalse(report_a.search([("lead_id", "=", lead_b.id)]))
        self.assertTrue(report_a.search([("lead_id", "=", self.lead_own.id)]))

        report_b = self.Report.with_user(self.user_all_leads).with_context(
            allowed_company_ids=[company_b.id]
        )
        self.assertEqual(report_b.search([("team_id", "in", teams.ids)]).lead_id, lead_b)
