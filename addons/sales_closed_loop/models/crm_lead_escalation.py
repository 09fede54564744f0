import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Context key set while the circuit breaker and the escalation flow write
# messages and activities, so that nothing they write counts as an
# interaction with the customer.
SILENCE_WRITE_CONTEXT_KEY = "sales_closed_loop_silence_write"

BREAKER_RULES = [
    ("round_robin", "Round-Robin"),
    ("team_leader", "Team Leader"),
    ("senior_pool", "Senior Consultant"),
]

# Escalations whose explanation delay passed, marked per breaker run. Each
# writes the escalation and two messages.
FOLLOW_UP_BATCH_SIZE = 200
# States in which the previous salesperson may still reply.
ANSWERABLE_STATES = ("pending", "unexplained")


class CrmLeadEscalation(models.Model):
    """A silent lead reassigned by the circuit breaker, and what followed.

    The previous salesperson explains or requests an extension within the
    team's explanation delay; the team leader approves or refuses an
    extension. An approved extension gives the lead back to the previous
    salesperson and pauses the breaker until the extension ends.
    """

    _name = "crm.lead.escalation"
    _description = "Silent Lead Escalation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one(
        "crm.lead", string="Lead", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True, readonly=True)
    manager_id = fields.Many2one("res.users", string="Manager", readonly=True)
    old_user_id = fields.Many2one(
        "res.users", string="Previous Salesperson", index=True, readonly=True
    )
    new_user_id = fields.Many2one("res.users", string="New Salesperson", index=True, readonly=True)
    rule = fields.Selection(BREAKER_RULES, required=True, readonly=True)
    date = fields.Datetime(string="Escalated On", required=True, readonly=True, index=True)
    silence_start_date = fields.Datetime(string="Silent Since", readonly=True)
    silence_hours = fields.Float(
        string="Silence (Hours)",
        readonly=True,
        help="Length of the silence when the lead was escalated, counted as the team counts hours.",
    )
    explanation_deadline = fields.Datetime(readonly=True, index=True)
    state = fields.Selection(
        [
            ("pending", "Awaiting Explanation"),
            ("unexplained", "Unexplained"),
            ("explained", "Explained"),
            ("extension_requested", "Extension Requested"),
            ("extension_approved", "Extension Approved"),
            ("extension_refused", "Extension Refused"),
        ],
        required=True,
        default="pending",
        readonly=True,
        tracking=True,
    )
    explanation = fields.Text(readonly=True)
    unexplained_date = fields.Datetime(
        string="Marked Unexplained On",
        readonly=True,
        help="When the explanation delay passed without an explanation or an extension request.",
    )
    extension_hours = fields.Float(string="Extension (Hours)", readonly=True)
    extension_until = fields.Datetime(readonly=True)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_open_reply(self):
        self.ensure_one()
        self._escalation_check_previous_owner()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Explain the Silence"),
            "res_model": "crm.lead.escalation.reply",
            "view_mode": "form",
            "target": "new",
            "context": {"default_escalation_id": self.id},
        }

    def action_approve_extension(self):
        self.ensure_one()
        self._escalation_check_manager()
        if self.state != "extension_requested":
            raise UserError(self.env._("Only a requested extension can be approved."))

        now = fields.Datetime.now()
        until = now + timedelta(hours=self.extension_hours)
        sudo_self = self.sudo().with_context(**{SILENCE_WRITE_CONTEXT_KEY: True})
        sudo_self.write({"state": "extension_approved", "extension_until": until})
        lead = sudo_self.lead_id
        lead.write({"user_id": self.old_user_id.id, "silence_extension_until": until})
        lead.message_post(
            body=self.env._(
                "Extension approved by %(manager)s: the lead goes back to %(user)s and "
                "is not escalated again before %(until)s.",
                manager=self.env.user.name,
                user=self.old_user_id.name,
                until=self._escalation_format_datetime(until),
            ),
            subtype_xmlid="mail.mt_note",
        )
        sudo_self._escalation_close_review()
        return True

    def action_refuse_extension(self):
        self.ensure_one()
        self._escalation_check_manager()
        if self.state != "extension_requested":
            raise UserError(self.env._("Only a requested extension can be refused."))
        sudo_self = self.sudo().with_context(**{SILENCE_WRITE_CONTEXT_KEY: True})
        sudo_self.state = "extension_refused"
        sudo_self._escalation_close_review()
        return True

    # ------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------

    def _escalation_reply(self, explanation, extension_hours=0.0):
        """Record the previous salesperson's explanation, with an extension request or not."""
        self.ensure_one()
        self._escalation_check_previous_owner()
        if self.state not in ANSWERABLE_STATES:
            raise UserError(
                self.env._("This escalation was already answered; it can be answered only once.")
            )
        if not (explanation or "").strip():
            raise UserError(self.env._("Write an explanation for the silence of the lead."))
        if extension_hours < 0:
            raise UserError(self.env._("The extension must be a positive number of hours."))

        sudo_self = self.sudo().with_context(**{SILENCE_WRITE_CONTEXT_KEY: True})
        sudo_self.write(
            {
                "explanation": explanation,
                "extension_hours": extension_hours,
                "state": "extension_requested" if extension_hours else "explained",
            }
        )
        sudo_self.activity_feedback(
            ["sales_closed_loop.mail_activity_type_escalation_explain"],
            feedback=explanation,
        )
        if extension_hours:
            body = self.env._(
                "%(user)s asks for an extension of %(hours)s hours: %(explanation)s",
                user=self.env.user.name,
                hours=extension_hours,
                explanation=explanation,
            )
        else:
            body = self.env._(
                "%(user)s explained the silence: %(explanation)s",
                user=self.env.user.name,
                explanation=explanation,
            )
        sudo_self.message_post(body=body, subtype_xmlid="mail.mt_note")
        if not extension_hours:
            sudo_self._escalation_close_review()

    @api.model
    def _silence_follow_up_overdue(self, now, limit=FOLLOW_UP_BATCH_SIZE):
        """Mark the escalations whose explanation delay passed; return how many.

        Run by the breaker's scheduled action. The rows are locked with
        ``SKIP LOCKED`` and leave the *pending* state in the same transaction,
        so each escalation is marked and notified once, whatever the number of
        runs.
        """
        self.flush_model(["state", "explanation_deadline"])
        self.env.cr.execute(
            SQL(
                """SELECT id FROM crm_lead_escalation
                    WHERE state = 'pending' AND explanation_deadline <= %(now)s
                 ORDER BY explanation_deadline, id
                    LIMIT %(limit)s
                      FOR UPDATE SKIP LOCKED""",
                now=now,
                limit=limit,
            )
        )
        escalations = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        escalations.invalidate_recordset()
        escalations = escalations.with_context(**{SILENCE_WRITE_CONTEXT_KEY: True})
        marked = 0
        for escalation in escalations.filtered(lambda escalation: escalation.state == "pending"):
            try:
                with self.env.cr.savepoint():
                    escalation._silence_mark_unexplained(now)
            except Exception:
                # NOTE: not re-raised, so that the other escalations are kept;
                # this one stays pending and is retried on the next run.
                _logger.exception(
                    "Silent leads: marking escalation %s unexplained failed", escalation.id
                )
                continue
            marked += 1
        if escalations:
            _logger.info(
                "Silent leads: %s escalations marked unexplained, %s failed",
                marked,
                len(escalations) - marked,
            )
        return marked

    def _silence_mark_unexplained(self, now):
        """Mark the escalation unexplained and tell the manager on the lead's chatter."""
        self.ensure_one()
        self.write({"state": "unexplained", "unexplained_date": now})
        manager = self.manager_id or self.team_id.user_id
        deadline = self._escalation_format_datetime(self.explanation_deadline, manager or None)
        body = self.env._(
            "%(user)s did not explain the silence of this lead nor ask for an extension "
            "before %(deadline)s.",
            user=self.old_user_id.name,
            deadline=deadline,
        )
        partner_ids = []
        if manager:
            partner_ids = manager.partner_id.ids
            body = Markup("%s %s") % (
                Markup('<a href="#" data-oe-model="res.partner" data-oe-id="%s">@%s</a>')
                % (manager.partner_id.id, manager.partner_id.name),
                body,
            )
        self.lead_id.message_post(body=body, subtype_xmlid="mail.mt_note", partner_ids=partner_ids)
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _escalation_check_previous_owner(self):
        if self.env.user == self.old_user_id or self._escalation_is_manager():
            return
        raise AccessError(
            self.env._("Only the previous salesperson of the lead can answer this escalation.")
        )

    def _escalation_check_manager(self):
        if self._escalation_is_manager():
            return
        raise AccessError(
            self.env._("Only the team leader or a sales manager can decide on an extension.")
        )

    def _escalation_is_manager(self):
        return self.env.su or (
            self.env.user == self.manager_id
            or self.env.user.has_group("sales_team.group_sale_manager")
        )

    def _escalation_close_review(self):
        self.activity_feedback(["sales_closed_loop.mail_activity_type_escalation_review"])

    def _escalation_format_datetime(self, moment, user=None):
        """Return ``moment`` as text in the timezone of ``user`` (default: the current user)."""
        tz = (user or self.env.user).tz or "UTC"
        local = fields.Datetime.context_timestamp(self.with_context(tz=tz), moment)
        return local.strftime("%Y-%m-%d %H:%M %Z")

    def _silence_schedule_todos(self, deadline):
        """Give the previous salesperson and the manager their to-dos on this escalation."""
        self.ensure_one()
        deadline_text = self._escalation_format_datetime(deadline, self.old_user_id)
        today = fields.Date.context_today(self.with_user(self.old_user_id), self.date)
        self.activity_schedule(
            "sales_closed_loop.mail_activity_type_escalation_explain",
            date_deadline=today,
            summary=self.env._("Explain before %(deadline)s", deadline=deadline_text),
            note=self.env._(
                "%(lead)s was reassigned after %(hours)s hours of silence. Explain why, "
                "or ask for an extension, before %(deadline)s.",
                lead=self.lead_id.display_name,
                hours=round(self.silence_hours, 1),
                deadline=deadline_text,
            ),
            user_id=self.old_user_id.id,
        )
        if self.manager_id:
            self.activity_schedule(
                "sales_closed_loop.mail_activity_type_escalation_review",
                date_deadline=today,
                summary=self.env._(
                    "Review the escalation of %(lead)s", lead=self.lead_id.display_name
                ),
                user_id=self.manager_id.id,
            )

    def _silence_summary(self):
        """Return the chatter line describing this escalation."""
        self.ensure_one()
        return self.env._(
            "Silent lead escalated: no valid interaction for %(hours)s hours since "
            "%(since)s. Reassigned from %(old)s to %(new)s (%(rule)s).",
            hours=round(self.silence_hours, 1),
            since=self._escalation_format_datetime(self.silence_start_date),
            old=self.old_user_id.name,
            new=self.new_user_id.name,
            rule=dict(self._fields["rule"]._description_selection(self.env))[self.rule],
        )
