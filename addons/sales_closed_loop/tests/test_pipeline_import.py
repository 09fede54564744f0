import base64
import csv
import logging
import tempfile
import unittest
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.sales_closed_loop import pipeline_csv
from odoo.addons.sales_closed_loop.cli.import_pipeline import import_pipeline_folder

_logger = logging.getLogger(__name__)

# The Maven "CRM + Sales Opportunities" export, kept beside the repository
# (<repository>/../shared/data/...), never copied into it.
MAVEN_DIR = (
    Path(__file__).resolve().parents[3].parent / "shared" / "data" / "maven_crm_sales_opportunities"
)

ACCOUNTS_CSV = (
    "account,sector,office_location\n"
    "Acme Corporation,technolgy,United States\n"
    "Betatech,medical,Kenya\n"
)
PRODUCTS_CSV = "product,series,sales_price\nGTX Basic,GTX,550\nGTX Pro,GTX,4821\n"
TEAMS_CSV = (
    "sales_agent,manager,regional_office\n"
    "Anna Snelling,Dustin Brinkmann,Central\n"
    "Bob Kessler,Dustin Brinkmann,Central\n"
)
PIPELINE_HEADER = (
    "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
)


def read_maven_pipeline():
    with open(MAVEN_DIR / pipeline_csv.PIPELINE_FILE, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


class PipelineImportCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(
            cls.env,
            login="cl_import_admin",
            groups="base.group_user,base.group_system,sales_team.group_sale_manager",
        )
        cls.salesman = new_test_user(
            cls.env, login="cl_import_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.stage_screening = cls.env.ref("sales_closed_loop.stage_lead_screening")
        cls.stage_diagnosis = cls.env.ref("sales_closed_loop.stage_needs_diagnosis")
        cls.stage_matching = cls.env.ref("sales_closed_loop.stage_solution_matching")
        cls.stage_closing = cls.env.ref("sales_closed_loop.stage_contract_closing")
        cls.stage_won = cls.env.ref("crm.stage_lead4")

    @classmethod
    def _imported_leads(cls, domain=()):
        return (
            cls.env["crm.lead"]
            .with_context(active_test=False)
            .search([("import_ref", "!=", False), *domain])
        )

    def _write_folder(
        self,
        folder,
        rows,
        pipeline=None,
        accounts=ACCOUNTS_CSV,
        products=PRODUCTS_CSV,
        teams=TEAMS_CSV,
    ):
        """Write the four files in ``folder``: ``rows`` under the pipeline header unless
        ``pipeline`` gives the whole file; a file given as ``False`` is not written."""
        contents = {
            pipeline_csv.PIPELINE_FILE: PIPELINE_HEADER + rows if pipeline is None else pipeline,
            pipeline_csv.ACCOUNTS_FILE: accounts,
            pipeline_csv.PRODUCTS_FILE: products,
            pipeline_csv.TEAMS_FILE: teams,
        }
        for name, text in contents.items():
            if text is not False:
                (Path(folder) / name).write_text(text, encoding="utf-8")


@tagged("post_install", "-at_install")
class TestPipelineImportMaven(PipelineImportCase):
    """The real Maven export, imported once for the whole class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not MAVEN_DIR.is_dir():
            print(f"Skipping the Maven import tests: {MAVEN_DIR} is absent")
            raise unittest.SkipTest(f"Maven data folder {MAVEN_DIR} is absent")
        cls.file_rows = read_maven_pipeline()
        cls.wizard = import_pipeline_folder(cls.env(user=cls.admin), MAVEN_DIR)
        cls.summary_text = cls.wizard.summary
        _logger.info(
            "Maven import of %s rows: %s", len(cls.file_rows), cls.summary_text.splitlines()[-1]
        )

    def test_maven_counts(self):
        """Opportunities, won, lost and open deals match the file's counts."""
        leads = self._imported_leads()
        won = leads.filtered(lambda lead: lead.stage_id == self.stage_won and lead.active)
        lost = leads.filtered(lambda lead: not lead.active)
        open_leads = leads - won - lost
        self.assertEqual(len(leads), 8800)
        self.assertEqual(len(won), 4238)
        self.assertEqual(len(lost), 2473)
        self.assertEqual(len(open_leads), 2089)
        self.assertEqual(sum(won.mapped("expected_revenue")), 10005534)
        self.assertEqual(self.wizard.count_read, 8800)
        self.assertEqual(self.wizard.count_created, 8800)
        self.assertEqual(self.wizard.count_skipped, 0)

    def test_maven_won_lost_state(self):
        """Won deals reach probability 100, lost ones are archived at 0, closed on the file date."""
        leads = {lead.import_ref: lead for lead in self._imported_leads()}
        for row in self.file_rows:
            lead = leads[row["opportunity_id"]]
            if row["deal_stage"] == "Won":
                self.assertEqual(lead.probability, 100, row["opportunity_id"])
                self.assertEqual(
                    str(lead.date_closed.date()), row["close_date"], row["opportunity_id"]
                )
            elif row["deal_stage"] == "Lost":
                self.assertFalse(lead.active, row["opportunity_id"])
                self.assertEqual(lead.probability, 0, row["opportunity_id"])
                self.assertEqual(
                    str(lead.date_closed.date()), row["close_date"], row["opportunity_id"]
                )
            else:
                self.assertTrue(lead.active, row["opportunity_id"])
                self.assertFalse(lead.date_closed, row["opportunity_id"])

    def test_maven_stages(self):
        """Prospecting deals sit in Lead Screening and engaging deals in Needs Diagnosis."""
        stages = Counter(row["deal_stage"] for row in self.file_rows)
        leads = self._imported_leads([("active", "=", True)])
        self.assertEqual(
            len(leads.filtered(lambda lead: lead.stage_id == self.stage_screening)),
            stages["Prospecting"],
        )
        self.assertEqual(
            len(leads.filtered(lambda lead: lead.stage_id == self.stage_diagnosis)),
            stages["Engaging"],
        )

    def test_maven_real_dates(self):
        """Engage and close dates become the creation, assignment and close dates."""
        leads = {lead.import_ref: lead for lead in self._imported_leads()}
        won_row = next(row for row in self.file_rows if row["deal_stage"] == "Won")
        lead = leads[won_row["opportunity_id"]]
        self.assertEqual(str(lead.create_date.date()), won_row["engage_date"])
        self.assertEqual(str(lead.date_open.date()), won_row["engage_date"])
        self.assertEqual(str(lead.date_closed.date()), won_row["close_date"])
        self.assertGreater(lead.day_close, 0)

        history = lead.stage_history_ids.sorted("date_in")
        self.assertEqual(history.stage_id, self.stage_diagnosis | self.stage_won)
        self.assertTrue(all(history.mapped("is_imported")))
        self.assertEqual(str(history[0].date_in.date()), won_row["engage_date"])
        self.assertEqual(str(history[0].date_out.date()), won_row["close_date"])
        self.assertEqual(str(history[1].date_in.date()), won_row["close_date"])
        self.assertFalse(history[1].date_out)

    def test_maven_history_rows(self):
        """Every opportunity has imported stage history, two rows for each won deal."""
        History = self.env["crm.lead.stage.history"]
        leads = self._imported_leads()
        rows = History.search([("lead_id", "in", leads.ids)])
        self.assertTrue(all(rows.mapped("is_imported")))
        self.assertEqual(set(rows.lead_id.ids), set(leads.ids))
        won_count = Counter(row["deal_stage"] for row in self.file_rows)["Won"]
        self.assertEqual(len(rows), len(leads) + won_count)

    def test_maven_accounts(self):
        """The 85 accounts become companies, with the technolgy typo read as Technology."""
        with open(MAVEN_DIR / pipeline_csv.ACCOUNTS_FILE, newline="", encoding="utf-8") as file:
            accounts = {row["account"]: row["sector"] for row in csv.DictReader(file)}
        companies = self.env["res.partner"].search(
            [("is_company", "=", True), ("name", "in", list(accounts))]
        )
        self.assertEqual(len(companies), 85)
        typo_companies = companies.filtered(lambda partner: accounts[partner.name] == "technolgy")
        self.assertTrue(typo_companies)
        # sales_action_kb stores the canonical industry when a company is given
        # an alias, so these companies may show IT/Communication in place of
        # the Technology industry the import creates.
        self.assertEqual(len(typo_companies.industry_id), 1)
        Industry = self.env["res.partner.industry"].with_context(lang="en_US")
        self.assertTrue(Industry.search([("name", "=ilike", "technology")]))
        self.assertFalse(Industry.search([("name", "=ilike", "technolgy")]))
        medical = companies.filtered(lambda partner: accounts[partner.name] == "medical")
        self.assertEqual(medical.industry_id, self.env.ref("base.res_partner_industry_Q"))

    def test_maven_blank_accounts(self):
        """Rows with a blank account become opportunities without a customer, and are counted."""
        blank_refs = {row["opportunity_id"] for row in self.file_rows if not row["account"]}
        without_partner = self._imported_leads([("partner_id", "=", False)])
        self.assertTrue(blank_refs)
        self.assertEqual(set(without_partner.mapped("import_ref")), blank_refs)
        self.assertIn(f"imported without a customer): {len(blank_refs)}", self.summary_text)

    def test_maven_products(self):
        """GTXPro rows are named GTX Pro, and open deals get the product's list price."""
        gtx_pro_refs = {
            row["opportunity_id"]
            for row in self.file_rows
            if row["product"] in ("GTXPro", "GTX Pro")
        }
        leads = {lead.import_ref: lead for lead in self._imported_leads()}
        self.assertEqual(len(self._imported_leads([("name", "like", "GTXPro")])), 0)
        self.assertTrue(all(leads[ref].name.startswith("GTX Pro") for ref in gtx_pro_refs))

        open_row = next(
            row
            for row in self.file_rows
            if row["deal_stage"] == "Engaging" and row["product"] == "GTXPro"
        )
        self.assertFalse(open_row["close_value"])
        self.assertEqual(leads[open_row["opportunity_id"]].expected_revenue, 4821)

    def test_maven_agents_users(self):
        """The 35 agents become internal salespeople, with the same login on every import."""
        with open(MAVEN_DIR / pipeline_csv.TEAMS_FILE, newline="", encoding="utf-8") as file:
            agents = [row["sales_agent"] for row in csv.DictReader(file)]
        logins = [pipeline_csv.login_from_name(name) for name in agents]
        users = self.env["res.users"].search([("login", "in", logins)])
        self.assertEqual(len(users), 35)
        self.assertFalse(users.filtered("share"))
        self.assertTrue(all(user.has_group("sales_team.group_sale_salesman") for user in users))

    def test_maven_teams(self):
        """Each manager leads one team named with the office, with the agents as members."""
        team = self.env["crm.team"].search([("name", "=", "Central - Dustin Brinkmann")])
        self.assertEqual(len(team), 1)
        self.assertEqual(team.user_id.name, "Dustin Brinkmann")
        self.assertEqual(
            set(team.member_ids.mapped("name")),
            {
                "Anna Snelling",
                "Cecily Lampkin",
                "Versie Hillebrand",
                "Lajuana Vencill",
                "Moses Frase",
            },
        )
        teams = self._imported_leads().team_id
        self.assertEqual(len(teams), 6)
        moses_leads = self._imported_leads([("user_id.name", "=", "Moses Frase")])
        self.assertEqual(moses_leads.team_id, team)

    def test_maven_reimport(self):
        """Importing the same files again creates and changes nothing."""
        History = self.env["crm.lead.stage.history"]
        counts = (
            len(self._imported_leads()),
            History.search_count([("is_imported", "=", True)]),
            self.env["res.partner"].search_count([]),
            self.env["res.users"].with_context(active_test=False).search_count([]),
            self.env["crm.team"].with_context(active_test=False).search_count([]),
        )
        wizard = import_pipeline_folder(self.env(user=self.admin), MAVEN_DIR)
        self.assertEqual(wizard.count_created, 0)
        self.assertEqual(wizard.count_updated, 0)
        self.assertEqual(wizard.count_unchanged, 8800)
        self.assertEqual(
            counts,
            (
                len(self._imported_leads()),
                History.search_count([("is_imported", "=", True)]),
                self.env["res.partner"].search_count([]),
                self.env["res.users"].with_context(active_test=False).search_count([]),
                self.env["crm.team"].with_context(active_test=False).search_count([]),
            ),
        )

    def test_maven_gate_after_import(self):
        """After the import, a salesperson moving an imported deal past a stage is refused."""
        lead = self._imported_leads(
            [("stage_id", "=", self.stage_screening.id), ("active", "=", True)]
        )[:1]
        agent_lead = lead.with_user(lead.user_id).with_context(sales_closed_loop_import=False)
        with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
            agent_lead.write({"stage_id": self.stage_closing.id})
        self.assertNotIsInstance(caught.exception, AccessError)
        lead.invalidate_recordset()
        self.assertEqual(lead.stage_id, self.stage_screening)


@tagged("post_install", "-at_install")
class TestPipelineImportFiles(PipelineImportCase):
    """Small files written in a temporary folder."""

    def setUp(self):
        super().setUp()
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.folder = Path(tmp.name)

    def test_malformed_rows_skipped(self):
        """Malformed rows are skipped with their line and reason, the valid rows imported."""
        self._write_folder(
            self.folder,
            "OK000001,Anna Snelling,GTXPro,Acme Corporation,Won,2017-01-02,2017-02-03,4500\n"
            ",Anna Snelling,GTX Basic,Betatech,Engaging,2017-01-02,,\n"
            "BAD00002,Anna Snelling,GTX Basic,Betatech,Negotiating,2017-01-02,,\n"
            "BAD00003,Anna Snelling,GTX Basic,Betatech,Won,2017-01-02,2017-31-12,500\n"
            "BAD00004,Anna Snelling,GTX Basic,Betatech,Won,2017-01-02,2017-02-12,abc\n"
            "OK000001,Anna Snelling,GTX Basic,Betatech,Engaging,2017-01-02,,\n"
            "OK000005,Anna Snelling,GTX Basic,,Engaging,2017-01-05,,\n",
        )
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_read, 7)
        self.assertEqual(wizard.count_created, 2)
        self.assertEqual(wizard.count_skipped, 5)
        self.assertIn("Line 3 (-): the opportunity_id column is empty", wizard.summary)
        self.assertIn('Line 4 (BAD00002): unknown deal stage "Negotiating"', wizard.summary)
        self.assertIn(
            'Line 5 (BAD00003): invalid date "2017-31-12" in column close_date', wizard.summary
        )
        self.assertIn(
            'Line 6 (BAD00004): invalid number "abc" in column close_value', wizard.summary
        )
        self.assertIn(
            "Line 7 (OK000001): the same opportunity_id already appears on line 2", wizard.summary
        )
        self.assertEqual(set(self._imported_leads().mapped("import_ref")), {"OK000001", "OK000005"})

    def test_imported_silence_starts_at_import(self):
        """An imported open deal's silence starts at the import, not at its file dates."""
        self._write_folder(
            self.folder,
            "SIL00001,Anna Snelling,GTX Basic,Betatech,Engaging,2017-03-01,,\n",
        )
        import_moment = datetime(2026, 6, 1, 9, 0)
        with freeze_time(import_moment):
            import_pipeline_folder(self.env(user=self.admin), self.folder)
        lead = self._imported_leads()
        salesperson = lead.user_id

        self.assertEqual(lead.import_date, import_moment)
        self.assertEqual(lead.silence_start_date, import_moment)
        self.assertEqual(
            lead.silence_breaker_due_date,
            import_moment + timedelta(hours=lead.team_id.silence_breaker_hours),
        )
        with freeze_time(import_moment + timedelta(hours=1)):
            self.env["crm.lead"]._cron_silence_breaker()
        self.assertFalse(lead.escalation_ids)
        self.assertEqual(lead.user_id, salesperson)

    def test_open_deal_list_price(self):
        """An open deal without a value gets its list price and an estimated closing date."""
        self._write_folder(
            self.folder,
            "WON00001,Anna Snelling,GTX Pro,Acme Corporation,Won,2017-01-01,2017-01-11,4800\n"
            "OPEN0001,Anna Snelling,GTX Basic,Betatech,Engaging,2017-03-01,,\n",
        )
        import_pipeline_folder(self.env(user=self.admin), self.folder)
        lead = self._imported_leads([("import_ref", "=", "OPEN0001")])
        self.assertEqual(lead.expected_revenue, 550)
        self.assertEqual(str(lead.date_deadline), "2017-03-11")

    def test_stage_mapping_editable(self):
        """A stage chosen in the wizard receives the file's engaging deals."""
        self._write_folder(
            self.folder, "OPEN0001,Anna Snelling,GTX Basic,Betatech,Engaging,2017-03-01,,\n"
        )
        files = {
            name: base64.b64encode((self.folder / name).read_bytes())
            for name in pipeline_csv.FILE_NAMES
        }
        wizard = (
            self.env["crm.pipeline.import"]
            .with_user(self.admin)
            .create(
                {
                    "pipeline_file": files[pipeline_csv.PIPELINE_FILE],
                    "accounts_file": files[pipeline_csv.ACCOUNTS_FILE],
                    "products_file": files[pipeline_csv.PRODUCTS_FILE],
                    "teams_file": files[pipeline_csv.TEAMS_FILE],
                    "stage_engaging_id": self.stage_matching.id,
                }
            )
        )
        wizard.action_import()
        self.assertEqual(wizard.state, "done")
        lead = self._imported_leads([("import_ref", "=", "OPEN0001")])
        self.assertEqual(lead.stage_id, self.stage_matching)
        self.assertEqual(lead.stage_history_ids.stage_id, self.stage_matching)

    def test_changed_row_updates(self):
        """A row with a new stage and agent updates the opportunity and its imported history."""
        self._write_folder(
            self.folder, "DEAL0001,Anna Snelling,GTX Basic,Betatech,Engaging,2017-03-01,,\n"
        )
        import_pipeline_folder(self.env(user=self.admin), self.folder)
        self._write_folder(
            self.folder, "DEAL0001,Bob Kessler,GTX Basic,Betatech,Lost,2017-03-01,2017-04-02,0\n"
        )
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_created, 0)
        self.assertEqual(wizard.count_updated, 1)
        lead = self._imported_leads([("import_ref", "=", "DEAL0001")])
        self.assertEqual(len(lead), 1)
        self.assertFalse(lead.active)
        self.assertEqual(lead.probability, 0)
        self.assertEqual(lead.user_id.name, "Bob Kessler")
        self.assertEqual(str(lead.date_open.date()), "2017-03-01")
        self.assertEqual(str(lead.date_last_stage_update.date()), "2017-04-02")
        self.assertEqual(str(lead.date_closed.date()), "2017-04-02")
        self.assertEqual(len(lead.stage_history_ids), 1)
        self.assertEqual(str(lead.stage_history_ids.date_out.date()), "2017-04-02")

    def test_gb18030_semicolon_file(self):
        """A GB18030 file with semicolons, as saved by Excel on Chinese Windows, imports."""
        self._write_folder(
            self.folder, "", teams="sales_agent,manager,regional_office\n张伟,王丽,华东\n"
        )
        pipeline = (
            PIPELINE_HEADER.replace(",", ";")
            + "CN000001;张伟;GTX Basic;华东贸易;Engaging;2017-03-01;;\n"
        ).encode("gb18030")
        (self.folder / pipeline_csv.PIPELINE_FILE).write_bytes(pipeline)
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_created, 1)
        lead = self._imported_leads([("import_ref", "=", "CN000001")])
        self.assertEqual(lead.partner_id.name, "华东贸易")
        self.assertEqual(lead.user_id.name, "张伟")
        self.assertEqual(lead.user_id.login, pipeline_csv.login_from_name("张伟"))
        self.assertTrue(lead.user_id.login.startswith("agent."))
        self.assertEqual(lead.team_id.name, "华东 - 王丽")

    def test_empty_file_message(self):
        """An empty pipeline file raises a message naming the file."""
        self._write_folder(self.folder, "", pipeline="")
        with self.assertRaisesRegex(UserError, "sales_pipeline.csv is empty"):
            import_pipeline_folder(self.env(user=self.admin), self.folder)

    def test_header_only_file_message(self):
        """A pipeline file with a header row and no data rows gets its own message."""
        self._write_folder(self.folder, "")
        with self.assertRaisesRegex(UserError, "sales_pipeline.csv has a header row but no data"):
            import_pipeline_folder(self.env(user=self.admin), self.folder)

    def test_missing_file_message(self):
        """A folder without the accounts file raises a message naming it."""
        self._write_folder(
            self.folder,
            "OK000001,Anna Snelling,GTX Basic,Betatech,Prospecting,,,\n",
            accounts=False,
        )
        with self.assertRaisesRegex(UserError, "accounts.csv is missing"):
            import_pipeline_folder(self.env(user=self.admin), self.folder)

    def test_missing_column_message(self):
        """A pipeline file without the deal_stage column raises a message naming the column."""
        self._write_folder(
            self.folder, "", pipeline="opportunity_id,sales_agent\nX1,Anna Snelling\n"
        )
        with self.assertRaisesRegex(UserError, "header row of sales_pipeline.csv: .*stage"):
            import_pipeline_folder(self.env(user=self.admin), self.folder)

    def test_salesman_cannot_import(self):
        """A salesperson cannot open the import wizard."""
        with self.assertRaises(AccessError):
            self.env["crm.pipeline.import"].with_user(self.salesman).create({})

    def test_cli_command_folder(self):
        """The command's entry function imports a folder and returns the summary."""
        self._write_folder(
            self.folder, "CLI00001,Anna Snelling,GTX Basic,Betatech,Prospecting,,,\n"
        )
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_created, 1)
        self.assertIn("Opportunities created: 1", wizard.summary)
        lead = self._imported_leads([("import_ref", "=", "CLI00001")])
        self.assertEqual(lead.stage_id, self.stage_screening)
        self.assertEqual(lead.user_id.login, "anna.snelling")

    def _wizard_with_files(self, **overrides):
        """Return a wizard of the admin holding the folder's four files, then ``overrides``."""
        vals = {}
        for name, field in (
            (pipeline_csv.PIPELINE_FILE, "pipeline"),
            (pipeline_csv.ACCOUNTS_FILE, "accounts"),
            (pipeline_csv.PRODUCTS_FILE, "products"),
            (pipeline_csv.TEAMS_FILE, "teams"),
        ):
            vals[f"{field}_file"] = base64.b64encode((self.folder / name).read_bytes())
            vals[f"{field}_filename"] = name
        vals.update(overrides)
        return self.env["crm.pipeline.import"].with_user(self.admin).create(vals)

    def _import_then_change_row(self):
        """Import DEAL0001 as an engaging deal, then change its row in the folder."""
        self._write_folder(
            self.folder, "DEAL0001,Anna Snelling,GTX Basic,Betatech,Engaging,2017-03-01,,5000\n"
        )
        import_pipeline_folder(self.env(user=self.admin), self.folder)
        self._write_folder(
            self.folder, "DEAL0001,Anna Snelling,GTX Pro,Betatech,Engaging,2017-03-01,,6000\n"
        )
        return self._imported_leads([("import_ref", "=", "DEAL0001")])

    def test_reimport_keeps_odoo_revenue(self):
        """A re-import skips a deal whose expected revenue was changed in Odoo, and reports it."""
        lead = self._import_then_change_row()
        lead.with_user(self.admin).write({"expected_revenue": 7777})
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_updated, 0)
        self.assertEqual(wizard.count_skipped, 1)
        self.assertIn(
            "Line 2 (DEAL0001): changed in Odoo since the last import; not overwritten",
            wizard.summary,
        )
        lead.invalidate_recordset()
        self.assertEqual(lead.expected_revenue, 7777)
        self.assertTrue(lead.name.startswith("GTX Basic"))

    def test_reimport_keeps_odoo_stage(self):
        """A re-import skips a deal moved to another stage in Odoo, keeping that stage."""
        lead = self._import_then_change_row()
        lead.with_user(self.admin).with_context(sales_closed_loop_import=True).write(
            {"stage_id": self.stage_matching.id}
        )
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_updated, 0)
        self.assertIn("changed in Odoo since the last import", wizard.summary)
        lead.invalidate_recordset()
        self.assertEqual(lead.stage_id, self.stage_matching)
        self.assertEqual(lead.expected_revenue, 5000)

    def test_reimport_keeps_odoo_lost(self):
        """A re-import skips a deal marked lost in Odoo, which stays archived."""
        lead = self._import_then_change_row()
        lead.with_user(self.admin).action_set_lost()
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_updated, 0)
        self.assertIn("changed in Odoo since the last import", wizard.summary)
        lead.invalidate_recordset()
        self.assertFalse(lead.active)

    def test_reimport_updates_untouched(self):
        """A re-import updates a deal left alone in Odoo, and updates it again next time."""
        lead = self._import_then_change_row()
        lead.with_user(self.admin).write({"description": "Call back in May"})
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_updated, 1)
        self.assertEqual(wizard.count_skipped, 0)
        self.assertNotIn("changed in Odoo", wizard.summary)
        lead.invalidate_recordset()
        self.assertEqual(lead.expected_revenue, 6000)
        self.assertTrue(lead.name.startswith("GTX Pro"))

        self._write_folder(
            self.folder, "DEAL0001,Anna Snelling,GTX Pro,Betatech,Engaging,2017-03-01,,6500\n"
        )
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_updated, 1)
        lead.invalidate_recordset()
        self.assertEqual(lead.expected_revenue, 6500)

    def test_reimport_without_values_digest(self):
        """A deal imported without the values digest is not overwritten, and gets the digest."""
        lead = self._import_then_change_row()
        self.env.cr.execute(
            "UPDATE crm_lead SET import_values_checksum = NULL WHERE id = %s", [lead.id]
        )
        lead.invalidate_recordset()
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_updated, 0)
        self.assertIn("changes made in Odoo cannot be detected; not overwritten", wizard.summary)
        lead.invalidate_recordset()
        self.assertEqual(lead.expected_revenue, 5000)

        self._write_folder(
            self.folder, "DEAL0001,Anna Snelling,GTX Basic,Betatech,Engaging,2017-03-01,,5000\n"
        )
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_unchanged, 1)
        lead.invalidate_recordset()
        self.assertTrue(lead.sudo().import_values_checksum)

    def test_unknown_agent_skipped(self):
        """A row whose agent is in no file and no user is skipped, and no user is created."""
        self._write_folder(
            self.folder,
            "OK000001,Anna Snelling,GTX Basic,Betatech,Engaging,2017-03-01,,\n"
            "BAD00002,Ana Snelling,GTX Basic,Gammacorp,Engaging,2017-03-01,,\n",
        )
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_created, 1)
        self.assertIn(
            'Line 3 (BAD00002): unknown sales agent "Ana Snelling", neither in sales_teams.csv',
            wizard.summary,
        )
        Users = self.env["res.users"].with_context(active_test=False)
        self.assertFalse(Users.search([("name", "=", "Ana Snelling")]))
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Gammacorp")]))
        self.assertFalse(self._imported_leads([("import_ref", "=", "BAD00002")]))

    def test_agent_existing_user_used(self):
        """A row whose agent is only the name of an existing user goes to that user."""
        user = new_test_user(
            self.env,
            login="cl_import_existing",
            name="Zoe Existing",
            groups="sales_team.group_sale_salesman",
        )
        self._write_folder(
            self.folder, "USER0001,Zoe Existing,GTX Basic,Betatech,Engaging,2017-03-01,,\n"
        )
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_created, 1)
        lead = self._imported_leads([("import_ref", "=", "USER0001")])
        self.assertEqual(lead.user_id, user)
        self.assertEqual(self.env["res.users"].search_count([("name", "=", "Zoe Existing")]), 1)

    def test_unknown_product_skipped(self):
        """A row whose product is not in the products file is skipped instead of worth 0."""
        self._write_folder(
            self.folder,
            "OK000001,Anna Snelling,GTXPro,Betatech,Engaging,2017-03-01,,\n"
            "BAD00002,Anna Snelling,GTX Plus,Betatech,Engaging,2017-03-01,,\n"
            "BAD00003,Anna Snelling,,Betatech,Engaging,2017-03-01,,\n",
        )
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_created, 1)
        self.assertIn(
            'Line 3 (BAD00002): unknown product "GTX Plus", not in products.csv', wizard.summary
        )
        self.assertIn("Line 4 (BAD00003): the product column is empty", wizard.summary)
        self.assertEqual(set(self._imported_leads().mapped("import_ref")), {"OK000001"})

    def test_created_users_listed(self):
        """The summary names the users the import created, who have no password."""
        self._write_folder(
            self.folder, "OK000001,Anna Snelling,GTX Basic,Betatech,Engaging,2017-03-01,,\n"
        )
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertIn(
            "Users created, without a password (invite them from Settings > Users): "
            "Anna Snelling, Bob Kessler, Dustin Brinkmann",
            wizard.summary,
        )
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertNotIn("Users created, without a password", wizard.summary)

    def test_truncated_row_malformed(self):
        """A row cut short is reported as malformed with its line, not as an unknown stage."""
        self._write_folder(
            self.folder,
            "OK000001,Anna Snelling,GTX Basic,Betatech,Engaging,2017-03-01,,\n"
            "BAD00002,Anna Snelling,GTX Basic,Betatech\n",
        )
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_created, 1)
        self.assertIn(
            "Line 3 (BAD00002): malformed row: 4 cells where the header has 8", wizard.summary
        )
        self.assertNotIn("unknown deal stage", wizard.summary)

    def test_unclosed_quote_malformed(self):
        """A quote left open is reported as malformed on its first line, with the lines it took."""
        self._write_folder(
            self.folder,
            "OK000001,Anna Snelling,GTX Basic,Betatech,Engaging,2017-03-01,,\n"
            'BAD00002,Anna Snelling,"GTX Basic,Betatech,Engaging,2017-03-01,,\n'
            "OK000003,Anna Snelling,GTX Basic,Betatech,Engaging,2017-03-01,,\n",
        )
        wizard = import_pipeline_folder(self.env(user=self.admin), self.folder)
        self.assertEqual(wizard.count_created, 1)
        self.assertIn(
            "Line 3 (BAD00002): malformed row: a quote opened on this line is not closed, so the "
            "lines up to line 4 were read as one cell",
            wizard.summary,
        )
        self.assertNotIn("unknown deal stage", wizard.summary)

    def test_wizard_empty_upload(self):
        """A 0-byte upload, which the web client stores as False with its name, is empty."""
        self._write_folder(
            self.folder, "OK000001,Anna Snelling,GTX Basic,Betatech,Engaging,2017-03-01,,\n"
        )
        wizard = self._wizard_with_files(accounts_file=False)
        with self.assertRaisesRegex(UserError, "accounts.csv is empty"):
            wizard.action_import()

    def test_wizard_missing_upload(self):
        """A file never uploaded in the wizard is missing."""
        self._write_folder(
            self.folder, "OK000001,Anna Snelling,GTX Basic,Betatech,Engaging,2017-03-01,,\n"
        )
        wizard = self._wizard_with_files(accounts_file=False, accounts_filename=False)
        with self.assertRaisesRegex(UserError, "accounts.csv is missing"):
            wizard.action_import()

    def test_cli_empty_file_message(self):
        """A 0-byte file in the command's folder gives the same message as the wizard."""
        self._write_folder(
            self.folder,
            "OK000001,Anna Snelling,GTX Basic,Betatech,Engaging,2017-03-01,,\n",
            accounts="",
        )
        with self.assertRaisesRegex(UserError, "accounts.csv is empty"):
            import_pipeline_folder(self.env(user=self.admin), self.folder)
