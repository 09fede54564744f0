"""Monthly lead-flow heat map of a whole company, sent to its sales managers.

The report is sent on the first working day of the month in the company's
working schedule. Every active internal user of *Sales / Administrator* who
may work in the company receives the previous month's heat map of all the
company's sales teams together. The three biggest stall points come with it
as sentences, in the user's language. A month in which no lead of the
company entered a stage or stayed in one is not reported.
The figures, sentences and picture are those of the team report
(models/crm_team_flow_report.py), read over the company's stays instead of
one team's, with months cut at midnight in the timezone of the company's
schedule.

A stay belongs to the company of its team, or to the company of its lead
when the team is shared by all companies. Stays without a team are in no
report, as in the team report.
"""

import logging
import time

from dateutil.relativedelta import relativedelta
from pytz import timezone, utc

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class ResCompany(models.Model):
    _inherit = "res.company"

    flow_report_last_month = fields.Date(
        string="Last Company Lead Flow Report",
        readonly=True,
        copy=False,
        help="First day of the last month whose company-wide lead flow heat map was sent "
        "to the sales managers.",
    )

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_flow_report(self):
        """Send the previous month's company-wide lead flow report to the sales managers
        of each company whose first working day of the month has come and that has not
        sent it yet. Called by the team report's cron."""
        started = time.monotonic()
        counts = {"sent": 0, "waiting": 0, "failed": 0}
        Team = self.env["crm.team"]

        for company in self.sudo().search([]):
            today = company._flow_report_today()
            month_start = today.replace(day=1)
            report_month = month_start - relativedelta(months=1)
            if company.flow_report_last_month and company.flow_report_last_month >= report_month:
                continue
            first_day = Team._flow_report_calendar_first_day(
                company.resource_calendar_id, month_start
            )
            if not first_day or today < first_day:
                counts["waiting"] += 1
                continue
            try:
                with self.env.cr.savepoint():
                    sent = company._flow_report_send(report_month)
            except Exception:
                # NOTE: not re-raised, because that would roll back the reports
                # already sent in this run. The company is retried on the next run.
                _logger.exception("Lead flow report: sending failed for company %s", company.id)
                counts["failed"] += 1
                continue
            if sent:
                counts["sent"] += 1

        _logger.info(
            "Lead flow report: company-wide reports: %s sent, %s waiting for their first "
            "working day, %s failed, %.2f s",
            counts["sent"],
            counts["waiting"],
            counts["failed"],
            time.monotonic() - started,
        )
        return counts

    # ------------------------------------------------------------
    # WORKING DAYS AND FIGURES
    # ------------------------------------------------------------

    def _flow_report_tz(self):
        self.ensure_one()
        return timezone(self.resource_calendar_id.tz or "UTC")

    def _flow_report_today(self):
        """Return today's date in the timezone of the company's working schedule."""
        return fields.Datetime.now().replace(tzinfo=utc).astimezone(self._flow_report_tz()).date()

    def _flow_report_figures(self, months):
        """Return ``{(stage id, month start): (entries, over, lost)}`` summed over all the
        stays of the company, for the months starting on the dates of ``months``.

        The query bypasses record rules, so that a manager limited to his own
        team's leads still gets the whole company. The condition on the company
        keeps the figures of other companies out.
        """
        self.ensure_one()
        rows = self.env["crm.team"]._flow_report_read_figures(
            months,
            self._flow_report_tz(),
            SQL("COALESCE(team.company_id, lead.company_id) = %s", self.id),
        )
        figures = {}
        for _team_id, stage_id, month_start, entries, over, lost in rows:
            total = figures.get((stage_id, month_start), (0, 0, 0))
            figures[stage_id, month_start] = (
                total[0] + entries,
                total[1] + over,
                total[2] + lost,
            )
        return figures

    def _flow_report_has_leads(self, month_start):
        """Return whether a lead of the company entered a stage in the month starting on
        ``month_start`` or was in a stage during that month."""
        self.ensure_one()
        return self.env["crm.team"]._flow_report_read_has_leads(
            month_start,
            self._flow_report_tz(),
            SQL("COALESCE(team.company_id, lead.company_id) = %s", self.id),
        )

    def _flow_report_stages(self, figures):
        """Return the stages of the heat map: the pipelines of the company's teams
        without won stages, and any other stage the company's leads entered."""
        self.ensure_one()
        teams = self.env["crm.team"].sudo().search([("company_id", "in", [self.id, False])])
        pipeline = (
            self.env["crm.stage"]
            .sudo()
            .search(
                [
                    ("is_won", "=", False),
                    "|",
                    ("team_id", "=", False),
                    ("team_id", "in", teams.ids),
                ]
            )
        )
        entered = self.env["crm.stage"].sudo().browse({stage_id for stage_id, _month in figures})
        return (pipeline | entered.filtered(lambda stage: not stage.is_won)).sorted(
            lambda stage: (stage.sequence, stage.id)
        )

    def _flow_report_managers(self):
        """Return the active internal users of *Sales / Administrator* allowed in the
        company. Override to change who receives the company-wide report."""
        self.ensure_one()
        return (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("groups_id", "in", self.env.ref("sales_team.group_sale_manager").ids),
                    ("share", "=", False),
                    ("company_ids", "in", self.ids),
                ]
            )
        )

    # ------------------------------------------------------------
    # DELIVERY
    # ------------------------------------------------------------

    def _flow_report_send(self, report_month, figures=None, resent=False):
        """Notify the company's sales managers of the report of ``report_month``, once.

        ``figures`` are those of ``_flow_report_figures`` for the months of the
        heat map, read here when not given. Returns False when another run has
        locked the company, has already sent the report, or when the company has
        no sales manager. It also returns False, and marks the month as handled,
        when no lead of the company entered a stage in the month or was in one
        during it. With ``resent``, the report is sent again on request and
        the once-a-month guard is neither checked nor updated.
        """
        self.ensure_one()
        company = self.sudo()

        # 1. Lock the company so that two runs cannot both send. FOR NO KEY
        #    UPDATE, unlike FOR UPDATE, does not block the many inserts that
        #    reference the company meanwhile.
        if not resent:
            company.flush_recordset(["flow_report_last_month"])
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM res_company WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED",
                    company.id,
                )
            )
            if not self.env.cr.fetchone():
                return False
            company.invalidate_recordset(["flow_report_last_month"])
            if company.flow_report_last_month and company.flow_report_last_month >= report_month:
                return False
            # A month without any lead in the company's stages has nothing to report.
            # It is still marked as handled, so that the next runs do not check it again.
            if not company._flow_report_has_leads(report_month):
                _logger.info(
                    "Lead flow report: company %s had no lead in a stage in %s, nothing sent",
                    company.id,
                    f"{report_month:%Y-%m}",
                )
                company.flow_report_last_month = report_month
                return False
        managers = company._flow_report_managers()
        if not managers:
            return False

        # 2. Figures of the six months, the same in every language.
        Team = self.env["crm.team"].sudo()
        months = Team._flow_report_months(report_month)
        if figures is None:
            figures = company._flow_report_figures(months)
        stages = company._flow_report_stages(figures)

        # 3. One message per language of the managers, as Odoo renders mail
        #    templates once per language.
        default_lang = company.partner_id.lang or "en_US"
        by_lang = managers.grouped(lambda user: user.lang or default_lang)
        for lang, users in sorted(by_lang.items()):
            company._flow_report_notify(
                Team.with_context(lang=lang), report_month, figures, stages, users, resent
            )

        if not resent:
            company.flow_report_last_month = report_month
        return True

    def _flow_report_notify(self, team_env, report_month, figures, stages, users, resent):
        """Notify ``users`` of the report, written in the language of ``team_env``, an
        empty crm.team recordset that carries the language and the team helpers."""
        self.ensure_one()
        _ = team_env.env._
        months = team_env._flow_report_months(report_month)
        month_label = team_env._flow_report_month_label(report_month)

        # 1. Sentences and picture, with the stage names in the recipients' language.
        stages = stages.with_env(team_env.env)
        rows = team_env._flow_report_stage_rows(figures, stages, months[-1], months[-2])
        sentences = team_env._flow_report_sentences(rows, report_month)
        title = _(
            "%(company)s: lead flow heat map, %(month)s",
            company=self.name,
            month=month_label,
        )
        picture = team_env._flow_report_draw(title, figures, stages, months)
        attachment = team_env._flow_report_attachment(picture, report_month, self)

        # 2. The notification.
        intro = _(
            "Lead flow of all sales teams of %(company)s in %(month)s. The heat map shows, "
            "per stage and month, the share of leads that stayed longer than the stage's "
            "threshold.",
            company=self.name,
            month=month_label,
        )
        # The report has no natural document: res.company is not a mail.thread and
        # its form shows no chatter. message_notify sends a notification linked to the
        # company to each manager, in the Inbox or by email as the manager chose in
        # his preferences. No other user sees it, unlike a note in a team's chatter,
        # and no manager misses it, unlike a post in a discuss channel he may have left.
        self.env["mail.thread"].sudo().message_notify(
            model=self._name,
            res_id=self.id,
            partner_ids=users.partner_id.ids,
            subject=_(
                "Lead flow heat map: %(company)s, %(month)s",
                company=self.name,
                month=month_label,
            ),
            body=team_env._flow_report_body(intro, attachment, sentences, resent=resent),
            attachment_ids=attachment.ids,
            subtype_xmlid="mail.mt_note",
            # A manager who sends the report again still gets his own copy.
            notify_author=resent,
        )
