import base64
import io
from datetime import date, datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from PIL import Image

from odoo.tests import new_test_user, tagged

from odoo.addons.sales_closed_loop import flow_heatmap
from odoo.addons.sales_closed_loop.models import crm_team_flow_report
from odoo.addons.sales_closed_loop.models.crm_team_flow_report import rank_stall_points

from .common import ClosedLoopCase

OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)
# Tuesday 1 December 2026, 10:00 in Shanghai.
DECEMBER_FIRST = datetime(2026, 12, 1, 2, 0)


def shanghai(*args):
    """Return the naive UTC datetime of a Shanghai wall-clock time (UTC+8, no DST)."""
    return datetime(*args) - timedelta(hours=8)


class FlowReportCase(ClosedLoopCase):
    """Two Shanghai teams with hand-computed stays in October and November 2026."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Shanghai office", "tz": "Asia/Shanghai", "company_id": cls.env.company.id}
        )
        cls.user_manager.lang = "en_US"
        cls.team.write({"user_id": cls.user_manager.id, "silence_calendar_id": cls.calendar.id})
        cls.user_manager_west = new_test_user(
            cls.env, login="cl_manager_west", groups="sales_team.group_sale_manager", lang="zh_CN"
        )
        cls.team_west = cls.env["crm.team"].create(
            {
                "name": "Closed-Loop West",
                "user_id": cls.user_manager_west.id,
                "silence_calendar_id": cls.calendar.id,
            }
        )
        cls.stage_diagnosis.flow_threshold_days = 3
        cls.stage_consensus.flow_threshold_days = 2
        cls.stage_closing.flow_threshold_days = 4
        cls._build_history()

    @classmethod
    def _add_stays(cls, team, stays, user=None):
        """Create one lead per stay, given as (stage, date_in, date_out, lost), with that
        stay as its only stage history row, for ``user`` (by default the salesman)."""
        user = user or cls.user_salesman
        leads = cls.env["crm.lead"].create(
            [
                {
                    "name": f"{team.name} flow lead {index}",
                    "type": "opportunity",
                    "team_id": team.id,
                    "user_id": user.id,
                }
                for index in range(len(stays))
            ]
        )
        History = cls.env["crm.lead.stage.history"].sudo()
        History.search([("lead_id", "in", leads.ids)]).unlink()
        History.create(
            [
                {
                    "lead_id": lead.id,
                    "stage_id": stage.id,
                    "team_id": team.id,
                    "user_id": user.id,
                    "date_in": date_in,
                    "date_out": date_out,
                }
                for lead, (stage, date_in, date_out, _lost) in zip(leads, stays, strict=True)
            ]
        )
        leads.filtered(lambda lead: stays[list(leads).index(lead)][3]).action_set_lost()
        return leads

    @classmethod
    def _build_history(cls):
        """Stays of October and November 2026 with hand-computed figures (thresholds:
        diagnosis 3 days, matching 5, consensus 2, closing 4, screening none)."""
        matching, diagnosis = cls.stage_matching, cls.stage_diagnosis
        consensus, closing = cls.stage_consensus, cls.stage_closing
        screening = cls.stage_screening
        cls._add_stays(
            cls.team,
            [
                # Solution Matching, November: 6 entries, 3 over 5 days, 1 lost.
                (matching, shanghai(2026, 11, 2), shanghai(2026, 11, 10), False),  # 8 days
                (matching, shanghai(2026, 11, 3), shanghai(2026, 11, 5), False),  # 2 days
                # Open: 4 days to the month end, although it is longer by now.
                (matching, shanghai(2026, 11, 27), None, False),
                (matching, shanghai(2026, 11, 10), None, True),  # lost, 21 days
                # Left after the month: counted to the month end, 11 days.
                (matching, shanghai(2026, 11, 20), shanghai(2026, 12, 10), False),
                # 1 November 04:00 in Shanghai is still 31 October in UTC.
                (matching, shanghai(2026, 11, 1, 4), shanghai(2026, 11, 2), False),
                # Solution Matching, October: 3 entries, 1 over 5 days.
                (matching, shanghai(2026, 10, 5), shanghai(2026, 10, 7), False),
                (matching, shanghai(2026, 10, 6), shanghai(2026, 10, 20), False),
                # 31 October 23:00 in Shanghai: October, counted to its end only.
                (matching, shanghai(2026, 10, 31, 23), shanghai(2026, 11, 9), False),
                # Needs Diagnosis, November only: 3 entries, all over 3 days.
                (diagnosis, shanghai(2026, 11, 2), shanghai(2026, 11, 9), False),
                (diagnosis, shanghai(2026, 11, 3), shanghai(2026, 11, 9), False),
                (diagnosis, shanghai(2026, 11, 4), shanghai(2026, 11, 9), False),
                # Value Consensus: 2 entries, both over, below the minimum of 3.
                (consensus, shanghai(2026, 11, 2), shanghai(2026, 11, 9), False),
                (consensus, shanghai(2026, 11, 3), shanghai(2026, 11, 9), False),
                # Contract Closing: November 1 of 4 over 4 days, October 2 of 4.
                (closing, shanghai(2026, 11, 2), shanghai(2026, 11, 9), False),
                (closing, shanghai(2026, 11, 3), shanghai(2026, 11, 4), False),
                (closing, shanghai(2026, 11, 4), shanghai(2026, 11, 5), False),
                (closing, shanghai(2026, 11, 5), shanghai(2026, 11, 6), False),
                (closing, shanghai(2026, 10, 2), shanghai(2026, 10, 9), False),
                (closing, shanghai(2026, 10, 3), shanghai(2026, 10, 9), False),
                (closing, shanghai(2026, 10, 4), shanghai(2026, 10, 5), False),
                (closing, shanghai(2026, 10, 5), shanghai(2026, 10, 6), False),
                # Lead Screening has no threshold: never a stall point.
                (screening, shanghai(2026, 11, 2), shanghai(2026, 11, 20), False),
                (screening, shanghai(2026, 11, 2), shanghai(2026, 11, 20), False),
                (screening, shanghai(2026, 11, 2), shanghai(2026, 11, 20), False),
            ],
        )
        # The west team: all its Solution Matching leads stalled in November.
        cls._add_stays(
            cls.team_west,
            [(matching, shanghai(2026, 11, 2), shanghai(2026, 11, 30), False)] * 3,
        )

    def _report_messages(self, team):
        return self.env["mail.message"].search(
            [
                ("model", "=", "crm.team"),
                ("res_id", "=", team.id),
                ("attachment_ids.name", "=like", "lead-flow-%"),
            ]
        )


@tagged("post_install", "-at_install")
class TestFlowMonthlyReport(FlowReportCase):
    def _rows(self, team, lang="en_US"):
        team = team.with_context(lang=lang)
        figures = team._flow_report_figures([OCTOBER, NOVEMBER])
        stages = team._flow_report_stages(figures)
        rows = team._flow_report_rows(figures, stages, NOVEMBER, OCTOBER)
        return team, {row["stage"]: row for row in rows}

    # ------------------------------------------------------------
    # FIGURES
    # ------------------------------------------------------------

    def test_figures_month_shares(self):
        """Entries, over-threshold and lost shares follow the hand-computed history."""
        _team, rows = self._rows(self.team)
        matching = rows[self.stage_matching]
        self.assertEqual(matching["entries"], 6)
        self.assertEqual(matching["over"], 3)
        self.assertEqual(matching["over_share"], 50)
        self.assertEqual(matching["lost"], 1)
        self.assertEqual(matching["lost_share"], 17)
        self.assertEqual(matching["previous_entries"], 3)
        self.assertEqual(matching["previous_over_share"], 33)

    def test_figures_no_threshold(self):
        """A stage without a threshold counts entries but no stay over the threshold."""
        _team, rows = self._rows(self.team)
        screening = rows[self.stage_screening]
        self.assertEqual(screening["entries"], 3)
        self.assertEqual(screening["over"], 0)

    def test_figures_per_team(self):
        """Each team's figures count only the stays of that team."""
        _team, rows = self._rows(self.team_west)
        matching = rows[self.stage_matching]
        self.assertEqual(matching["entries"], 3)
        self.assertEqual(matching["over_share"], 100)
        self.assertEqual(rows[self.stage_closing]["entries"], 0)

    def test_figures_stage_renamed(self):
        """Renaming a stage keeps its figures and the comparison, under the new name."""
        self.stage_matching.name = "Solution Fit"
        team, rows = self._rows(self.team)
        matching = rows[self.stage_matching]
        self.assertEqual(matching["over_share"], 50)
        self.assertEqual(matching["previous_over_share"], 33)
        sentences = team._flow_report_sentences(list(rows.values()), NOVEMBER)
        self.assertIn("in Solution Fit, up from 33%", sentences[1])

    def test_rank_ties_and_minimum(self):
        """Equal shares rank the stage with more entries first, and small stages are skipped."""
        rows = [
            {"stage": self.stage_diagnosis, "threshold": 3, "entries": 4, "over": 2},
            {"stage": self.stage_matching, "threshold": 5, "entries": 6, "over": 3},
            {"stage": self.stage_consensus, "threshold": 2, "entries": 2, "over": 2},
            {"stage": self.stage_screening, "threshold": 0, "entries": 9, "over": 0},
            {"stage": self.stage_closing, "threshold": 4, "entries": 5, "over": 0},
        ]
        ranked = rank_stall_points(rows)
        self.assertEqual(
            [row["stage"] for row in ranked], [self.stage_matching, self.stage_diagnosis]
        )

    # ------------------------------------------------------------
    # SENTENCES
    # ------------------------------------------------------------

    def test_sentences_english(self):
        """The three biggest stall points are written in English, highest share first."""
        team, rows = self._rows(self.team)
        sentences = team._flow_report_sentences(list(rows.values()), NOVEMBER)
        self.assertEqual(
            sentences,
            [
                "100% of leads stayed more than 3 days in Needs Diagnosis; no lead entered "
                "this stage the month before. 3 leads entered this stage and 0% of them were "
                "lost there.",
                "50% of leads stayed more than 5 days in Solution Matching, up from 33%. "
                "6 leads entered this stage and 17% of them were lost there.",
                "25% of leads stayed more than 4 days in Contract Closing, down from 50%. "
                "4 leads entered this stage and 0% of them were lost there.",
            ],
        )

    def test_sentences_chinese(self):
        """The stall points are written in Chinese, with the Chinese stage names."""
        team, rows = self._rows(self.team, lang="zh_CN")
        sentences = team._flow_report_sentences(list(rows.values()), NOVEMBER)
        self.assertEqual(len(sentences), 3)
        self.assertEqual(
            sentences[1],
            "50% 的线索在“方案匹配”阶段停留超过 5 天，高于上月的 33%。"
            "本月共有 6 条线索进入该阶段，其中 17% 在该阶段丢单。",
        )
        self.assertIn("“需求诊断”", sentences[0])
        self.assertIn("低于上月的 50%", sentences[2])

    def test_sentence_unchanged(self):
        """A share equal to the month before's, once rounded, is called unchanged."""
        row = {
            "stage": self.stage_matching,
            "threshold": 1,
            "entries": 3,
            "over": 1,
            "over_share": 33,
            "lost_share": 0,
            "previous_over_share": 33,
        }
        sentence = self.team.with_context(lang="en_US")._flow_report_stall_sentence(row)
        self.assertTrue(
            sentence.startswith(
                "33% of leads stayed more than 1 day in Solution Matching, unchanged from "
                "the month before."
            ),
            sentence,
        )

    def test_sentences_no_stall(self):
        """A month without any stall point gets one sentence saying so."""
        team = self.team.with_context(lang="en_US")
        figures = team._flow_report_figures([date(2026, 5, 1), date(2026, 6, 1)])
        rows = team._flow_report_rows(
            figures, team._flow_report_stages(figures), date(2026, 6, 1), date(2026, 5, 1)
        )
        sentences = team._flow_report_sentences(rows, date(2026, 6, 1))
        self.assertEqual(len(sentences), 1)
        self.assertIn("No stage stalled in June 2026", sentences[0])

    # ------------------------------------------------------------
    # PICTURE
    # ------------------------------------------------------------

    def test_picture_png(self):
        """The heat map is a PNG with one row per stage and coloured cells."""
        team = self.team.with_context(lang="zh_CN")
        months = [date(2026, month, 1) for month in range(6, 12)]
        figures = team._flow_report_figures(months)
        stages = team._flow_report_stages(figures)
        picture = team._flow_report_picture(figures, stages, months)

        image = Image.open(io.BytesIO(picture))
        self.assertEqual(image.format, "PNG")
        width, height = image.size
        self.assertGreater(width, 6 * flow_heatmap.COLUMN_WIDTH)
        self.assertGreater(height, len(stages) * flow_heatmap.ROW_HEIGHT)
        colors = {color for _count, color in image.convert("RGB").getcolors(maxcolors=100000)}
        # The 50% cell of Solution Matching in November is drawn in its colour.
        self.assertIn(flow_heatmap.cell_color(50.0), colors)
        self.assertIn(flow_heatmap.EMPTY_COLOR, colors)

    def test_picture_deterministic(self):
        """The same figures give the same PNG bytes."""
        team = self.team.with_context(lang="en_US")
        months = [date(2026, month, 1) for month in range(6, 12)]
        figures = team._flow_report_figures(months)
        stages = team._flow_report_stages(figures)
        self.assertEqual(
            team._flow_report_picture(figures, stages, months),
            team._flow_report_picture(figures, stages, months),
        )

    def test_picture_month_labels(self):
        """The picture's month headers are the message's month names, in English and Chinese."""
        months = [date(2026, month, 1) for month in range(6, 12)]
        expected = {
            "en_US": [
                "June 2026",
                "July 2026",
                "August 2026",
                "September 2026",
                "October 2026",
                "November 2026",
            ],
            "zh_CN": [f"2026年{month}月" for month in range(6, 12)],
        }
        for lang, labels in expected.items():
            team = self.team.with_context(lang=lang)
            figures = team._flow_report_figures(months)
            stages = team._flow_report_stages(figures)
            with patch.object(
                crm_team_flow_report, "render_heatmap", wraps=flow_heatmap.render_heatmap
            ) as render:
                team._flow_report_picture(figures, stages, months)
            self.assertEqual(render.call_args.args[2], labels, lang)

    def test_picture_font_fallback(self):
        """Without a CJK font the picture is still drawn and a warning is logged."""
        with (
            patch.object(flow_heatmap, "find_cjk_font", return_value=None),
            self.assertLogs(flow_heatmap.__name__, level="WARNING"),
        ):
            picture = flow_heatmap.render_heatmap(
                "华东: 2026-11", ["方案匹配"], ["2026-11"], [[50.0]]
            )
        self.assertEqual(Image.open(io.BytesIO(picture)).format, "PNG")

    # ------------------------------------------------------------
    # FIRST WORKING DAY
    # ------------------------------------------------------------

    def _add_national_day(self):
        """Public holiday from 1 to 7 October 2026 and the make-up Saturday 10 October."""
        self.env["resource.calendar.leaves"].create(
            {
                "name": "National Day",
                "calendar_id": self.calendar.id,
                "date_from": shanghai(2026, 10, 1),
                "date_to": shanghai(2026, 10, 7, 23, 59, 59),
            }
        )
        self.env["resource.calendar.makeup.day"].create(
            {"name": "National Day make-up", "calendar_id": self.calendar.id, "date": "2026-10-10"}
        )

    def test_first_day_holiday(self):
        """After the 1-7 October holiday the first working day is Thursday 8 October."""
        self._add_national_day()
        self.assertEqual(self.team._flow_report_first_working_day(OCTOBER), date(2026, 10, 8))

    def test_first_day_saturday(self):
        """A month starting on Saturday starts working on Monday the 3rd."""
        self.assertEqual(
            self.team._flow_report_first_working_day(date(2026, 8, 1)), date(2026, 8, 3)
        )

    def test_first_day_makeup_saturday(self):
        """A make-up working Saturday on the 1st is the first working day."""
        self.env["resource.calendar.makeup.day"].create(
            {"name": "Make-up day", "calendar_id": self.calendar.id, "date": "2026-08-01"}
        )
        self.assertEqual(
            self.team._flow_report_first_working_day(date(2026, 8, 1)), date(2026, 8, 1)
        )

    def test_cron_waits_holiday(self):
        """The cron sends nothing during the holiday and sends on the first working day,
        judged in Shanghai while it is still the day before in UTC."""
        self._add_national_day()
        # A month without any lead would not be reported at all.
        self._add_stays(
            self.team, [(self.stage_matching, shanghai(2026, 9, 10), shanghai(2026, 9, 12), False)]
        )
        with freeze_time(shanghai(2026, 10, 7, 10)):
            self.env["crm.team"]._cron_flow_report()
        self.assertFalse(self._report_messages(self.team))
        self.assertFalse(self.team.flow_report_last_month)

        # 8 October 01:00 in Shanghai is 7 October 17:00 in UTC.
        with freeze_time(shanghai(2026, 10, 8, 1)):
            self.env["crm.team"]._cron_flow_report()
        self.assertEqual(len(self._report_messages(self.team)), 1)
        self.assertEqual(self.team.flow_report_last_month, date(2026, 9, 1))

    def test_cron_waits_weekend(self):
        """The cron sends nothing on Saturday 1 August and sends on Monday 3 August."""
        self._add_stays(
            self.team, [(self.stage_matching, shanghai(2026, 7, 10), shanghai(2026, 7, 12), False)]
        )
        with freeze_time(shanghai(2026, 8, 1, 10)):
            self.env["crm.team"]._cron_flow_report()
        self.assertFalse(self._report_messages(self.team))
        with freeze_time(shanghai(2026, 8, 3, 10)):
            self.env["crm.team"]._cron_flow_report()
        self.assertEqual(len(self._report_messages(self.team)), 1)

    # ------------------------------------------------------------
    # DELIVERY
    # ------------------------------------------------------------

    def test_cron_sends_once(self):
        """Two runs and a manual run on the first working day, and a run the day after,
        send one report."""
        cron = self.env.ref("sales_closed_loop.ir_cron_flow_report")
        with freeze_time(DECEMBER_FIRST):
            self.env["crm.team"]._cron_flow_report()
            self.env["crm.team"]._cron_flow_report()
            cron.with_user(self.user_admin).method_direct_trigger()
        with freeze_time(shanghai(2026, 12, 2, 10)):
            self.env["crm.team"]._cron_flow_report()
        self.assertEqual(len(self._report_messages(self.team)), 1)
        self.assertEqual(self.team.flow_report_last_month, NOVEMBER)

    def test_cron_empty_month(self):
        """A month in which no lead of the team was in a stage is marked as handled but not
        sent, and the next month with leads is sent."""
        # Thursday 1 October 2026: no stay of either team began before 2 October.
        with freeze_time(shanghai(2026, 10, 1, 10)):
            self.env["crm.team"]._cron_flow_report()
        self.assertFalse(self._report_messages(self.team))
        self.assertFalse(self._report_messages(self.team_west))
        self.assertEqual(self.team.flow_report_last_month, date(2026, 9, 1))
        self.assertEqual(self.team_west.flow_report_last_month, date(2026, 9, 1))

        with freeze_time(DECEMBER_FIRST):
            self.env["crm.team"]._cron_flow_report()
        self.assertEqual(len(self._report_messages(self.team)), 1)
        self.assertEqual(self.team.flow_report_last_month, NOVEMBER)

    def test_cron_open_stay_month(self):
        """A month in which a lead only stayed in a stage entered earlier is still sent,
        while a lost lead's open stay does not count."""
        self._add_stays(
            self.team, [(self.stage_matching, shanghai(2026, 8, 20), shanghai(2026, 10, 3), False)]
        )
        self._add_stays(self.team_west, [(self.stage_matching, shanghai(2026, 8, 20), None, True)])
        with freeze_time(shanghai(2026, 10, 1, 10)):
            self.env["crm.team"]._cron_flow_report()
        self.assertEqual(len(self._report_messages(self.team)), 1)
        self.assertFalse(self._report_messages(self.team_west))
        self.assertEqual(self.team_west.flow_report_last_month, date(2026, 9, 1))

    def test_cron_skips_archived_leader(self):
        """A team whose leader is archived gets no report."""
        self.user_manager.active = False
        with freeze_time(DECEMBER_FIRST):
            self.env["crm.team"]._cron_flow_report()
        self.assertFalse(self._report_messages(self.team))
        self.assertEqual(len(self._report_messages(self.team_west)), 1)

    def test_cron_message_content(self):
        """The leader is notified of a message with the inline picture and the sentences."""
        with freeze_time(DECEMBER_FIRST):
            self.env["crm.team"]._cron_flow_report()
        message = self._report_messages(self.team)
        self.assertEqual(message.partner_ids, self.user_manager.partner_id)
        self.assertEqual(message.notification_ids.res_partner_id, self.user_manager.partner_id)
        attachment = message.attachment_ids
        self.assertEqual(attachment.mimetype, "image/png")
        self.assertEqual(Image.open(io.BytesIO(base64.b64decode(attachment.datas))).format, "PNG")
        body = str(message.body)
        self.assertIn(f"/web/image/{attachment.id}?access_token={attachment.access_token}", body)
        self.assertIn("50% of leads stayed more than 5 days in Solution Matching", body)
        self.assertIn("November 2026", message.subject)

    def test_cron_leader_reads_picture(self):
        """The team leader, a sales manager, can open the picture of the report."""
        with freeze_time(DECEMBER_FIRST):
            self.env["crm.team"]._cron_flow_report()
        message = self._report_messages(self.team).with_user(self.user_manager)
        picture = base64.b64decode(message.attachment_ids.datas)
        self.assertEqual(Image.open(io.BytesIO(picture)).format, "PNG")

    def test_cron_leader_language(self):
        """The leader of the west team gets the report in Chinese."""
        with freeze_time(DECEMBER_FIRST):
            self.env["crm.team"]._cron_flow_report()
        message = self._report_messages(self.team_west)
        self.assertIn("2026年11月", message.subject)
        self.assertIn("“方案匹配”阶段停留超过 5 天", str(message.body))

    def test_cron_team_isolation(self):
        """A team leader is notified of his own team's report only."""
        with freeze_time(DECEMBER_FIRST):
            self.env["crm.team"]._cron_flow_report()
        east, west = self._report_messages(self.team), self._report_messages(self.team_west)
        notified = self.env["mail.notification"].search(
            [("mail_message_id", "in", (east | west).ids)]
        )
        self.assertEqual(
            notified.filtered(lambda n: n.mail_message_id == east).res_partner_id,
            self.user_manager.partner_id,
        )
        self.assertEqual(
            notified.filtered(lambda n: n.mail_message_id == west).res_partner_id,
            self.user_manager_west.partner_id,
        )
        self.assertNotIn("Needs Diagnosis", str(west.body))
        self.assertNotIn("需求诊断", str(west.body))

    def test_cron_failure_isolated(self):
        """A team whose report fails stays unmarked for the next run, and the others are sent."""
        original = type(self.team)._flow_report_picture

        def failing_picture(team, *args, **kwargs):
            if team.id == self.team.id:
                raise ValueError("drawing failed")
            return original(team, *args, **kwargs)

        with (
            freeze_time(DECEMBER_FIRST),
            patch.object(type(self.team), "_flow_report_picture", failing_picture),
            self.assertLogs("odoo.addons.sales_closed_loop.models.crm_team_flow_report", "ERROR"),
        ):
            counts = self.env["crm.team"]._cron_flow_report()
        self.assertEqual(counts["failed"], 1)
        self.assertFalse(self._report_messages(self.team))
        self.assertFalse(self.team.flow_report_last_month)
        self.assertEqual(len(self._report_messages(self.team_west)), 1)
