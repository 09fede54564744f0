import base64
import datetime
import logging
import time

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .. import pipeline_csv

_logger = logging.getLogger(__name__)

# Opportunities are created 1,000 per create call. Batching keeps the number of
# SQL queries low, and the batch size bounds how many records the cache keeps
# while their computed fields are recomputed.
LEAD_BATCH_SIZE = 1000

# File dates carry no time. Noon UTC shows the same calendar day in every
# time zone from UTC-11 to UTC+11, where midnight would show the day before in
# the Americas.
DATE_TIME = datetime.time(12, 0)

# Sectors of the export mapped to Odoo's standard industries (the NACE
# sections shipped by the base module). A sector missing here is matched by
# name against the existing industries, and created when none matches.
SECTOR_INDUSTRY_XMLIDS = {
    "employment": "base.res_partner_industry_N",
    "entertainment": "base.res_partner_industry_R",
    "finance": "base.res_partner_industry_K",
    "marketing": "base.res_partner_industry_M",
    "medical": "base.res_partner_industry_Q",
    "retail": "base.res_partner_industry_G",
    "services": "base.res_partner_industry_S",
    "software": "base.res_partner_industry_J",
    "telecommunications": "base.res_partner_industry_J",
}

# Fields of an imported opportunity that a salesperson changes in Odoo: stage,
# salesperson, expected revenue, expected closing, won/lost state (the stage's
# won flag and ``active``) and customer. The import stores a digest of their
# values after each write, and a re-import leaves an opportunity alone when
# they no longer match it. None of them is recomputed by crm once set, unlike
# ``write_date`` or ``probability``.
WATCHED_FIELDS = (
    "stage_id",
    "user_id",
    "expected_revenue",
    "date_deadline",
    "active",
    "partner_id",
)

# Context of every write of the import. It sets the gate bypass of the
# closed-loop stages, which only the superuser and Settings administrators get,
# and turns off the chatter message and followers of each imported record.
IMPORT_CONTEXT = {
    "sales_closed_loop_import": True,
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "no_reset_password": True,
}


