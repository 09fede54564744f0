"""Monthly lead-flow heat map sent to each sales team leader.

The first working day of a month is read from the team's working schedule,
in its timezone, with its public holidays and make-up working days. On that
day the team leader receives the previous month's figures as a message on the
team, in the leader's language. The message contains a heat map of the share
of leads that stayed longer than each stage's threshold over the last six
months, and the three stages where that share is highest. A month in which
no lead of the team entered a stage or stayed in one is not reported. The
company-wide report for the sales managers (models/res_company_flow_report.py)
reuses the helpers of this file with the company's schedule.

The figures come from the stage history of the team, by month of entry into
the stage, with months cut at midnight in the schedule's timezone:

- leads entering: stays that began in the month;
- share over threshold: stays that lasted longer than the stage's current
  threshold, where a stay still open at the end of the month, or closed
  after it, is counted up to the end of the month. A month's figures
  therefore do not change when they are computed again later;
- share lost: stays whose lead was lost or archived while in the stage, as
  the Lead Flow report counts them (the lead's current state).
"""

import base64
import logging
import time
from datetime import datetime, timedelta

from babel.dates import format_skeleton
from dateutil.relativedelta import relativedelta
from markupsafe import Markup
from pytz import timezone, utc

from odoo import api, fields, models
from odoo.tools import SQL, float_round
from odoo.tools.misc import babel_locale_parse

from ..flow_heatmap import render_heatmap

_logger = logging.getLogger(__name__)

# Months shown in the heat map, the reported month included.
FLOW_REPORT_MONTHS = 6
# Stall points named in the message.
FLOW_REPORT_STALL_POINTS = 3
# A stage with fewer entries in the month is not ranked: with one or two
# leads a single slow deal would make it the top stall point at 50% or 100%.
FLOW_REPORT_MIN_ENTRIES = 3
# Days searched for the first working day of a month: a month always has one
# within its first three weeks, even after a one-week public holiday.
FLOW_REPORT_SEARCH_DAYS = 21


def rank_stall_points(rows, min_entries=FLOW_REPORT_MIN_ENTRIES, limit=FLOW_REPORT_STALL_POINTS):
    """Return the ``limit`` rows with the highest share over threshold.

    ``rows`` are dicts with ``stage`` (a crm.stage), ``threshold``,
    ``entries`` and ``over``. Rows without a threshold, with fewer than
    ``min_entries`` entries or with no stay over the threshold are left out.
    Ties go to the stage with more entries, then to the earlier stage.
    """
    candidates = [
        row
        for row in rows
        if row["threshold"] > 0 and row["entries"] >= min_entries and row["over"] > 0
    ]
    candidates.sort(
        key=lambda row: (
            -row["over"] / row["entries"],
            -row["entries"],
            row["stage"].sequence,
            row["stage"].id,
        )
    )
    return candidates[:limit]


def percent(part, whole):
    """Return ``part`` of ``whole`` in whole percent, rounded half up, or None."""
    if not whole:
        return None
    return int(float_round(100.0 * part / whole, precision_digits=0))


