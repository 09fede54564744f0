"""Nudge and circuit breaker of silent leads, shipped as two automation rules.

Each step is an automation rule on ``crm.lead`` (Settings > Technical >
Automation Rules), time-based on the stored deadline the ledger keeps, with a
server action calling ``_silence_act_on_due``. Odoo 18 polls time-based rules
on a cron whose interval is a tenth of the shortest rule delay, four hours for
a zero delay (``base.automation._get_cron_interval``), and reads every record
the rule's filter matches. So two scheduled actions run the rules every 5
minutes instead. They read the rule: an archived rule does nothing, and its
filter domain narrows the due leads. Odoo's own polling still runs, and runs
these two rules through the same batch (``BaseAutomation._check`` below).

Each run:

1. locks a bounded batch of due leads that match the rule's filter, oldest
   deadline first, with ``FOR UPDATE SKIP LOCKED``: a lead that another
   worker or a user is writing is left to the next run instead of being
   processed twice;
2. recomputes the deadlines of the locked leads from fresh data (a public
   holiday added since the deadline was stored moves it) and keeps the leads
   still due;
3. acts on each lead inside a savepoint, so that one failing lead is logged
   and skipped without undoing the others;
4. reports progress to ``ir.cron`` and logs one summary line.

Acting moves the lead out of the due range in the same transaction (the nudge
sets the flag, the breaker restarts the silence clock), so running a cron again,
two runs at once, or the rule's server action run by Odoo's own polling, does
not act on a lead twice: every path goes through the same lock and check.
"""

import logging
import time

from markupsafe import Markup

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL, safe_eval

from .crm_lead_escalation import SILENCE_WRITE_CONTEXT_KEY

_logger = logging.getLogger(__name__)

