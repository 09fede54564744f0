from datetime import timedelta

from odoo import api, fields, models

# Defaults of the silence clocks, in hours: the nudge after two days without a
# customer reply, the circuit breaker after three days without any valid
# interaction.
DEFAULT_NUDGE_HOURS = 48.0
DEFAULT_BREAKER_HOURS = 72.0
# Hours the previous owner has to explain an escalation.
DEFAULT_EXPLANATION_HOURS = 2.0


class CrmTeam(models.Model):
    _inherit = "crm.team"

    silence_nudge_hours = fields.Float(
        string="Nudge After (Hours)",
        default=DEFAULT_NUDGE_HOURS,
        help="Hours after our last message without a customer reply before the "
        "salesperson is asked to step in. 0 disables the nudge.",
    )
    silence_breaker_hours = fields.Float(
        string="Escalate After (Hours)",
        default=DEFAULT_BREAKER_HOURS,
        help="Hours without any valid interaction before the lead is reassigned. "
        "0 disables the circuit breaker. A stage may set its own value.",
    )
    silence_time_mode = fields.Selection(
        [("wall", "Calendar Hours"), ("working", "Working Hours")],
        string="Count Hours In",
        required=True,
        default="wall",
        help="Calendar hours count every hour. Working hours count only the hours "
        "of the working schedule, without its public holidays and with its "
        "make-up working days.",
    )
    silence_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Schedule",
        help="Schedule used when hours are counted in working hours. Empty means "
        "the working schedule of the team's company.",
    )
    silence_breaker_policy = fields.Selection(
        [
            ("round_robin", "Round-Robin among Members"),
            ("team_leader", "Team Leader"),
            ("senior_pool", "Senior Consultants"),
        ],
        string="Reassign To",
        required=True,
        default="round_robin",
        help="Round-robin picks the next member with capacity who has not opted "
        "out and is not away, and falls back to the team leader. Senior "
        "consultants picks the consultant of the pool with the fewest open leads.",
    )
    silence_senior_user_ids = fields.Many2many(
        "res.users",
        "crm_team_silence_senior_rel",
        "team_id",
        "user_id",
        string="Senior Consultants",
        domain="[('share', '=', False)]",
    )
    silence_explanation_hours = fields.Float(
        string="Explanation Delay (Hours)",
        default=DEFAULT_EXPLANATION_HOURS,
        help="Hours the previous salesperson has to explain an escalation or ask for an extension.",
    )
    silence_last_user_id = fields.Many2one(
        "res.users",
        string="Last Round-Robin Assignee",
        readonly=True,
        copy=False,
    )

    def _silence_get_calendar(self):
        """Return the working schedule of the team's clocks, empty for calendar hours."""
        self.ensure_one()
        if self.silence_time_mode != "working":
            return self.env["resource.calendar"]
        return (
            self.silence_calendar_id or (self.company_id or self.env.company).resource_calendar_id
        )

    @api.model
    def _silence_clock_fields(self):
        """Return the team fields that change the deadlines of its leads."""
        return [
            "silence_nudge_hours",
            "silence_breaker_hours",
            "silence_time_mode",
            "silence_calendar_id",
        ]

    def _silence_explanation_delta(self):
        self.ensure_one()
        return timedelta(hours=self.silence_explanation_hours or DEFAULT_EXPLANATION_HOURS)

    # ------------------------------------------------------------
    # REASSIGNMENT
    # ------------------------------------------------------------

    def _silence_pick_user(self, lead, open_counts):
        """Return ``(user, rule)`` for the new owner of a silent ``lead`` of this team.

        ``open_counts`` maps ``(team id, user id)`` to the open leads the user
        owns in the team; the caller keeps it up to date across a batch. The
        round-robin and the senior pool fall back to the team leader. Returns
        an empty user when nobody is available.
        """
        self.ensure_one()
        if self.silence_breaker_policy == "round_robin":
            user = self._silence_pick_round_robin(lead, open_counts)
            if user:
                self.silence_last_user_id = user
                return user, "round_robin"
        elif self.silence_breaker_policy == "senior_pool":
            user = self._silence_pick_senior(lead, open_counts)
            if user:
                return user, "senior_pool"

        leader = self.user_id
        if leader and self._silence_user_is_eligible(leader, lead):
            return leader, "team_leader"
        return self.env["res.users"], False

    def _silence_user_is_eligible(self, user, lead):
        """Override to add conditions on the new owner of a silent lead."""
        company = lead.company_id
        return bool(
            user.active
            and not user.share
            and user != lead.user_id
            and (not company or company in user.company_ids)
        )

    def _silence_pick_round_robin(self, lead, open_counts):
        """Return the next member after the last one served who can take ``lead``."""
        members = self.crm_team_member_ids.filtered("active").sorted("id")
        eligible = members.filtered(
            lambda member: (
                not member.silence_optout
                and not member.silence_away
                and self._silence_user_is_eligible(member.user_id, lead)
                and (
                    not member.silence_lead_cap
                    or open_counts.get((self.id, member.user_id.id), 0) < member.silence_lead_cap
                )
            )
        )
        if not eligible:
            return self.env["res.users"]

        users = members.user_id
        last = self.silence_last_user_id
        last_index = list(users).index(last) if last in users else -1
        # Walk the members in order, starting after the last one served.
        for member in members[last_index + 1 :] + members[: last_index + 1]:
            if member in eligible:
                return member.user_id
        return self.env["res.users"]

    def _silence_pick_senior(self, lead, open_counts):
        """Return the senior consultant with the fewest open leads in the team."""
        seniors = self.silence_senior_user_ids.filtered(
            lambda user: self._silence_user_is_eligible(user, lead)
        )
        if not seniors:
            return self.env["res.users"]
        return min(seniors, key=lambda user: (open_counts.get((self.id, user.id), 0), user.id))