class CrmTeam(models.Model):
    _inherit = "crm.team"

    flow_report_last_month = fields.Date(
        string="Last Lead Flow Report",
        readonly=True,
        copy=False,
        help="First day of the last month whose lead flow heat map was sent to the team leader.",
    )

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_flow_report(self):
        """Send the previous month's lead flow report to the leader of each team whose
        first working day of the month has come and that has not received it yet."""
        started = time.monotonic()
        _logger.info("Lead flow report: started")
        counts = {"sent": 0, "waiting": 0, "failed": 0}

        # 1. Teams due: past the first working day of their month, not yet sent.
        due = {}
        for team in self.search([("user_id", "!=", False), ("user_id.active", "=", True)]):
            today = team._flow_report_today()
            month_start = today.replace(day=1)
            report_month = month_start - relativedelta(months=1)
            if team.flow_report_last_month and team.flow_report_last_month >= report_month:
                continue
            first_day = team._flow_report_first_working_day(month_start)
            if not first_day or today < first_day:
                counts["waiting"] += 1
                continue
            due.setdefault(report_month, self.browse())
            due[report_month] |= team

        # 2. Read the figures of all due teams at once, then send each team's
        #    report in its own savepoint.
        for report_month, teams in due.items():
            figures = teams._flow_report_figures(self._flow_report_months(report_month))
            for team in teams:
                try:
                    with self.env.cr.savepoint():
                        sent = team._flow_report_send(report_month, figures)
                except Exception:
                    # NOTE: not re-raised, because that would roll back the
                    # reports already sent in this run. The team is retried on
                    # the next run.
                    _logger.exception("Lead flow report: sending failed for team %s", team.id)
                    counts["failed"] += 1
                    continue
                if sent:
                    counts["sent"] += 1

        _logger.info(
            "Lead flow report: done: %s sent, %s waiting for their first working day, "
            "%s failed, %.2f s",
            counts["sent"],
            counts["waiting"],
            counts["failed"],
            time.monotonic() - started,
        )

        # 3. The company-wide report of the sales managers. It runs from this
        #    cron so that databases whose cron record is not updated (the data
        #    file is noupdate) send it too.
        company_counts = self.env["res.company"]._cron_flow_report()
        counts.update({f"company_{key}": value for key, value in company_counts.items()})
        return counts

    # ------------------------------------------------------------
    # WORKING DAYS
    # ------------------------------------------------------------

    def _flow_report_calendar(self):
        """Return the team's working schedule: its own, else its company's. Override to change."""
        self.ensure_one()
        return (
            self.silence_calendar_id or (self.company_id or self.env.company).resource_calendar_id
        )

    def _flow_report_tz(self):
        self.ensure_one()
        return timezone(self._flow_report_calendar().tz or "UTC")

    def _flow_report_today(self):
        """Return today's date in the timezone of the team's working schedule."""
        return fields.Datetime.now().replace(tzinfo=utc).astimezone(self._flow_report_tz()).date()

    def _flow_report_first_working_day(self, month_start):
        """Return the first day of the month starting on ``month_start`` with working
        time in the team's schedule, or None when the first three weeks have none.

        Without a schedule, the first day from Monday to Friday is returned.
        """
        self.ensure_one()
        return self._flow_report_calendar_first_day(self._flow_report_calendar(), month_start)

    @api.model
    def _flow_report_calendar_first_day(self, calendar, month_start):
        """Return the first day with working time in ``calendar`` of the month starting
        on ``month_start``, as ``_flow_report_first_working_day`` does for a team."""
        if not calendar:
            day = month_start
            while day.weekday() >= 5:
                day += timedelta(days=1)
            return day

        tz = timezone(calendar.tz or "UTC")
        start = tz.localize(datetime.combine(month_start, datetime.min.time()))
        stop = tz.localize(
            datetime.combine(
                month_start + timedelta(days=FLOW_REPORT_SEARCH_DAYS), datetime.min.time()
            )
        )
        intervals = calendar._silence_work_intervals(start.astimezone(utc), stop.astimezone(utc))
        if not intervals:
            return None
        return min(interval_start.astimezone(tz).date() for interval_start, _stop in intervals)

    @api.model
    def _flow_report_months(self, report_month):
        """Return the first days of the months of the heat map, ending with ``report_month``."""
        return [
            report_month - relativedelta(months=offset)
            for offset in range(FLOW_REPORT_MONTHS - 1, -1, -1)
        ]

    def _flow_report_month_bounds(self, month_start):
        """Return the month starting on ``month_start`` as naive UTC ``(start, stop)``."""
        return self._flow_report_tz_month_bounds(self._flow_report_tz(), month_start)

    @api.model
    def _flow_report_tz_month_bounds(self, tz, month_start):
        """Return the month starting on ``month_start``, cut at midnight in the pytz
        timezone ``tz``, as naive UTC ``(start, stop)``."""
        bounds = []
        for day in (month_start, month_start + relativedelta(months=1)):
            local = tz.localize(datetime.combine(day, datetime.min.time()))
            bounds.append(local.astimezone(utc).replace(tzinfo=None))
        return tuple(bounds)

    # ------------------------------------------------------------
    # FIGURES
    # ------------------------------------------------------------

    def _flow_report_figures(self, months):
        """Return ``{(team id, stage id, month start): (entries, over, lost)}`` for the teams
        of ``self`` and the months starting on the dates of ``months``.

        One query per timezone of the teams' schedules, because months are cut
        at midnight in that timezone.
        """
        teams_by_tz = {}
        for team in self:
            teams_by_tz.setdefault(team._flow_report_tz().zone, self.browse())
            teams_by_tz[team._flow_report_tz().zone] |= team

        figures = {}
        for zone, teams in teams_by_tz.items():
            rows = self._flow_report_read_figures(
                months, timezone(zone), SQL("h.team_id = ANY(%s)", teams.ids)
            )
            for team_id, stage_id, month_start, entries, over, lost in rows:
                figures[team_id, stage_id, month_start] = (entries, over, lost)
        return figures

    @api.model
    def _flow_report_read_figures(self, months, tz, where):
        """Return ``(team id, stage id, month start, entries, over, lost)`` rows of the
        stays that match the SQL condition ``where``, for the months starting on the
        dates of ``months``, cut at midnight in the pytz timezone ``tz``.

        ``where`` may use the aliases ``h`` (stage history), ``lead`` and ``team``.

        The query reads the tables directly, so record rules do not apply: the
        caller restricts ``where`` to the teams or the company it reports on.
        """
        self.env["crm.lead.stage.history"].flush_model(
            ["lead_id", "stage_id", "team_id", "date_in", "date_out"]
        )
        self.env["crm.lead"].flush_model(["active", "company_id"])
        self.env["crm.stage"].flush_model(["flow_threshold_days"])
        self.env["crm.team"].flush_model(["company_id"])

        bounds = [self._flow_report_tz_month_bounds(tz, month) for month in months]
        self.env.cr.execute(
            SQL(
                """
                WITH month AS (
                    SELECT *
                      FROM unnest(%(months)s::date[], %(starts)s::timestamp[],
                                  %(stops)s::timestamp[])
                        AS m(month_start, date_from, date_to)
                )
                SELECT h.team_id,
                       h.stage_id,
                       m.month_start,
                       COUNT(*),
                       COUNT(*) FILTER (
                           WHERE COALESCE(stage.flow_threshold_days, 0) > 0
                             AND EXTRACT(EPOCH FROM (
                                     LEAST(COALESCE(h.date_out, m.date_to), m.date_to)
                                     - h.date_in
                                 )) / 86400.0 > stage.flow_threshold_days
                       ),
                       COUNT(*) FILTER (WHERE h.date_out IS NULL AND NOT lead.active)
                  FROM crm_lead_stage_history h
                  JOIN month m ON h.date_in >= m.date_from AND h.date_in < m.date_to
                  JOIN crm_lead lead ON lead.id = h.lead_id
                  JOIN crm_stage stage ON stage.id = h.stage_id
                  JOIN crm_team team ON team.id = h.team_id
                 WHERE %(where)s
              GROUP BY h.team_id, h.stage_id, m.month_start
                """,
                months=list(months),
                starts=[start for start, _stop in bounds],
                stops=[stop for _start, stop in bounds],
                where=where,
            )
        )
        return self.env.cr.fetchall()

    def _flow_report_has_leads(self, month_start):
        """Return whether a lead of the team entered a stage in the month starting on
        ``month_start`` or was in a stage during that month."""
        self.ensure_one()
        return self._flow_report_read_has_leads(
            month_start, self._flow_report_tz(), SQL("h.team_id = %s", self.id)
        )

    @api.model
    def _flow_report_read_has_leads(self, month_start, tz, where):
        """Return whether a stay that matches the SQL condition ``where`` began in the
        month starting on ``month_start``, cut at midnight in the pytz timezone ``tz``,
        or was open during that month.

        ``where`` may use the aliases ``h``, ``lead`` and ``team`` as in
        ``_flow_report_read_figures``. A stay without an end date in a won
        stage, or of a lost or archived lead, is not counted as open: such a
        lead stays there for good and would make every later month look busy.
        The stages of the data files have no value in ``is_won``, hence IS NOT TRUE.
        """
        self.env["crm.lead.stage.history"].flush_model(
            ["lead_id", "stage_id", "team_id", "date_in", "date_out"]
        )
        self.env["crm.lead"].flush_model(["active", "company_id"])
        self.env["crm.stage"].flush_model(["is_won"])
        self.env["crm.team"].flush_model(["company_id"])

        start, stop = self._flow_report_tz_month_bounds(tz, month_start)
        self.env.cr.execute(
            SQL(
                """
                SELECT 1
                  FROM crm_lead_stage_history h
                  JOIN crm_lead lead ON lead.id = h.lead_id
                  JOIN crm_stage stage ON stage.id = h.stage_id
                  JOIN crm_team team ON team.id = h.team_id
                 WHERE %(where)s
                   AND h.date_in < %(stop)s
                   AND (h.date_in >= %(start)s
                        OR h.date_out > %(start)s
                        OR (h.date_out IS NULL AND lead.active AND stage.is_won IS NOT TRUE))
                 LIMIT 1
                """,
                where=where,
                start=start,
                stop=stop,
            )
        )
        return bool(self.env.cr.fetchone())

    def _flow_report_stages(self, figures):
        """Return the stages of the heat map: the team's pipeline without won stages,
        and any other stage its leads entered, by sequence."""
        self.ensure_one()
        pipeline = self.env["crm.stage"].search(
            [("is_won", "=", False), "|", ("team_id", "=", False), ("team_id", "=", self.id)]
        )
        entered = self.env["crm.stage"].browse(
            {stage_id for team_id, stage_id, _month in figures if team_id == self.id}
        )
        return (pipeline | entered.filtered(lambda stage: not stage.is_won)).sorted(
            lambda stage: (stage.sequence, stage.id)
        )

    def _flow_report_rows(self, figures, stages, month, previous_month):
        """Return one dict per stage with the month's and the month before's figures."""
        self.ensure_one()
        return self._flow_report_stage_rows(
            self._flow_report_team_figures(figures), stages, month, previous_month
        )

    def _flow_report_team_figures(self, figures):
        """Return the team's part of ``figures`` as ``{(stage id, month start): figures}``."""
        self.ensure_one()
        return {
            (stage_id, month): values
            for (team_id, stage_id, month), values in figures.items()
            if team_id == self.id
        }

    @api.model
    def _flow_report_stage_rows(self, stage_figures, stages, month, previous_month):
        """Return one dict per stage of ``stages`` with the month's and the month before's
        figures, read from ``{(stage id, month start): (entries, over, lost)}``."""
        rows = []
        for stage in stages:
            entries, over, lost = stage_figures.get((stage.id, month), (0, 0, 0))
            previous_entries, previous_over, _lost = stage_figures.get(
                (stage.id, previous_month), (0, 0, 0)
            )
            rows.append(
                {
                    "stage": stage,
                    "threshold": stage.flow_threshold_days,
                    "entries": entries,
                    "over": over,
                    "lost": lost,
                    "over_share": percent(over, entries),
                    "lost_share": percent(lost, entries),
                    "previous_entries": previous_entries,
                    "previous_over_share": percent(previous_over, previous_entries),
                }
            )
        return rows

    # ------------------------------------------------------------
    # TEXT AND PICTURE (in the language of self.env)
    # ------------------------------------------------------------

    def _flow_report_month_label(self, month):
        """Return ``month`` as a month and year in the environment's language."""
        locale = babel_locale_parse(self.env.lang or "en_US")
        return format_skeleton("yMMMM", month, locale=locale)

    def _flow_report_stall_sentence(self, row):
        """Return the sentence describing one stall point."""
        _ = self.env._
        days = row["threshold"]
        duration = _("1 day") if days == 1 else _("%(days)s days", days=days)
        values = {
            "share": row["over_share"],
            "duration": duration,
            "stage": row["stage"].name,
            "previous": row["previous_over_share"],
        }
        if row["previous_over_share"] is None:
            sentence = _(
                "%(share)s%% of leads stayed more than %(duration)s in %(stage)s; "
                "no lead entered this stage the month before.",
                **values,
            )
        elif row["over_share"] > row["previous_over_share"]:
            sentence = _(
                "%(share)s%% of leads stayed more than %(duration)s in %(stage)s, "
                "up from %(previous)s%%.",
                **values,
            )
        elif row["over_share"] < row["previous_over_share"]:
            sentence = _(
                "%(share)s%% of leads stayed more than %(duration)s in %(stage)s, "
                "down from %(previous)s%%.",
                **values,
            )
        else:
            sentence = _(
                "%(share)s%% of leads stayed more than %(duration)s in %(stage)s, "
                "unchanged from the month before.",
                **values,
            )
        detail = _(
            "%(count)s leads entered this stage and %(lost)s%% of them were lost there.",
            count=row["entries"],
            lost=row["lost_share"],
        )
        # Chinese joins sentences without a space, so the joining is translated too.
        return _("%(stall)s %(detail)s", stall=sentence, detail=detail)

    def _flow_report_sentences(self, rows, month):
        """Return the sentences on the three biggest stall points, or the one saying
        that no stage stalled."""
        stall_points = rank_stall_points(rows)
        if not stall_points:
            return [
                self.env._(
                    "No stage stalled in %(month)s. Stages with at least %(count)s leads "
                    "entering had no lead staying longer than their threshold.",
                    count=FLOW_REPORT_MIN_ENTRIES,
                    month=self._flow_report_month_label(month),
                )
            ]
        return [self._flow_report_stall_sentence(row) for row in stall_points]

    def _flow_report_picture(self, figures, stages, months):
        """Return the PNG heat map of the team over ``months``."""
        self.ensure_one()
        title = self.env._(
            "%(team)s: lead flow heat map, %(month)s",
            team=self.name,
            month=self._flow_report_month_label(months[-1]),
        )
        return self._flow_report_draw(
            title, self._flow_report_team_figures(figures), stages, months
        )

    @api.model
    def _flow_report_draw(self, title, stage_figures, stages, months):
        """Return the PNG heat map of ``{(stage id, month start): figures}`` over ``months``."""
        cells = []
        for stage in stages:
            row_cells = []
            for month in months:
                entries, over, _lost = stage_figures.get((stage.id, month), (0, 0, 0))
                has_value = stage.flow_threshold_days > 0 and entries
                row_cells.append(100.0 * over / entries if has_value else None)
            cells.append(row_cells)
        note = self.env._(
            "Colour: share of the leads entering a stage that stayed longer than its "
            "threshold. -: no threshold or no lead entering."
        )
        return render_heatmap(
            title,
            [stage.name for stage in stages],
            # The month names of the message, in its language, rather than ISO months.
            [self._flow_report_month_label(month) for month in months],
            cells,
            note=note,
        )

    # ------------------------------------------------------------
    # DELIVERY
    # ------------------------------------------------------------

    def _flow_report_lang(self):
        """Return the language of the team leader, else of the company, else English."""
        self.ensure_one()
        return self.user_id.lang or (self.company_id or self.env.company).partner_id.lang or "en_US"

    @api.model
    def _flow_report_attachment(self, picture, report_month, record):
        """Store the PNG ``picture`` on ``record`` and return it with an access token.

        The message body shows the picture by its URL with the access token, because
        Odoo 18 leaves out of the email any attachment that the body links to. With
        the token, mail clients can load the picture without an Odoo session.
        """
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"lead-flow-{report_month:%Y-%m}.png",
                "datas": base64.b64encode(picture),
                "mimetype": "image/png",
                "res_model": record._name,
                "res_id": record.id,
            }
        )
        attachment.generate_access_token()
        return attachment

    @api.model
    def _flow_report_body(self, intro, attachment, sentences, resent=False):
        """Return the HTML body of a report: the ``intro`` sentence, the picture of
        ``attachment`` and the ``sentences`` on the stall points, in the language of
        self.env. A report sent again on request starts with a line stating it."""
        _ = self.env._
        body = Markup()
        if resent:
            body += Markup("<p><em>%s</em></p>") % _(
                "This report was sent again on request by %(user)s.",
                user=self.env.user.name,
            )
        body += Markup("<p>%s</p><p><img src='/web/image/%s?access_token=%s' alt='%s'/></p>") % (
            intro,
            attachment.id,
            attachment.access_token,
            attachment.name,
        )
        body += Markup("<p><strong>%s</strong></p><ul>%s</ul>") % (
            _("Biggest stall points"),
            Markup().join(Markup("<li>%s</li>") % sentence for sentence in sentences),
        )
        return body

    def _flow_report_send(self, report_month, figures=None, resent=False):
        """Post the report of ``report_month`` on the team for its leader, once.

        ``figures`` are those of ``_flow_report_figures`` for the months of
        the heat map, read here when not given. Returns False when another
        run has locked the team or has already sent the report. Also returns
        False when no lead of the team entered a stage in the month or was in
        one during it, and then marks the month as handled.

        With ``resent``, the report is sent again on request: the once-a-month
        guard is neither checked nor updated, so a manual send never stops or
        waits for the automatic one.
        """
        self.ensure_one()

        # 1. Lock the team so that a manual run and the cron cannot both send.
        #    FOR NO KEY UPDATE, unlike FOR UPDATE, lets other transactions
        #    create leads and messages that reference the team meanwhile.
        if not resent:
            self.flush_recordset(["flow_report_last_month"])
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM crm_team WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED",
                    self.id,
                )
            )
            if not self.env.cr.fetchone():
                return False
            self.invalidate_recordset(["flow_report_last_month"])
            if self.flow_report_last_month and self.flow_report_last_month >= report_month:
                return False
            # A month without any lead in the team's stages has nothing to report.
            # It is still marked as handled, so that the next runs do not check it again.
            if not self._flow_report_has_leads(report_month):
                _logger.info(
                    "Lead flow report: team %s had no lead in a stage in %s, nothing sent",
                    self.id,
                    f"{report_month:%Y-%m}",
                )
                self.flow_report_last_month = report_month
                return False

        # 2. Figures of the six months, in the leader's language.
        team = self.with_context(lang=self._flow_report_lang())
        months = self._flow_report_months(report_month)
        if figures is None:
            figures = team._flow_report_figures(months)
        stages = team._flow_report_stages(figures)
        rows = team._flow_report_rows(figures, stages, months[-1], months[-2])
        sentences = team._flow_report_sentences(rows, report_month)

        # 3. The picture, as an attachment that the body shows inline.
        picture = team._flow_report_picture(figures, stages, months)
        attachment = self._flow_report_attachment(picture, report_month, self)

        # 4. The message, addressed to the leader only.
        _ = team.env._
        month_label = team._flow_report_month_label(report_month)
        intro = _(
            "Lead flow of %(team)s in %(month)s. The heat map shows, per stage and month, "
            "the share of leads that stayed longer than the stage's threshold.",
            team=team.name,
            month=month_label,
        )
        team.message_post(
            body=team._flow_report_body(intro, attachment, sentences, resent=resent),
            subject=_("Lead flow heat map: %(team)s, %(month)s", team=team.name, month=month_label),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            partner_ids=self.user_id.partner_id.ids,
            attachment_ids=attachment.ids,
            # A leader who sends the report again to himself still gets it.
            notify_author=resent,
        )
        if not resent:
            self.flow_report_last_month = report_month
        return True
