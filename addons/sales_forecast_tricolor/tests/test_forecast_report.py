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

    def test_report_manager_all_rows(self):
        """A sales administrator reads every rep's opportunities in the report."""
        rows = self.Report.with_user(self.user_manager).search([("team_id", "=", self.team.id)])

        self.assertEqual(
            set(rows.lead_id.ids),
            {self.lead_own.id, self.lead_other.id, self.lead_unassigned.id},
        )

    def test_report_team_leader_rows(self):
        """A team leader reads the deals of the team they lead and not another team's."""
        other_team = self.env["crm.team"].create({"name": "Forecast Foreign Team"})
        foreign = self._create_opportunity(
            name="Foreign deal", team_id=other_team.id, user_id=self.user_salesman_other.id
        )
        report = self.Report.with_user(self.user_all_leads)
        teams = [("team_id", "in", (self.team | other_team).ids)]
        self.assertEqual(report.search(teams).lead_id, self.lead_unassigned)

        self.team.user_id = self.user_all_leads
        rows = report.search(teams)

        self.assertEqual(
            set(rows.lead_id.ids),
            {self.lead_own.id, self.lead_other.id, self.lead_unassigned.id},
        )
        self.assertNotIn(foreign, rows.lead_id)
        [(total,)] = report._read_group(teams, [], ["weighted_revenue:sum"])
        self.assertAlmostEqual(total, 7000.0 * 0.9 + 12000.0 * 0.6 + 3000.0 * 0.2)

    def test_report_team_member_rows(self):
        """A user with all-leads rights sees the deals of a team they are a member of."""
        self.team.member_ids = [(4, self.user_all_leads.id)]

        rows = self.Report.with_user(self.user_all_leads).search([("team_id", "=", self.team.id)])

        self.assertEqual(len(rows), 3)

    def test_report_two_currencies(self):
        """Deals of a company in another currency are converted at today's rate, checked by hand."""
        usd = self.env.ref("base.USD")
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.company.currency_id = usd
        # Rates are per unit of the company currency: 1 USD = 0.8 EUR, so
        # 1 EUR = 1.25 USD. An older rate must not be used.
        self.env["res.currency.rate"].search([("currency_id", "in", (usd | eur).ids)]).unlink()
        self.env["res.currency.rate"].create(
            [
                {
                    "currency_id": eur.id,
                    "name": "2020-01-01",
                    "rate": 0.5,
                    "company_id": self.company.id,
                },
                {
                    "currency_id": eur.id,
                    "name": "2024-01-01",
                    "rate": 0.8,
                    "company_id": self.company.id,
                },
            ]
        )
        company_eur = self.env["res.company"].create(
            {"name": "Forecast Euro Company", "currency_id": eur.id}
        )
        team_eur = self.env["crm.team"].create(
            {"name": "Forecast Euro Team", "company_id": company_eur.id}
        )
        lead_eur = self._create_opportunity(
            name="Euro deal",
            company_id=company_eur.id,
            team_id=team_eur.id,
            user_id=False,
            expected_revenue=8000.0,
        )
        self._add_evidence(lead_eur, self.type_payment_voucher)
        teams = [("team_id", "in", (self.team | team_eur).ids)]

        report = self.Report.with_context(allowed_company_ids=[self.company.id, company_eur.id])
        row = report.search([("lead_id", "=", lead_eur.id)])
        self.assertEqual(row.currency_id, usd)
        self.assertEqual(row.deal_currency_id, eur)
        self.assertAlmostEqual(row.deal_expected_revenue, 8000.0)
        # 8000 EUR × 1.25 = 10000 USD; green weight 0.9 gives 9000 USD.
        self.assertAlmostEqual(row.expected_revenue, 10000.0)
        self.assertAlmostEqual(row.weighted_revenue, 9000.0)
        [(total,)] = report._read_group(teams, [], ["weighted_revenue:sum"])
        own = 7000.0 * 0.9 + 12000.0 * 0.6 + 3000.0 * 0.2
        self.assertAlmostEqual(total, own + 9000.0)

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
        self.user_manager.write({"company_ids": [(4, company_b.id)]})
        lead_b = self._create_opportunity(
            name="Company B deal",
            company_id=company_b.id,
            team_id=team_b.id,
            user_id=self.user_manager.id,
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

        report_a = self.Report.with_user(self.user_manager).with_context(
            allowed_company_ids=[self.company.id]
        )
        self.assertFalse(report_a.search([("lead_id", "=", lead_b.id)]))
        self.assertTrue(report_a.search([("lead_id", "=", self.lead_own.id)]))

        report_b = self.Report.with_user(self.user_manager).with_context(
            allowed_company_ids=[company_b.id]
        )
        self.assertEqual(report_b.search([("team_id", "in", teams.ids)]).lead_id, lead_b)