# A nudge writes one activity and one lead. 500 of them take a few seconds,
# well inside the cron's timeout, and keep the locked set small.
NUDGE_BATCH_SIZE = 500
# An escalation writes the lead, a log row, two activities and two messages,
# about four times a nudge.
BREAKER_BATCH_SIZE = 200
# The two steps: the automation rule that drives it, the deadline field, the
# method acting on one lead, and the batch size of the scheduled action.
SILENCE_STEPS = {
    "nudge": (
        "sales_closed_loop.base_automation_silence_nudge",
        "silence_nudge_due_date",
        "_silence_nudge",
        NUDGE_BATCH_SIZE,
    ),
    "breaker": (
        "sales_closed_loop.base_automation_silence_breaker",
        "silence_breaker_due_date",
        "_silence_escalate",
        BREAKER_BATCH_SIZE,
    ),
}
# Context key with the ids of the rules that Odoo's generic polling must skip.
SKIP_RULES_CONTEXT_KEY = "sales_closed_loop_skip_rule_ids"


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # ------------------------------------------------------------
    # CRON ENTRY POINTS
    # ------------------------------------------------------------

    @api.model
    def _cron_silence_nudge(self, batch_size=NUDGE_BATCH_SIZE):
        """Nudge the salespeople of leads whose customer has not replied in time."""
        return self._silence_run_rule("nudge", batch_size)

    @api.model
    def _cron_silence_breaker(self, batch_size=BREAKER_BATCH_SIZE):
        """Reassign the leads without a valid interaction for too long.

        The same run marks the escalations whose explanation delay has passed.
        """
        counts = self._silence_run_rule("breaker", batch_size)
        if not counts.get("disabled"):
            counts["unexplained"] = self.env["crm.lead.escalation"]._silence_follow_up_overdue(
                fields.Datetime.now()
            )
        return counts

    @api.model
    def _silence_get_rule(self, kind):
        """Return the active automation rule of step ``kind``, or an empty recordset."""
        rule = self.env.ref(SILENCE_STEPS[kind][0], raise_if_not_found=False)
        rule = rule.sudo() if rule else self.env["base.automation"].sudo()
        return rule if rule.active else rule.browse()

    @api.model
    def _silence_run_rule(self, kind, batch_size=None):
        """Run one batch of step ``kind`` as its automation rule sets it up.

        Nothing happens when the rule is archived or deleted. The rule's filter
        domain, when set, narrows the due leads.
        """
        _xmlid, due_field, method_name, default_size = SILENCE_STEPS[kind]
        rule = self._silence_get_rule(kind)
        if not rule:
            _logger.info(
                "Silent leads: the %s automation rule is archived or deleted; nothing done", kind
            )
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return {
                "scanned": 0,
                "done": 0,
                "skipped": 0,
                "failed": 0,
                "remaining": 0,
                "seconds": 0.0,
                "disabled": True,
            }
        domain = []
        if rule.filter_domain:
            domain = safe_eval.safe_eval(rule.filter_domain, rule._get_eval_context())
        return self._silence_run(due_field, method_name, batch_size or default_size, domain=domain)

    def _silence_act_on_due(self, kind):
        """Act on the leads of ``self`` that are still due for step ``kind``.

        This is what the automation rules' server actions call. A lead that is
        not due any more, or that another run holds, is skipped, so calling it
        again on the same leads does nothing.
        """
        if not self:
            return {}
        _xmlid, due_field, method_name, _size = SILENCE_STEPS[kind]
        return self.env["crm.lead"]._silence_run(
            due_field, method_name, len(self), lead_ids=self.ids
        )

    @api.model
    def _silence_run(self, due_field, method_name, batch_size, domain=None, lead_ids=None):
        """Run one bounded batch of a silence step; return the counts of the summary.

        ``domain`` narrows the due leads (the rule's filter); ``lead_ids``
        restricts the run to these leads (a server action run on records).
        """
        started = time.monotonic()
        now = fields.Datetime.now()
        _logger.info("Silent leads: %s started", method_name)

        # 0. Meetings that ended since the last run end a silence too.
        self.env["calendar.event"]._interaction_register_ended(now)

        # 1. Lock a batch of due leads.
        if lead_ids is not None:
            domain = expression.AND([domain or [], [("id", "in", list(lead_ids))]])
        locked_ids = self._silence_lock_due(due_field, now, batch_size, domain=domain)
        leads = self.browse(locked_ids).with_context(**{SILENCE_WRITE_CONTEXT_KEY: True})

        # 2. Recompute their deadlines from fresh data.
        leads.invalidate_recordset()
        self.env.add_to_compute(self._fields["silence_nudge_due_date"], leads)
        self.env.add_to_compute(self._fields["silence_breaker_due_date"], leads)
        due_leads = leads.filtered(lambda lead: lead[due_field] and lead[due_field] <= now)

        # 3. Act on each lead, each in its own savepoint.
        counts = {"scanned": len(leads), "done": 0, "skipped": len(leads - due_leads), "failed": 0}
        batch_data = getattr(due_leads, method_name + "_prepare")() if due_leads else {}
        for lead in due_leads:
            try:
                with self.env.cr.savepoint():
                    acted = getattr(lead, method_name)(now, batch_data)
            except Exception:
                # NOTE: the failure is not re-raised, because that would roll
                # back the leads already handled in this batch. The lead stays
                # due and is retried on the next run.
                _logger.exception("Silent leads: %s failed on lead %s", method_name, lead.id)
                counts["failed"] += 1
                continue
            counts["done" if acted else "skipped"] += 1

        # 4. Report progress and log the summary.
        self.env.flush_all()
        remaining = self._silence_count_due(due_field, now, domain=domain)
        if lead_ids is None:
            # A server action run on given leads is not a cron batch: its
            # remainder would make the calling cron run again.
            self.env["ir.cron"]._notify_progress(done=counts["done"], remaining=remaining)
        counts["remaining"] = remaining
        counts["seconds"] = time.monotonic() - started
        _logger.info(
            "Silent leads: %s done: %s scanned, %s acted on, %s skipped, %s failed, "
            "%s remaining, %.2f s",
            method_name,
            counts["scanned"],
            counts["done"],
            counts["skipped"],
            counts["failed"],
            remaining,
            counts["seconds"],
        )
        return counts

    @api.model
    def _silence_due_domain(self, due_field, now, domain=None):
        return expression.AND([[(due_field, "<=", now)], domain or []])

    @api.model
    def _silence_lock_due(self, due_field, now, limit, domain=None):
        """Lock and return the ids of up to ``limit`` due leads, skipping locked rows.

        ``domain`` adds conditions, such as the automation rule's filter.
        """
        self.flush_model([due_field])
        query = self.sudo()._search(
            self._silence_due_domain(due_field, now, domain),
            order=f"{due_field}, id",
            limit=limit,
        )
        if query.is_empty():
            return []
        self.env.cr.execute(
            SQL(
                "%s FOR UPDATE OF %s SKIP LOCKED",
                query.select(),
                SQL.identifier(self._table),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _silence_count_due(self, due_field, now, domain=None):
        return self.sudo().search_count(self._silence_due_domain(due_field, now, domain))

    # ------------------------------------------------------------
    # NUDGE
    # ------------------------------------------------------------

    def _silence_nudge_prepare(self):
        """Override to return what ``_silence_nudge`` needs for the whole batch."""
        return {}

    def _silence_nudge(self, now, batch_data):
        """Flag the lead and give its salesperson an activity with ice-breakers.

        Returns whether the lead was nudged.
        """
        self.ensure_one()
        templates = self._get_icebreaker_templates(limit=3)
        self.activity_schedule(
            "sales_closed_loop.mail_activity_type_silence_nudge",
            date_deadline=fields.Date.context_today(self.with_user(self.user_id), now),
            summary=self.env._("Customer silent: reach out again"),
            note=self._silence_nudge_note(templates),
            user_id=self.user_id.id,
        )
        self.write({"silence_needs_intervention": True, "silence_nudged_date": now})
        return True

    def _silence_nudge_note(self, templates):
        """Return the HTML note of the nudge activity, listing the ice-breakers."""
        silent_since = fields.Datetime.context_timestamp(
            self.with_user(self.user_id), self.last_outbound_date
        )
        intro = self.env._(
            "The customer has not replied to our message of %(date)s. Pick one of "
            "these ice-breakers, adapt it, and send it:",
            date=fields.Datetime.to_string(silent_since),
        )
        items = Markup("").join(
            Markup("<li><strong>%s</strong><br/>%s</li>") % (template["name"], template["body"])
            for template in templates
        )
        return Markup("<p>%s</p><ol>%s</ol>") % (intro, items)

    # ------------------------------------------------------------
    # CIRCUIT BREAKER
    # ------------------------------------------------------------

    def _silence_escalate_prepare(self):
        """Lock the sales teams of the batch and count the open leads of their members."""
        teams = self.team_id
        # The round-robin pointer and the member caps are read and written per
        # team: the lock keeps two runs from giving the same turn twice.
        self.env.cr.execute(
            SQL("SELECT id FROM crm_team WHERE id IN %s FOR UPDATE", tuple(teams.ids))
        )
        self.env["crm.team"].invalidate_model(["silence_last_user_id"])

        # Only capped members and senior consultants need their open leads
        # counted; counting every member would read every lead of the team.
        capped = teams.crm_team_member_ids.filtered("silence_lead_cap").user_id
        users = capped | teams.silence_senior_user_ids
        if not users:
            return {"open_counts": {}}
        groups = self.env["crm.lead"]._read_group(
            [
                ("team_id", "in", teams.ids),
                ("user_id", "in", users.ids),
                ("stage_id.is_won", "=", False),
            ],
            ["team_id", "user_id"],
            ["__count"],
        )
        return {"open_counts": {(team.id, user.id): count for team, user, count in groups}}

    def _silence_escalate(self, now, batch_data):
        """Reassign the lead, log the escalation and give the to-dos.

        Returns whether the lead was escalated; False when no user of the
        team can take it.
        """
        self.ensure_one()
        team = self.team_id
        open_counts = batch_data["open_counts"]

        # 1. Choose the new salesperson.
        new_user, rule = team._silence_pick_user(self, open_counts)
        if not new_user:
            _logger.warning(
                "Silent leads: lead %s of team %s is due for escalation but the team has "
                "nobody available; it stays with its salesperson",
                self.id,
                team.id,
            )
            return False

        # 2. Measure the silence and log the escalation.
        old_user = self.user_id
        calendar = team._silence_get_calendar()
        silence_hours = calendar._silence_clock().hours_between(self.silence_start_date, now)
        deadline = now + team._silence_explanation_delta()
        escalation = (
            self.env["crm.lead.escalation"]
            .sudo()
            .with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
            .create(
                {
                    "lead_id": self.id,
                    "company_id": (self.company_id or self.env.company).id,
                    "team_id": team.id,
                    "manager_id": team.user_id.id,
                    "old_user_id": old_user.id,
                    "new_user_id": new_user.id,
                    "rule": rule,
                    "date": now,
                    "silence_start_date": self.silence_start_date,
                    "silence_hours": silence_hours,
                    "explanation_deadline": deadline,
                }
            )
        )

        # 3. Reassign within the same team and company, and restart the clock.
        self.write(
            {
                "user_id": new_user.id,
                "team_id": team.id,
                "company_id": self.company_id.id,
                "silence_escalated_date": now,
                "silence_extension_until": False,
                "silence_needs_intervention": False,
            }
        )
        open_counts[(team.id, new_user.id)] = open_counts.get((team.id, new_user.id), 0) + 1
        open_counts[(team.id, old_user.id)] = open_counts.get((team.id, old_user.id), 1) - 1

        # 4. To-dos for the previous salesperson and the manager, and the chatter.
        escalation._silence_schedule_todos(deadline)
        # The note is written once for everyone: in the language of the team's leader, who
        # reviews it, else of the new salesperson.
        readers = escalation.manager_id | escalation.new_user_id | escalation.old_user_id
        lang = next((user.lang for user in readers if user.lang), None)
        body = escalation.with_context(lang=lang or self.env.lang)._silence_summary()
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        escalation.message_post(body=body, subtype_xmlid="mail.mt_note")
        return True


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    @api.model
    def _check(self, automatic=False, use_new_cursor=False):
        """Run the silence rules through their indexed batch, then the other rules.

        Odoo's polling reads every record a time-based rule's filter matches;
        on a large pipeline that is every open lead. The silence rules run one
        batch of their own step instead, under the same lock and check as the
        scheduled actions, so both may run at once without acting twice.
        """
        # The silence runs report no progress to Odoo's polling cron: a
        # reported remainder would make ir.cron run every rule again at once.
        leads = self.env["crm.lead"].with_context(ir_cron_progress_id=False)
        skipped = []
        for kind in SILENCE_STEPS:
            rule = self.env.ref(SILENCE_STEPS[kind][0], raise_if_not_found=False)
            if not rule:
                continue
            skipped.append(rule.id)
            if rule.sudo().active:
                # The scheduled action's entry point, so that the breaker
                # also follows up overdue explanations.
                getattr(leads, f"_cron_silence_{kind}")()
                if automatic:
                    self.env.cr.commit()
        return super(BaseAutomation, self.with_context(**{SKIP_RULES_CONTEXT_KEY: skipped}))._check(
            automatic=automatic, use_new_cursor=use_new_cursor
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        skipped = self.env.context.get(SKIP_RULES_CONTEXT_KEY)
        if skipped:
            domain = expression.AND([domain, [("id", "not in", skipped)]])
        return super()._search(domain, offset=offset, limit=limit, order=order)
