"""Interaction ledger of CRM leads and the deadlines of their silence clocks.

Three stored, indexed dates record when the lead last had a valid interaction,
when the customer last replied and when we last wrote to the customer. They
are written when the interaction happens (``_interaction_register``), never
recomputed on read. The two deadlines derived from them, the nudge and the
circuit breaker, are stored and indexed too, so that the scheduled actions
find due leads with one index range scan however many leads are not due.
"""

from odoo import api, fields, models

from .crm_team import DEFAULT_BREAKER_HOURS, DEFAULT_NUDGE_HOURS

# Directions of an interaction. Inbound and two-way interactions (a call, a
# meeting) count as the customer's reply for the nudge.
CUSTOMER_DIRECTIONS = ("inbound", "two_way")
OUTBOUND_DIRECTIONS = ("outbound",)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    last_interaction_date = fields.Datetime(
        string="Last Interaction",
        readonly=True,
        copy=False,
        index=True,
        help="Last valid interaction with the customer: a call or meeting done, an "
        "email sent or received, a meeting that took place, an interaction "
        "recorded by an integration.",
    )
    last_customer_reply_date = fields.Datetime(
        string="Last Customer Reply",
        readonly=True,
        copy=False,
        index=True,
    )
    last_outbound_date = fields.Datetime(
        string="Last Message to Customer",
        readonly=True,
        copy=False,
        index=True,
    )
    interaction_ids = fields.One2many(
        "crm.lead.interaction", "lead_id", string="Interactions", readonly=True
    )
    silence_needs_intervention = fields.Boolean(
        string="Needs Human Intervention",
        readonly=True,
        copy=False,
        index=True,
        help="Set by the nudge when the customer has not replied to our last message "
        "in time; cleared when the customer replies.",
    )
    silence_nudged_date = fields.Datetime(string="Nudged On", readonly=True, copy=False)
    silence_escalated_date = fields.Datetime(
        string="Escalated On", readonly=True, copy=False, index=True
    )
    silence_extension_until = fields.Datetime(
        string="Extension Until",
        readonly=True,
        copy=False,
        help="An approved extension: the circuit breaker waits until this moment.",
    )
    silence_start_date = fields.Datetime(
        string="Silent Since",
        compute="_compute_silence_start_date",
        store=True,
        index=True,
        help="Start of the current silence: the last valid interaction, the last "
        "escalation or the pipeline import, whichever is later, or the creation of the lead.",
    )
    silence_nudge_due_date = fields.Datetime(
        string="Nudge Due",
        compute="_compute_silence_due_dates",
        store=True,
        index=True,
        copy=False,
    )
    silence_breaker_due_date = fields.Datetime(
        string="Escalation Due",
        compute="_compute_silence_due_dates",
        store=True,
        index=True,
        copy=False,
    )
    silence_hours = fields.Float(
        string="Silent Hours",
        compute="_compute_silence_hours",
        help="Calendar hours since the start of the current silence.",
    )
    escalation_ids = fields.One2many(
        "crm.lead.escalation", "lead_id", string="Escalations", readonly=True
    )

    @api.depends("last_interaction_date", "silence_escalated_date", "import_date", "create_date")
    def _compute_silence_start_date(self):
        for lead in self:
            # An imported deal's history has no interactions: its silence starts at the import.
            moments = [lead.last_interaction_date, lead.silence_escalated_date, lead.import_date]
            moments = [moment for moment in moments if moment]
            lead.silence_start_date = max(moments) if moments else lead.create_date

    @api.depends("silence_start_date")
    def _compute_silence_hours(self):
        now = fields.Datetime.now()
        for lead in self:
            start = lead.silence_start_date
            lead.silence_hours = (now - start).total_seconds() / 3600 if start else 0.0

    @api.depends(
        "active",
        "user_id",
        "stage_id.is_won",
        "stage_id.silence_breaker_hours",
        "team_id.silence_nudge_hours",
        "team_id.silence_breaker_hours",
        "team_id.silence_time_mode",
        "team_id.silence_calendar_id",
        "silence_start_date",
        "last_outbound_date",
        "last_customer_reply_date",
        "silence_needs_intervention",
        "silence_extension_until",
    )
    def _compute_silence_due_dates(self):
        clocks = {}
        for lead in self:
            lead.silence_nudge_due_date = False
            lead.silence_breaker_due_date = False
            if not lead._silence_is_watched():
                continue

            team = lead.team_id
            calendar = team._silence_get_calendar() if team else self.env["resource.calendar"]
            if calendar not in clocks:
                clocks[calendar] = calendar._silence_clock()
            clock = clocks[calendar]

            lead.silence_nudge_due_date = lead._silence_get_nudge_due_date(clock)
            lead.silence_breaker_due_date = lead._silence_get_breaker_due_date(clock)

    def _silence_is_watched(self):
        """Override to exclude more leads from the silence clocks.

        Lost (archived) and won leads and leads without a salesperson are never
        nudged or escalated.
        """
        self.ensure_one()
        return bool(self.active and self.user_id and not self.stage_id.is_won)

    def _silence_get_nudge_hours(self):
        self.ensure_one()
        return self.team_id.silence_nudge_hours if self.team_id else DEFAULT_NUDGE_HOURS

    def _silence_get_breaker_hours(self):
        """Return the breaker threshold: the stage's own value, else the team's."""
        self.ensure_one()
        if self.stage_id.silence_breaker_hours:
            return self.stage_id.silence_breaker_hours
        return self.team_id.silence_breaker_hours if self.team_id else DEFAULT_BREAKER_HOURS

    def _silence_get_nudge_due_date(self, clock):
        """Return when the customer's silence after our last message needs a nudge.

        There is no deadline while the lead is flagged (one nudge per silence),
        before we wrote to the customer, or when the customer replied since.
        """
        hours = self._silence_get_nudge_hours()
        outbound = self.last_outbound_date
        if not hours or not outbound or self.silence_needs_intervention:
            return False
        if self.last_customer_reply_date and self.last_customer_reply_date >= outbound:
            return False
        return clock.add_hours(outbound, hours) or False

    def _silence_get_breaker_due_date(self, clock):
        """Return when the lead is escalated if nothing happens before.

        The breaker needs a sales team to reassign within. An approved extension
        replaces the deadline until a new interaction ends the silence.
        """
        hours = self._silence_get_breaker_hours()
        if not hours or not self.team_id or not self.silence_start_date:
            return False
        if self.silence_extension_until:
            return self.silence_extension_until
        return clock.add_hours(self.silence_start_date, hours) or False

    # ------------------------------------------------------------
    # LEDGER
    # ------------------------------------------------------------

    @api.model
    def _interaction_register(self, vals_list):
        """Record valid interactions and move the ledger dates of their leads forward.

        ``vals_list`` contains ``crm.lead.interaction`` values, and each needs
        ``lead_id``, ``date``, ``kind`` and ``direction``. The ledger only moves
        forward: an interaction older than the stored date is logged but does
        not change it. A customer reply or conversation clears the nudge flag
        and ends an extension. Runs in sudo mode because the interaction may
        come from a user who cannot write the lead (a customer, an integration,
        a colleague marking an activity done).
        """
        if not vals_list:
            return self.env["crm.lead.interaction"]
        interactions = self.env["crm.lead.interaction"].sudo().create(vals_list)

        updates = {}
        for interaction in interactions:
            lead = interaction.lead_id
            values = updates.setdefault(lead, {})
            date = interaction.date
            lead_values = [("last_interaction_date", date)]
            if interaction.direction in CUSTOMER_DIRECTIONS:
                lead_values.append(("last_customer_reply_date", date))
            if interaction.direction in OUTBOUND_DIRECTIONS:
                lead_values.append(("last_outbound_date", date))
            for field_name, value in lead_values:
                current = values.get(field_name) or lead[field_name]
                if not current or value > current:
                    values[field_name] = value
            if interaction.direction in CUSTOMER_DIRECTIONS:
                if lead.silence_needs_intervention:
                    values["silence_needs_intervention"] = False
            if lead.silence_extension_until:
                values["silence_extension_until"] = False

        for lead, values in updates.items():
            if values:
                lead.sudo().with_context(tracking_disable=True).write(values)
        return interactions

    # ------------------------------------------------------------
    # EXTENSION HOOKS
    # ------------------------------------------------------------

    def _get_icebreaker_templates(self, limit=3):
        """Return up to ``limit`` ice-breaker messages for this lead, best first.

        Each item is a dict with ``name`` and ``body`` (plain text). The shipped
        templates matching the lead's stage and the customer's industry come
        first, then the general ones. Override to take them from another source,
        such as a sales action library.
        """
        self.ensure_one()
        templates = self.env["crm.icebreaker.template"].sudo()._select_for_lead(self, limit)
        return [{"name": template.name, "body": template.body} for template in templates]