class CrmPipelineImport(models.TransientModel):
    """Import of a pipeline history export shaped like the Maven CRM files.

    Accounts become companies, agents and managers become users, each manager
    leads one sales team, and each pipeline row becomes an opportunity in the
    mapped stage with its stage history. The import is an administrator's
    migration of history: it bypasses the stage gate through the
    ``sales_closed_loop_import`` context key, and every later move is gated.
    """

    _name = "crm.pipeline.import"
    _description = "Pipeline History Import"

    pipeline_file = fields.Binary(
        string="Pipeline File",
        attachment=False,
        help="sales_pipeline.csv: one row per opportunity, with the columns opportunity_id, "
        "sales_agent, product, account, deal_stage, engage_date, close_date and close_value.",
    )
    pipeline_filename = fields.Char(string="Pipeline File Name")
    accounts_file = fields.Binary(
        string="Accounts File",
        attachment=False,
        help="accounts.csv: one row per customer company, with the columns account and sector "
        "(office_location is read when present).",
    )
    accounts_filename = fields.Char(string="Accounts File Name")
    products_file = fields.Binary(
        string="Products File",
        attachment=False,
        help="products.csv: one row per product, with the columns product and sales_price.",
    )
    products_filename = fields.Char(string="Products File Name")
    teams_file = fields.Binary(
        string="Sales Teams File",
        attachment=False,
        help="sales_teams.csv: one row per sales agent, with the columns sales_agent, manager "
        "and regional_office.",
    )
    teams_filename = fields.Char(string="Sales Teams File Name")

    stage_prospecting_id = fields.Many2one(
        "crm.stage",
        string="Prospecting Stage",
        required=True,
        default=lambda self: self._default_stage("sales_closed_loop.stage_lead_screening"),
        help="Stage of the opportunities whose deal stage in the file is Prospecting.",
    )
    stage_engaging_id = fields.Many2one(
        "crm.stage",
        string="Engaging Stage",
        required=True,
        default=lambda self: self._default_stage("sales_closed_loop.stage_needs_diagnosis"),
        help="Stage of the opportunities whose deal stage in the file is Engaging, and the stage "
        "won deals went through between their engage date and their close date.",
    )
    stage_won_id = fields.Many2one(
        "crm.stage",
        string="Won Stage",
        required=True,
        domain=[("is_won", "=", True)],
        default=lambda self: self._default_stage("crm.stage_lead4"),
        help="Stage of the won deals. It must be a won stage.",
    )
    stage_lost_id = fields.Many2one(
        "crm.stage",
        string="Lost Stage",
        required=True,
        domain=[("is_won", "=", False)],
        default=lambda self: self._default_stage("sales_closed_loop.stage_needs_diagnosis"),
        help="Stage the lost deals stay in once archived as lost.",
    )

    state = fields.Selection(
        [("draft", "Upload"), ("done", "Done")], string="Status", default="draft", required=True
    )
    count_read = fields.Integer(string="Rows Read", readonly=True)
    count_created = fields.Integer(string="Opportunities Created", readonly=True)
    count_updated = fields.Integer(string="Opportunities Updated", readonly=True)
    count_unchanged = fields.Integer(string="Opportunities Unchanged", readonly=True)
    count_skipped = fields.Integer(string="Rows Skipped", readonly=True)
    summary = fields.Text(string="Summary", readonly=True)

    @api.model
    def _default_stage(self, xmlid):
        return self.env.ref(xmlid, raise_if_not_found=False)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_import(self):
        """Import the four uploaded files and show the summary."""
        self.ensure_one()
        # The web client stores a 0-byte upload as False, like no upload at
        # all, but it keeps the file name: a name without content is empty.
        files = {
            pipeline_csv.PIPELINE_FILE: (self.pipeline_file, self.pipeline_filename),
            pipeline_csv.ACCOUNTS_FILE: (self.accounts_file, self.accounts_filename),
            pipeline_csv.PRODUCTS_FILE: (self.products_file, self.products_filename),
            pipeline_csv.TEAMS_FILE: (self.teams_file, self.teams_filename),
        }
        contents = {}
        for name, (content, filename) in files.items():
            if content:
                contents[name] = base64.b64decode(content)
            else:
                contents[name] = b"" if filename else None
        self._import_files(contents)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Pipeline Import Summary"),
        }

    # ------------------------------------------------------------
    # IMPORT
    # ------------------------------------------------------------

    def _import_files(self, files):
        """Import the files given as ``{file name: bytes or None}``.

        Shared by the wizard and the ``import_pipeline`` command. Writes the
        counts and the summary on the wizard and returns the summary dict.
        """
        self.ensure_one()
        self._check_import_rights()
        self._check_stage_mapping()
        started = time.monotonic()
        _logger.info("Pipeline import: start")

        # 1. Parse every file before writing anything, so that a bad file
        #    leaves the database untouched.
        parsed = self._parse_files(files)
        summary = {
            "read": parsed["read"],
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "skips": list(parsed["skips"]),
            "without_account": 0,
            "priced_from_list": 0,
            "without_price": 0,
            "industries_created": 0,
            "companies_created": 0,
            "users_created": [],
            "teams_created": 0,
        }

        # 2. Reference records: industries, companies, users, teams. The
        #    rights were checked above. Superuser mode spares an administrator
        #    who lacks a sales or contacts group a failure halfway through.
        env = self.env(context=dict(self.env.context, **IMPORT_CONTEXT), su=True)
        wizard = self.with_env(env)
        wizard._check_agents(parsed, summary)
        industries = wizard._import_industries(parsed["accounts"], summary)
        partners = wizard._import_companies(parsed, industries, summary)
        users = wizard._import_users(parsed, summary)
        teams_by_agent = wizard._import_teams(parsed["teams"], users, summary)

        # 3. Opportunities and their stage history.
        wizard._import_opportunities(parsed, partners, users, teams_by_agent, summary)

        summary["seconds"] = time.monotonic() - started
        self.write(
            {
                "state": "done",
                "count_read": summary["read"],
                "count_created": summary["created"],
                "count_updated": summary["updated"],
                "count_unchanged": summary["unchanged"],
                "count_skipped": len(summary["skips"]),
                "summary": self._format_summary(summary),
            }
        )
        _logger.info(
            "Pipeline import: done in %.1f s, %s rows read, %s created, %s updated, %s unchanged, "
            "%s skipped",
            summary["seconds"],
            summary["read"],
            summary["created"],
            summary["updated"],
            summary["unchanged"],
            len(summary["skips"]),
        )
        return summary

    def _check_import_rights(self):
        """Raise unless the user may bypass the stage gate.

        The gate lets imported moves through only for the superuser and
        Settings administrators, so an import by anyone else would fail on
        its first opportunity.
        """
        if not (self.env.su or self.env.user.has_group("base.group_system")):
            raise AccessError(
                self.env._(
                    "Only a Settings administrator can import a pipeline history, because it "
                    "moves opportunities without the stage checks."
                )
            )

    def _check_stage_mapping(self):
        if not self.stage_won_id.is_won:
            raise UserError(
                self.env._(
                    "The stage %(stage)s is not a won stage. "
                    "Map won deals to a stage marked as won.",
                    stage=self.stage_won_id.display_name,
                )
            )
        open_stages = self.stage_prospecting_id | self.stage_engaging_id | self.stage_lost_id
        won_stages = open_stages.filtered("is_won")
        if won_stages:
            raise UserError(
                self.env._(
                    "The stage %(stage)s is a won stage. Map prospecting, engaging and lost deals "
                    "to stages that are not won.",
                    stage=won_stages[0].display_name,
                )
            )

    def _parse_files(self, files):
        """Return the parsed files, or raise a ``UserError`` naming the bad file."""
        try:
            rows = {
                name: pipeline_csv.read_rows(files.get(name), name)
                for name in pipeline_csv.FILE_NAMES
            }
        except pipeline_csv.PipelineFileError as error:
            raise UserError(self._file_error_message(error)) from error

        products = pipeline_csv.parse_products(rows[pipeline_csv.PRODUCTS_FILE])
        opportunities, skips = pipeline_csv.parse_pipeline(
            rows[pipeline_csv.PIPELINE_FILE], products
        )
        return {
            "read": len(rows[pipeline_csv.PIPELINE_FILE]),
            "products": products,
            "accounts": pipeline_csv.parse_accounts(rows[pipeline_csv.ACCOUNTS_FILE]),
            "teams": pipeline_csv.parse_teams(rows[pipeline_csv.TEAMS_FILE]),
            "opportunities": opportunities,
            "skips": skips,
        }

    def _file_error_message(self, error):
        name = error.filename
        if error.code == "missing":
            return self.env._(
                "The file %(file)s is missing. Add it to the import and run the import again.",
                file=name,
            )
        if error.code == "empty":
            return self.env._(
                "The file %(file)s is empty. Export it again with its header row and at least one "
                "data row.",
                file=name,
            )
        if error.code == "no_rows":
            return self.env._(
                "The file %(file)s has a header row but no data rows. Export it again with its "
                "records, not only the column names.",
                file=name,
            )
        if error.code == "encoding":
            return self.env._(
                'The file %(file)s is neither UTF-8 nor GB18030 text. Save it as "CSV UTF-8" and '
                "import it again.",
                file=name,
            )
        if error.code == "missing_columns":
            return self.env._(
                "Columns missing from the header row of %(file)s: %(columns)s. Add each "
                "missing column to the header row and import the file again.",
                file=name,
                columns=error.detail,
            )
        return self.env._(
            "The file %(file)s is not a valid CSV file (%(detail)s). Check its quotes and "
            "delimiters, then import it again.",
            file=name,
            detail=error.detail,
        )

    def _import_industries(self, accounts, summary):
        """Return ``{sector key: industry}``, creating the missing industries."""
        Industry = self.env["res.partner.industry"].with_context(lang="en_US")
        sectors = {account["sector"] for account in accounts.values() if account["sector"]}
        industries_by_name = {industry.name.lower(): industry for industry in Industry.search([])}

        industries = {}
        missing = []
        for sector in sorted(sectors):
            xmlid = SECTOR_INDUSTRY_XMLIDS.get(sector)
            industry = self.env.ref(xmlid, raise_if_not_found=False) if xmlid else None
            industry = industry or industries_by_name.get(sector)
            if industry:
                industries[sector] = industry
            else:
                missing.append(sector)
        if missing:
            created = Industry.create(
                [{"name": sector.title(), "full_name": sector.title()} for sector in missing]
            )
            industries.update(zip(missing, created, strict=True))
            summary["industries_created"] = len(created)
        return industries

    def _import_companies(self, parsed, industries, summary):
        """Return ``{account name: partner}``, creating the missing companies.

        Accounts are matched by name with existing companies, which are left
        as they are. Accounts named in the pipeline but absent from the
        accounts file are created without industry.
        """
        accounts = parsed["accounts"]
        names = set(accounts) | {
            opportunity.account for opportunity in parsed["opportunities"] if opportunity.account
        }
        if not names:
            return {}
        Partner = self.env["res.partner"]
        partners = {}
        for partner in Partner.search(
            [("is_company", "=", True), ("name", "in", list(names))], order="id desc"
        ):
            partners[partner.name] = partner

        countries = {}
        for country in self.env["res.country"].with_context(lang="en_US").search([]):
            countries[country.name.lower()] = country
            countries[country.code.lower()] = country

        missing = sorted(names - set(partners))
        vals_list = []
        for name in missing:
            account = accounts.get(name, {})
            country_name = (account.get("country") or "").lower()
            country = countries.get(
                pipeline_csv.COUNTRY_ALIASES.get(country_name, country_name).lower()
            )
            industry = industries.get(account.get("sector"))
            vals_list.append(
                {
                    "name": name,
                    "is_company": True,
                    "industry_id": industry.id if industry else False,
                    "country_id": country.id if country else False,
                }
            )
        if vals_list:
            partners.update(zip(missing, Partner.create(vals_list), strict=True))
            summary["companies_created"] = len(vals_list)
        return partners

    def _check_agents(self, parsed, summary):
        """Skip the pipeline rows whose agent is neither in the teams file nor a user.

        An agent is known when the teams file names it as an agent or a
        manager. Any other agent is looked up among the active internal users
        by exact name, and used when exactly one user has that name. The users
        found are stored in ``parsed["agent_users"]``. No user is created for
        such an agent, so a typo cannot add a salesperson.
        """
        teams = parsed["teams"]
        known_agents = set(teams) | {manager for manager, _office in teams.values()}
        outside = {
            opportunity.agent
            for opportunity in parsed["opportunities"]
            if opportunity.agent and opportunity.agent not in known_agents
        }
        users_by_name = {}
        if outside:
            for user in self.env["res.users"].search(
                [("name", "in", sorted(outside)), ("share", "=", False)]
            ):
                users_by_name.setdefault(user.name, self.env["res.users"])
                users_by_name[user.name] |= user

        accepted = []
        for opportunity in parsed["opportunities"]:
            if not opportunity.agent or opportunity.agent in known_agents:
                accepted.append(opportunity)
                continue
            matches = users_by_name.get(opportunity.agent)
            if matches and len(matches) == 1:
                accepted.append(opportunity)
                continue
            summary["skips"].append(
                pipeline_csv.RowSkip(
                    opportunity.line,
                    opportunity.ref,
                    "ambiguous_agent" if matches else "unknown_agent",
                    {"value": opportunity.agent, "count": len(matches or ())},
                )
            )
        parsed["opportunities"] = accepted
        parsed["agent_users"] = {
            name: users for name, users in users_by_name.items() if len(users) == 1
        }

    def _import_users(self, parsed, summary):
        """Return ``{person name: user}`` for every agent and manager.

        Agents and managers of the teams file are matched with users on a
        login derived from the name, so a second import finds them again.
        New agents get the salesman group (own documents), new managers the
        all-leads group (their team's documents), and neither gets a
        password. The names of the created users go to the summary. Pipeline
        agents outside the teams file map to the users ``_check_agents``
        found.
        """
        agents = set(parsed["teams"])
        managers = {manager for manager, _office in parsed["teams"].values() if manager}
        names = sorted(agents | managers)
        agent_users = parsed.get("agent_users", {})
        if not names:
            return dict(agent_users)
        logins = {name: pipeline_csv.login_from_name(name) for name in names}
        Users = self.env["res.users"].with_context(active_test=False)
        users_by_login = {
            user.login: user for user in Users.search([("login", "in", list(logins.values()))])
        }

        salesman = self.env.ref("sales_team.group_sale_salesman")
        all_leads = self.env.ref("sales_team.group_sale_salesman_all_leads")
        vals_list = []
        new_logins = set()
        for name in names:
            login = logins[name]
            if login in users_by_login or login in new_logins:
                continue
            group = all_leads if name in managers else salesman
            vals_list.append({"name": name, "login": login, "groups_id": [(4, group.id)]})
            new_logins.add(login)
        if vals_list:
            for user in Users.create(vals_list):
                users_by_login[user.login] = user
            summary["users_created"] = [vals["name"] for vals in vals_list]
        users = dict(agent_users)
        users.update((name, users_by_login[logins[name]]) for name in names)
        return users

    def _import_teams(self, teams, users, summary):
        """Return ``{agent name: team}``, with one sales team per manager.

        A team is named "<regional office> - <manager>" and led by the
        manager. Its members are the manager's agents. Teams are matched by
        name, and a second import adds only the members they lack.
        """
        team_names = {}
        members = {}
        for agent, (manager, office) in teams.items():
            if not manager:
                continue
            team_names.setdefault(manager, f"{office} - {manager}" if office else manager)
            members.setdefault(manager, []).append(users[agent].id)
        if not team_names:
            return {}

        Team = self.env["crm.team"].with_context(active_test=False)
        existing = {
            team.name: team for team in Team.search([("name", "in", list(team_names.values()))])
        }
        teams_by_manager = {}
        vals_list = []
        new_managers = []
        for manager, name in team_names.items():
            team = existing.get(name)
            if team:
                missing_ids = set(members[manager]) - set(team.member_ids.ids)
                if missing_ids:
                    team.member_ids = [(4, user_id) for user_id in sorted(missing_ids)]
                teams_by_manager[manager] = team
                continue
            vals_list.append(
                {
                    "name": name,
                    "user_id": users[manager].id,
                    "use_opportunities": True,
                    "member_ids": [(6, 0, members[manager])],
                }
            )
            new_managers.append(manager)
        if vals_list:
            teams_by_manager.update(zip(new_managers, Team.create(vals_list), strict=True))
            summary["teams_created"] = len(vals_list)
        return {
            agent: teams_by_manager[manager]
            for agent, (manager, _office) in teams.items()
            if manager
        }

    def _import_opportunities(self, parsed, partners, users, teams_by_agent, summary):
        """Create or update one opportunity per valid pipeline row.

        An opportunity is found again by its ``import_ref``. It is rewritten
        only when its file row or the stage mapping changed since the last
        import, so importing the same files twice changes nothing. It is not
        rewritten, and its row is skipped, when one of ``WATCHED_FIELDS`` was
        changed in Odoo since the import wrote it.
        """
        Lead = self.env["crm.lead"].with_context(active_test=False)
        opportunities = parsed["opportunities"]
        existing = {
            row["import_ref"]: row
            for row in Lead.search_read(
                [("import_ref", "in", [opportunity.ref for opportunity in opportunities])],
                ["import_ref", "import_checksum", "import_values_checksum", *WATCHED_FIELDS],
                load=None,
            )
        }
        cycle_days = pipeline_csv.median_sales_cycle_days(opportunities)
        mapping = (
            self.stage_prospecting_id,
            self.stage_engaging_id,
            self.stage_won_id,
            self.stage_lost_id,
        )

        to_create = []
        to_update = []
        to_record = []
        for opportunity in opportunities:
            vals = self._prepare_lead_values(
                opportunity,
                parsed["products"],
                partners,
                users,
                teams_by_agent,
                cycle_days,
                summary,
            )
            # The mapping is part of the digest because the stage history of a
            # won deal uses the engaging stage too.
            vals["import_checksum"] = pipeline_csv.checksum(
                sorted(vals.items()), [stage.id for stage in mapping]
            )
            if not opportunity.account:
                summary["without_account"] += 1
            current = existing.get(opportunity.ref)
            if not current:
                to_create.append((opportunity, vals))
            elif current["import_checksum"] == vals["import_checksum"]:
                summary["unchanged"] += 1
                # An opportunity imported before the values digest existed
                # gets it now, from the values it has.
                if not current["import_values_checksum"]:
                    to_record.append(current["id"])
            elif not current["import_values_checksum"]:
                summary["skips"].append(
                    pipeline_csv.RowSkip(opportunity.line, opportunity.ref, "values_unknown", {})
                )
            elif current["import_values_checksum"] != self._values_checksum(current):
                summary["skips"].append(
                    pipeline_csv.RowSkip(opportunity.line, opportunity.ref, "changed_in_odoo", {})
                )
            else:
                to_update.append((Lead.browse(current["id"]), opportunity, vals))

        import_date = fields.Datetime.now()
        for start in range(0, len(to_create), LEAD_BATCH_SIZE):
            batch = to_create[start : start + LEAD_BATCH_SIZE]
            leads = Lead.create([{**vals, "import_date": import_date} for _opp, vals in batch])
            pairs = list(zip(leads, (opportunity for opportunity, _vals in batch), strict=True))
            # crm's lost semantics archive the lead and set probability 0.
            Lead.browse(
                [lead.id for lead, opportunity in pairs if opportunity.stage == "Lost"]
            ).action_set_lost()
            self._write_import_dates(pairs)
            self._create_stage_history(pairs)
            self._store_values_checksum(leads)
            summary["created"] += len(leads)

        if to_update:
            self._update_opportunities(to_update)
            summary["updated"] = len(to_update)
        if to_record:
            self._store_values_checksum(Lead.browse(to_record))

    @api.model
    def _values_checksum(self, values):
        """Return the digest of ``WATCHED_FIELDS`` in ``values``, read with ``load=None``."""
        parts = []
        for name in WATCHED_FIELDS:
            value = values[name]
            if isinstance(value, float):
                value = round(value, 2)
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            parts.append(value or None)
        return pipeline_csv.checksum(*parts)

    def _store_values_checksum(self, leads):
        """Store on ``leads`` the digest of the values they have now.

        SQL is used so that storing the digest neither runs crm's ``write``
        nor counts as a change made in Odoo.
        """
        leads.flush_recordset()
        rows = [
            SQL("(%s, %s)", values["id"], self._values_checksum(values))
            for values in leads.read(list(WATCHED_FIELDS), load=None)
        ]
        if not rows:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_lead AS lead
                   SET import_values_checksum = digests.digest
                  FROM (VALUES %s) AS digests(id, digest)
                 WHERE lead.id = digests.id
                """,
                SQL(", ").join(rows),
            )
        )
        leads.invalidate_recordset(["import_values_checksum"])

    def _prepare_lead_values(
        self, opportunity, products, partners, users, teams_by_agent, cycle_days, summary
    ):
        """Return the create values of the opportunity of a pipeline row.

        Expected revenue is the close value of won deals. Open and lost deals
        without a value get the product's list price, the amount at stake.
        Open deals that were engaged get an expected closing date estimated as
        engage date + the median sales cycle of the file's won deals.
        """
        price = products.get(pipeline_csv.product_key(opportunity.product), (None, None))[1]
        if opportunity.stage == "Won" or opportunity.close_value:
            revenue = opportunity.close_value
        elif price is not None:
            revenue = price
            if opportunity.stage != "Lost":
                summary["priced_from_list"] += 1
        else:
            revenue = 0.0
            summary["without_price"] += 1

        engage = self._to_datetime(opportunity.engage_date)
        close = self._to_datetime(opportunity.close_date)
        if opportunity.close_date:
            deadline = opportunity.close_date
        elif opportunity.engage_date and cycle_days is not None:
            deadline = opportunity.engage_date + datetime.timedelta(days=cycle_days)
        else:
            deadline = False

        user = users.get(opportunity.agent)
        team = teams_by_agent.get(opportunity.agent)
        name = (
            f"{opportunity.product} - {opportunity.account}"
            if opportunity.account
            else opportunity.product
        )
        vals = {
            "name": name or opportunity.ref,
            "type": "opportunity",
            "import_ref": opportunity.ref,
            "partner_id": partners[opportunity.account].id if opportunity.account else False,
            "user_id": user.id if user else False,
            "stage_id": self._stage_of(opportunity).id,
            "expected_revenue": revenue,
            "date_deadline": deadline,
            "date_conversion": engage or close or False,
            "date_closed": close or False,
        }
        # A prospecting row has no date in the file, so crm dates its
        # assignment and last stage change at the import, the only time known.
        if engage:
            vals["date_open"] = engage
        if close or engage:
            vals["date_last_stage_update"] = close or engage
        if team:
            vals["team_id"] = team.id
        if opportunity.stage == "Won":
            vals["probability"] = 100
        elif opportunity.stage == "Lost":
            vals["probability"] = 0
        return vals

    def _stage_of(self, opportunity):
        return {
            "Prospecting": self.stage_prospecting_id,
            "Engaging": self.stage_engaging_id,
            "Won": self.stage_won_id,
            "Lost": self.stage_lost_id,
        }[opportunity.stage]

    @api.model
    def _to_datetime(self, date):
        return datetime.datetime.combine(date, DATE_TIME) if date else None

    def _update_opportunities(self, to_update):
        """Rewrite opportunities whose file row changed, and their imported history.

        Rows whose data changed are rare on a re-import, so this writes one
        opportunity at a time. Stage history rows of moves made in Odoo after
        the import are kept, and the one still open is closed now.
        """
        for lead, opportunity, vals in to_update:
            vals = dict(vals)
            vals.pop("type")
            if opportunity.stage == "Lost":
                vals.pop("probability")
                lead.write(vals)
                lead.action_set_lost()
            else:
                if not lead.active:
                    lead.action_unarchive()
                lead.write(vals)

        leads = self.env["crm.lead"].browse([lead.id for lead, _opportunity, _vals in to_update])
        History = self.env["crm.lead.stage.history"]
        History.search([("lead_id", "in", leads.ids), ("is_imported", "=", True)]).unlink()
        # The file moved the lead, so the stay that began with a move in Odoo
        # ends now.
        History.search(
            [("lead_id", "in", leads.ids), ("is_imported", "=", False), ("date_out", "=", False)]
        ).write({"date_out": self.env.cr.now()})
        pairs = [(lead, opportunity) for lead, opportunity, _vals in to_update]
        self._write_import_dates(pairs)
        self._create_stage_history(pairs)
        self._store_values_checksum(leads)

    def _write_import_dates(self, pairs):
        """Set the creation, assignment, stage change and close dates to the file's dates.

        ``create_date`` becomes the engage date (or the close date when there
        is none), so crm's "days to close" and creation-date reports measure
        the real sales cycle. The other dates are written again because crm's
        ``write`` sets them to the current time when a lead is marked lost,
        changes salesperson or changes stage. SQL is used because the ORM
        never lets a create or write set ``create_date``. A date the file does
        not give keeps its current value.
        """
        rows = [
            SQL(
                "(%s, %s::timestamp, %s::timestamp, %s::timestamp, %s::timestamp)",
                lead.id,
                self._to_datetime(opportunity.engage_date or opportunity.close_date),
                self._to_datetime(opportunity.engage_date),
                self._to_datetime(opportunity.close_date or opportunity.engage_date),
                self._to_datetime(opportunity.close_date),
            )
            for lead, opportunity in pairs
        ]
        if not rows:
            return
        Lead = self.env["crm.lead"]
        Lead.flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_lead AS lead
                   SET create_date = COALESCE(dates.created, lead.create_date),
                       date_open = COALESCE(dates.opened, lead.date_open),
                       date_last_stage_update = COALESCE(dates.staged, lead.date_last_stage_update),
                       date_closed = dates.closed
                  FROM (VALUES %s) AS dates(id, created, opened, staged, closed)
                 WHERE lead.id = dates.id
                """,
                SQL(", ").join(rows),
            )
        )
        date_fields = ["create_date", "date_open", "date_last_stage_update", "date_closed"]
        Lead.invalidate_model(date_fields)
        leads = Lead.browse([lead.id for lead, _opportunity in pairs])
        leads.modified(date_fields)
        leads.flush_recordset()

    def _create_stage_history(self, pairs):
        """Write the imported stage history of each opportunity.

        Prospecting and engaging deals have one open row in their stage. A won
        deal has a row in the engaging stage from its engage date to its close
        date, then an open row in the won stage. A lost deal has one row in the
        lost stage closed on its close date. A prospecting deal has no date in
        the file, so its row is dated at the import.
        """
        now = self.env.cr.now()
        vals_list = []
        for lead, opportunity in pairs:
            engage = self._to_datetime(opportunity.engage_date)
            close = self._to_datetime(opportunity.close_date)
            common = {
                "lead_id": lead.id,
                "team_id": lead.team_id.id,
                "user_id": lead.user_id.id,
                "is_imported": True,
            }
            if opportunity.stage == "Won":
                if engage:
                    vals_list.append(
                        dict(
                            common,
                            stage_id=self.stage_engaging_id.id,
                            date_in=engage,
                            date_out=close,
                        )
                    )
                vals_list.append(
                    dict(common, stage_id=self.stage_won_id.id, date_in=close, date_out=False)
                )
            elif opportunity.stage == "Lost":
                vals_list.append(
                    dict(
                        common,
                        stage_id=self.stage_lost_id.id,
                        date_in=engage or close,
                        date_out=close,
                    )
                )
            else:
                stage = self._stage_of(opportunity)
                vals_list.append(
                    dict(common, stage_id=stage.id, date_in=engage or now, date_out=False)
                )
        self.env["crm.lead.stage.history"].create(vals_list)

    # ------------------------------------------------------------
    # SUMMARY
    # ------------------------------------------------------------

    def _format_summary(self, summary):
        """Return the summary as translated plain text, one fact a line."""
        _ = self.env._
        lines = [
            _("Rows read: %(count)s", count=summary["read"]),
            _("Opportunities created: %(count)s", count=summary["created"]),
            _("Opportunities updated: %(count)s", count=summary["updated"]),
            _("Opportunities unchanged: %(count)s", count=summary["unchanged"]),
            _("Rows skipped: %(count)s", count=len(summary["skips"])),
            _(
                "Opportunities without an account (imported without a customer): %(count)s",
                count=summary["without_account"],
            ),
            _(
                "Open deals without a value, given the product's list price: %(count)s",
                count=summary["priced_from_list"],
            ),
            _(
                "Deals without a value whose product has no list price (expected revenue 0): "
                "%(count)s",
                count=summary["without_price"],
            ),
            _(
                "Created: %(industries)s industries, %(companies)s companies, %(users)s users, "
                "%(teams)s sales teams",
                industries=summary["industries_created"],
                companies=summary["companies_created"],
                users=len(summary["users_created"]),
                teams=summary["teams_created"],
            ),
        ]
        if summary["users_created"]:
            lines.append(
                _(
                    "Users created, without a password (invite them from Settings > Users): "
                    "%(names)s",
                    names=", ".join(summary["users_created"]),
                )
            )
        if summary.get("seconds") is not None:
            lines.append(_("Duration: %(seconds)s seconds", seconds=round(summary["seconds"], 1)))
        if summary["skips"]:
            lines.append("")
            lines.append(_("Skipped rows of %(file)s:", file=pipeline_csv.PIPELINE_FILE))
            lines.extend(
                _(
                    "Line %(line)s (%(opportunity)s): %(reason)s",
                    line=skip.line,
                    opportunity=skip.opportunity_id or "-",
                    reason=self._skip_reason(skip),
                )
                for skip in sorted(summary["skips"], key=lambda skip: skip.line)
            )
        return "\n".join(lines)

    def _skip_reason(self, skip):
        _ = self.env._
        values = skip.values
        if skip.code == "missing_id":
            return _("the opportunity_id column is empty")
        if skip.code == "duplicate_id":
            return _(
                "the same opportunity_id already appears on line %(line)s",
                line=values["first_line"],
            )
        if skip.code == "truncated":
            return _(
                "malformed row: %(cells)s cells where the header has %(columns)s, check for a "
                "missing delimiter or a cut-off line",
                cells=values["cells"],
                columns=values["columns"],
            )
        if skip.code == "unclosed_quote":
            return _(
                "malformed row: a quote opened on this line is not closed, so the lines up to "
                "line %(last_line)s were read as one cell and are not imported",
                last_line=values["last_line"],
            )
        if skip.code == "missing_product":
            return _("the product column is empty")
        if skip.code == "unknown_product":
            return _(
                'unknown product "%(value)s", not in %(file)s',
                value=values["value"],
                file=pipeline_csv.PRODUCTS_FILE,
            )
        if skip.code == "unknown_agent":
            return _(
                'unknown sales agent "%(value)s", neither in %(file)s nor the name of a user',
                value=values["value"],
                file=pipeline_csv.TEAMS_FILE,
            )
        if skip.code == "ambiguous_agent":
            return _(
                'sales agent "%(value)s" is not in %(file)s and %(count)s users have that name',
                value=values["value"],
                file=pipeline_csv.TEAMS_FILE,
                count=values["count"],
            )
        if skip.code == "changed_in_odoo":
            return _("changed in Odoo since the last import; not overwritten")
        if skip.code == "values_unknown":
            return _(
                "imported by an earlier version that did not record the imported values, so "
                "changes made in Odoo cannot be detected; not overwritten"
            )
        if skip.code == "unknown_stage":
            return _(
                'unknown deal stage "%(value)s", expected Prospecting, Engaging, Won or Lost',
                value=values["value"],
            )
        if skip.code == "bad_date":
            return _(
                'invalid date "%(value)s" in column %(column)s, expected a date such as 2017-03-01',
                value=values["value"],
                column=values["column"],
            )
        if skip.code == "missing_date":
            return _(
                "a deal with stage %(stage)s needs a date in column %(column)s",
                stage=values["stage"],
                column=values["column"],
            )
        if skip.code == "bad_number":
            return _(
                'invalid number "%(value)s" in column %(column)s, expected a non-negative amount '
                "such as 1054 or 1054.50",
                value=values["value"],
                column=values["column"],
            )
        if skip.code == "missing_value":
            return _(
                "a deal with stage %(stage)s needs an amount in column %(column)s",
                stage=values["stage"],
                column=values["column"],
            )
        return _(
            "the close date %(close)s is before the engage date %(engage)s",
            close=values["close"],
            engage=values["engage"],
        )
