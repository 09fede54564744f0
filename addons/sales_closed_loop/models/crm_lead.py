"""Stage gate of CRM leads.

Every path that changes a lead's stage ends in ``crm.lead.create`` or
``crm.lead.write``: form save, statusbar click, kanban drag and quick-create,
``create`` with a stage, list multi-edit, import (``load``), RPC ``write`` on
many records, server actions, merge, ``action_set_won`` and a change of sales
team. The gate runs there, after the values are written, so that a form save
that adds the required evidence and moves the stage in one ``write`` passes.
When any lead of the batch fails, the gate raises and the transaction (or the
savepoint of ``load``) is rolled back. Nothing of the batch is kept: not the
stage, its date, the probability, crm's won/lost counters or the history.

The gate checks a lead when it enters a stage. It does not keep holding while
the lead stays there: clearing a required field or deleting evidence later is
allowed, the checklist of the lead then shows what is missing, and the next
stage change checks again.

The policy lives in the small ``_gate_*`` hooks below so that other modules
can add rules without copying the gate. Data is gathered once per batch in
``_gate_prepare_data`` so that the number of queries does not grow with the
number of leads.
"""

import logging
import os

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Context key of the pipeline history import. It lets the importer place
# leads in their historical stage; it only works for administrators or in sudo
# mode, see ``_gate_is_bypassed``.
IMPORT_CONTEXT_KEY = "sales_closed_loop_import"

# Context key holding the reason of a gate override, set by the override
# wizard. It only works for members of OVERRIDE_GROUP, see ``_gate_check``.
OVERRIDE_CONTEXT_KEY = "sales_closed_loop_override_reason"
OVERRIDE_GROUP = "sales_closed_loop.group_gate_override"

# Fields the checklist of the lead form is recomputed on while the user edits.
# Required-field rules are configuration, so a rule on a field missing here is
# only re-evaluated when the form is saved.
CHECKLIST_DEPENDS = (
    "stage_id",
    "team_id",
    "active",
    "evidence_ids",
    "evidence_ids.type_id",
    "evidence_ids.date",
    "evidence_ids.attachment_ids",
    "expected_revenue",
    "date_deadline",
    "partner_id",
    "contact_name",
    "email_from",
    "phone",
    "user_id",
    "tag_ids",
    "description",
)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    evidence_ids = fields.One2many("crm.lead.evidence", "lead_id", string="Evidence")
    evidence_count = fields.Integer(compute="_compute_evidence_count")
    stage_history_ids = fields.One2many("crm.lead.stage.history", "lead_id", string="Stage History")
    gate_override_ids = fields.One2many(
        "crm.lead.gate.override", "lead_id", string="Gate Overrides"
    )
    gate_next_stage_id = fields.Many2one(
        "crm.stage",
        string="Next Stage",
        compute="_compute_gate_checklist",
        help="The stage the lead may enter next in its sales team's pipeline.",
    )
    gate_checklist = fields.Html(
        string="Next Stage Checklist",
        compute="_compute_gate_checklist",
        sanitize=False,
        help="What the next stage requires, ticked when the lead meets it.",
    )
    gate_missing_count = fields.Integer(
        string="Missing for Next Stage", compute="_compute_gate_checklist"
    )
    gate_blocked = fields.Boolean(
        string="Blocked at Gate",
        compute="_compute_gate_checklist",
        search="_search_gate_blocked",
        help="The lead misses something the next stage of its pipeline requires.",
    )

    @api.depends("evidence_ids")
    def _compute_evidence_count(self):
        counts = dict(
            self.env["crm.lead.evidence"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.evidence_count = counts.get(lead, 0)

    @api.depends(*CHECKLIST_DEPENDS)
    def _compute_gate_checklist(self):
        pipelines = self._gate_get_pipelines()
        next_stages = {lead: lead._gate_get_next_stage(pipelines) for lead in self}
        gate_data = self._gate_prepare_data(self.env["crm.stage"].union(*next_stages.values()))

        for lead in self:
            next_stage = next_stages[lead]
            items = lead._gate_get_rule_items(next_stage, gate_data) if next_stage else []
            missing = [item for item in items if not item["ok"]]
            lead.gate_next_stage_id = next_stage
            lead.gate_missing_count = len(missing)
            lead.gate_blocked = bool(missing)
            lead.gate_checklist = self._gate_render_checklist(next_stage, items)

    def _search_gate_blocked(self, operator, value):
        """Search leads by whether they miss something their next stage requires.

        The rules are configuration evaluated in Python, so the search
        evaluates the gate of every open lead the user can read, in batches,
        and returns their ids.
        """
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search on Blocked at Gate with = or != only."))
        want_blocked = value if operator == "=" else not value

        blocked_ids = []
        candidates = self.search([("stage_id", "!=", False)])
        # 1000 leads per batch keeps the prefetch of one batch in one query
        # per table, the same batch size as Odoo's PREFETCH_MAX.
        for start in range(0, len(candidates), 1000):
            batch = candidates[start : start + 1000]
            blocked_ids += batch.filtered("gate_blocked").ids
            batch.invalidate_recordset(
                ["gate_blocked", "gate_checklist", "gate_next_stage_id", "gate_missing_count"]
            )
        if want_blocked:
            return [("id", "in", blocked_ids)]
        return [("id", "not in", blocked_ids)]

    @api.depends("team_id", "type")
    def _compute_stage_id(self):
        """Put new leads in the first stage of their pipeline.

        crm picks the first stage that is not folded, which skips a folded first
        stage and makes the gate refuse every new lead.
        """
        leads = self.filtered(lambda lead: not lead.stage_id)
        if not leads:
            return
        pipelines = leads._gate_get_pipelines()
        for lead in leads:
            lead.stage_id = lead._gate_get_lead_pipeline(pipelines)[:1]

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        if self._gate_is_bypassed():
            return leads

        # A new lead comes from no stage, so its first stage must be the first
        # stage of its pipeline: anything else is a skip.
        staged = leads.filtered("stage_id")
        previous_stages = {lead.id: self.env["crm.stage"] for lead in staged}
        overridden = staged._gate_check(previous_stages)
        staged._stage_history_open(previous_stages, overridden)
        return leads

    def write(self, vals):
        if ("stage_id" not in vals and "team_id" not in vals) or self._gate_is_bypassed():
            return super().write(vals)

        # 1. A lead never sits in a stage its new team does not use: leads
        # whose stage is not in the new team's pipeline restart at its first
        # stage, in a write of their own that the gate checks.
        if "team_id" in vals and "stage_id" not in vals:
            misfits, first_stage = self._gate_get_team_misfits(vals["team_id"])
            if misfits:
                if self - misfits:
                    super(CrmLead, self - misfits).write(vals)
                return misfits.write({**vals, "stage_id": first_stage.id})
            return super().write(vals)

        # 2. Write, then check the leads whose stage changed.
        previous_stages = {lead.id: lead.stage_id for lead in self}
        result = super().write(vals)

        moved = self.filtered(lambda lead: lead.stage_id != previous_stages[lead.id])
        if moved:
            overridden = moved._gate_check(previous_stages)
            moved._stage_history_open(previous_stages, overridden)
        return result

    def _merge_dependences(self, opportunities):
        """Keep the evidence of merged leads on the lead that remains."""
        result = super()._merge_dependences(opportunities)
        opportunities.evidence_ids.sudo().write({"lead_id": self.id})
        return result

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_evidence(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_closed_loop.crm_lead_evidence_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action

    def action_gate_override(self):
        """Open the override wizard for the selected leads and their next stage."""
        if not self.env.user.has_group(OVERRIDE_GROUP):
            raise AccessError(
                self.env._(
                    "Only members of the group Sales / Override Stage Gates may "
                    "override a stage gate."
                )
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_closed_loop.crm_lead_gate_override_wizard_action"
        )
        action["context"] = {
            "default_lead_ids": self.ids,
            "default_stage_id": self[:1].gate_next_stage_id.id,
        }
        return action

    # ------------------------------------------------------------
    # STAGE GATE
    # ------------------------------------------------------------

    def _gate_check(self, previous_stages):
        """Raise when a lead of ``self`` may not be in the stage it has just entered.

        ``previous_stages`` maps each lead id to the stage it left, empty for a
        new lead. All leads are checked first so that the message lists every
        failing lead of the batch, not only the first one. Under an override
        (see ``_gate_get_override_reason``), unmet rules are recorded instead
        of raising. Returns the leads that passed by override.
        """
        gate_data = self._gate_prepare_data(self.stage_id)

        blocking_by_lead = {}
        problems_by_lead = {}
        for lead in self:
            previous_stage = previous_stages[lead.id]
            blocking = lead._gate_get_blocking_problems(previous_stage, gate_data)
            if blocking:
                blocking_by_lead[lead] = blocking
                continue
            problems = lead._gate_get_problems(previous_stage, gate_data)
            if problems:
                problems_by_lead[lead] = problems

        reason = self._gate_get_override_reason()
        if blocking_by_lead or (problems_by_lead and not reason):
            self._gate_raise({**blocking_by_lead, **problems_by_lead})

        overridden = self.browse([lead.id for lead in problems_by_lead])
        if overridden:
            overridden._gate_record_overrides(problems_by_lead, previous_stages, reason)
        return overridden

    def _gate_is_bypassed(self):
        """Override to let other trusted callers skip the gate."""
        if not self.env.context.get(IMPORT_CONTEXT_KEY):
            return False
        if self.env.su or self.env.user.has_group("base.group_system"):
            return True
        _logger.warning(
            "User %s set %s without administrator rights: the stage gate still applies",
            self.env.uid,
            IMPORT_CONTEXT_KEY,
        )
        return False

    def _gate_get_override_reason(self):
        """Return the override reason of the context when the user may override, else ''."""
        reason = (self.env.context.get(OVERRIDE_CONTEXT_KEY) or "").strip()
        if not reason:
            return ""
        if self.env.su or self.env.user.has_group(OVERRIDE_GROUP):
            return reason
        _logger.warning(
            "User %s set %s without the override group: the stage gate still applies",
            self.env.uid,
            OVERRIDE_CONTEXT_KEY,
        )
        return ""

    def _gate_prepare_data(self, stages):
        """Override to gather, with a few queries per batch, what added checks need.

        ``stages`` are the stages whose rules will be evaluated. The returned
        dict is passed to ``_gate_get_problems`` and ``_gate_get_rule_items``
        for every lead, so checks read from it instead of querying per lead.
        """
        stages = stages.sudo()
        return {
            "pipelines": self._gate_get_pipelines(),
            "evidence_files": self._gate_get_evidence_files(),
            "conditions": self._gate_eval_conditions(stages.gate_condition_ids),
            "today": fields.Date.context_today(self),
        }

    def _gate_get_pipelines(self):
        """Return a dict mapping each team of ``self`` to its ordered stages.

        Leads without a team map to an empty recordset. Look a lead's pipeline
        up with ``_gate_get_lead_pipeline``.
        """
        return self._gate_build_pipelines(self.team_id._origin)

    @api.model
    def _gate_build_pipelines(self, teams):
        """Override to change which stages make up a team's pipeline, or their order.

        Returns a dict mapping each team of ``teams``, and the empty team, to
        its ordered stages. A team's pipeline is the stages shared by all
        teams plus its own, by sequence then id. Won stages come last because
        winning closes the pipeline.
        """
        stages = (
            self.env["crm.stage"]
            .sudo()
            .search(
                ["|", ("team_id", "=", False), ("team_id", "in", teams.ids)],
                order="sequence, id",
            )
        )
        pipelines = {}
        for team in [self.env["crm.team"], *teams]:
            team_stages = stages.filtered(
                lambda stage, team=team: not stage.team_id or stage.team_id == team
            )
            pipelines[team] = team_stages.sorted(lambda stage: stage.is_won).sudo(False)
        return pipelines

    def _gate_get_lead_pipeline(self, pipelines):
        """Return the ordered stages of the lead's team from ``pipelines``."""
        self.ensure_one()
        team = self.team_id._origin
        if team not in pipelines:
            pipelines.update(self._gate_build_pipelines(team))
        return pipelines[team]

    def _gate_get_team_misfits(self, team_id):
        """Return the leads of ``self`` whose stage the team ``team_id`` does not use.

        Also returns the first stage of that team's pipeline, where they go.
        """
        team = self.env["crm.team"].browse(team_id)
        pipeline = self._gate_build_pipelines(team)[team]
        misfits = self.filtered(lambda lead: lead.stage_id and lead.stage_id not in pipeline)
        return misfits, pipeline[:1]

    def _gate_get_next_stage(self, pipelines):
        """Return the stage the lead may enter next, or an empty recordset."""
        self.ensure_one()
        if not self.active or not self.stage_id:
            return self.env["crm.stage"]
        pipeline = self._gate_get_lead_pipeline(pipelines)
        if self.stage_id not in pipeline:
            return pipeline[:1]
        index = list(pipeline).index(self.stage_id)
        return pipeline[index + 1 : index + 2]

    def _gate_get_evidence_files(self):
        """Return a dict mapping each lead id of ``self`` to its evidence files.

        Each file is a dict with the evidence ``type_id`` and ``date``, the
        ``extension`` of the file name and a ``key`` derived from the content.
        A file linked twice, or uploaded again in the chatter, has one key and
        is counted once. The read runs in sudo mode: the gate counts
        all the evidence of the lead, including records the current user is
        not allowed to read. It reads the cache first, so that evidence added
        in an unsaved form counts for the checklist.
        """
        files_by_lead = {}
        for lead in self.sudo():
            files = []
            for evidence in lead.evidence_ids:
                for attachment in evidence.attachment_ids:
                    extension = os.path.splitext(attachment.name or "")[1].lstrip(".").lower()
                    if not extension and attachment.mimetype:
                        extension = attachment.mimetype.rsplit("/", 1)[-1].lower()
                    files.append(
                        {
                            "type_id": evidence.type_id.id,
                            "date": evidence.date,
                            "extension": extension,
                            "key": attachment.checksum or f"attachment-{attachment.id}",
                        }
                    )
            files_by_lead[lead.id] = files
        return files_by_lead

    def _gate_eval_conditions(self, conditions):
        """Return a dict mapping each condition to the ids of the leads of ``self`` matching it.

        The domain is evaluated in memory on the current values, so that a
        condition reads a value written in the same ``write`` and an unsaved
        form, with one evaluation per condition for the whole batch.
        """
        leads = self.sudo().with_context(active_test=False)
        return {
            condition: set(leads.filtered_domain(condition._get_domain()).ids)
            for condition in conditions
        }

    def _gate_get_blocking_problems(self, previous_stage, gate_data):
        """Override to add problems that even an override cannot pass.

        ``self`` is one lead holding its new values. A lost lead cannot change
        stage, and a lead cannot enter a stage its team does not use.
        """
        self.ensure_one()
        # A lead created archived has no stage to leave, so only moves of
        # existing archived leads are refused here.
        if not self.active and previous_stage:
            return [
                self.env._(
                    "A lost lead cannot change stage. Restore it first, then move it from "
                    "its current stage."
                )
            ]
        pipeline = self._gate_get_lead_pipeline(gate_data["pipelines"])
        if self.stage_id and self.stage_id not in pipeline:
            return [
                self.env._(
                    "The stage %(stage)s is not part of the pipeline of the sales team "
                    "%(team)s. Choose a stage of that team.",
                    stage=self.stage_id.name,
                    team=self.team_id.name or self.env._("(no team)"),
                )
            ]
        return []

    def _gate_get_problems(self, previous_stage, gate_data):
        """Override to add checks: return one translated sentence per unmet rule.

        ``self`` is one lead already holding its new values, ``previous_stage``
        the stage it left (empty for a new lead), ``gate_data`` the result of
        ``_gate_prepare_data``.
        """
        self.ensure_one()
        pipeline = self._gate_get_lead_pipeline(gate_data["pipelines"])
        problems = self._gate_get_order_problems(previous_stage, pipeline)
        if self.stage_id:
            items = self._gate_get_rule_items(self.stage_id, gate_data)
            problems += self._gate_format_missing(self.stage_id, items)
        return problems

    def _gate_get_order_problems(self, previous_stage, pipeline):
        """Override to change which moves between stages of a pipeline are allowed.

        A lead moves forward one stage at a time, starts in the first stage,
        and moves back only when the stage it leaves allows it.
        """
        new_stage = self.stage_id
        if not new_stage:
            if previous_stage and not previous_stage.gate_allow_back:
                return [self._gate_message_no_back(previous_stage)]
            return []

        new_index = list(pipeline).index(new_stage)
        if previous_stage in pipeline:
            previous_index = list(pipeline).index(previous_stage)
        else:
            # A new lead, or a lead whose stage belongs to another team's
            # pipeline, has no place in this pipeline yet, so it starts over.
            previous_index = -1

        if new_index > previous_index + 1:
            skipped = pipeline[previous_index + 1 : new_index]
            return [
                self.env._(
                    "Stages cannot be skipped: move the lead to %(next_stage)s first "
                    "(skipped: %(skipped)s).",
                    next_stage=skipped[0].name,
                    skipped=", ".join(skipped.mapped("name")),
                )
            ]
        if new_index < previous_index and not previous_stage.gate_allow_back:
            return [self._gate_message_no_back(previous_stage)]
        return []

    def _gate_message_no_back(self, previous_stage):
        return self.env._(
            "Leads in the stage %(stage)s cannot be moved back to an earlier stage.",
            stage=previous_stage.name,
        )

    def _gate_get_rule_items(self, stage, gate_data):
        """Override to add rules: return the checklist items of ``stage`` for the lead.

        Each item is a dict with ``kind`` (field, evidence or condition), a
        translated ``label`` and ``ok``. Evidence items also carry ``found``
        and ``needed`` file counts.
        """
        self.ensure_one()
        stage = stage.sudo()
        items = []
        for rule in stage.gate_field_ids:
            items.append({"kind": "field", "label": rule._get_label(), "ok": rule._is_met(self)})

        files = gate_data["evidence_files"].get(self.id, [])
        for rule in stage.gate_evidence_ids:
            if not rule.type_ids:
                # Every type of the rule is archived: the rule no longer applies.
                continue
            found = rule._count_files(files, gate_data["today"])
            items.append(
                {
                    "kind": "evidence",
                    "label": rule._get_label(),
                    "ok": found >= rule.min_count,
                    "found": found,
                    "needed": rule.min_count,
                }
            )

        matching = gate_data["conditions"]
        for condition in stage.gate_condition_ids:
            items.append(
                {
                    "kind": "condition",
                    "label": condition.message,
                    "ok": self.id in matching.get(condition, ()),
                }
            )
        return items

    def _gate_format_missing(self, stage, items):
        """Return the sentences that tell a rep what ``stage`` still needs."""
        missing = [item for item in items if not item["ok"]]
        problems = []
        fields_missing = [item["label"] for item in missing if item["kind"] == "field"]
        if fields_missing:
            problems.append(
                self.env._(
                    "To enter %(stage)s, fill in: %(fields)s.",
                    stage=stage.name,
                    fields=", ".join(fields_missing),
                )
            )
        evidence_missing = [
            self.env._(
                "%(evidence)s (%(found)s of %(needed)s files)",
                evidence=item["label"],
                found=item["found"],
                needed=item["needed"],
            )
            for item in missing
            if item["kind"] == "evidence"
        ]
        if evidence_missing:
            problems.append(
                self.env._(
                    "To enter %(stage)s, add evidence with files for: %(types)s.",
                    stage=stage.name,
                    types="; ".join(evidence_missing),
                )
            )
        problems += [item["label"] for item in missing if item["kind"] == "condition"]
        return problems

    @api.model
    def _gate_render_checklist(self, stage, items):
        """Return the checklist of ``stage`` as HTML, one ticked or unticked line per rule."""
        if not stage:
            return False
        if not items:
            return Markup("<p>%s</p>") % self.env._(
                "%(stage)s has no requirements.", stage=stage.name
            )
        lines = Markup().join(
            Markup('<li><i class="fa %s me-1" role="img" aria-label="%s"/>%s</li>')
            % (
                "fa-check-square-o text-success" if item["ok"] else "fa-square-o text-danger",
                self.env._("Done") if item["ok"] else self.env._("Missing"),
                item["label"],
            )
            for item in items
        )
        return Markup('<ul class="list-unstyled mb-0">%s</ul>') % lines

    def _gate_raise(self, problems_by_lead):
        """Raise one error listing every failing lead with everything it misses."""
        lines = []
        for lead, problems in problems_by_lead.items():
            lines.append(
                self.env._(
                    "%(lead)s cannot move to %(stage)s:",
                    lead=lead.display_name,
                    stage=lead.stage_id.name or self.env._("no stage"),
                )
            )
            lines.extend(f"- {problem}" for problem in problems)
        raise UserError(
            self.env._(
                "The stage change was cancelled for all selected leads.\n%(details)s",
                details="\n".join(lines),
            )
        )

    def _gate_record_overrides(self, problems_by_lead, previous_stages, reason):
        """Log the override of each lead of ``self`` and post it in the lead's chatter."""
        self.env["crm.lead.gate.override"].sudo().create(
            [
                {
                    "lead_id": lead.id,
                    "stage_from_id": previous_stages[lead.id].id,
                    "stage_id": lead.stage_id.id,
                    "team_id": lead.team_id.id,
                    "user_id": self.env.uid,
                    "rules_skipped": "\n".join(problems_by_lead[lead]),
                    "reason": reason,
                }
                for lead in self
            ]
        )
        for lead in self:
            body = Markup("<p>%s</p><p>%s</p><ul>%s</ul>") % (
                self.env._(
                    "Stage gate of %(stage)s overridden. Reason: %(reason)s",
                    stage=lead.stage_id.name,
                    reason=reason,
                ),
                self.env._("Rules skipped:"),
                Markup().join(Markup("<li>%s</li>") % escape(p) for p in problems_by_lead[lead]),
            )
            lead.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------
    # STAGE HISTORY
    # ------------------------------------------------------------

    def _stage_history_open(self, previous_stages, overridden=None):
        """Close the open history rows of the leads and open one for their current stage.

        ``previous_stages`` maps each lead id to the stage it left and
        ``overridden`` contains the leads that passed the gate by override.

        Two SQL statements do the work for the whole batch, because the ORM
        writes rows in pages of 100 and a move of many leads would cost
        queries per lead. The rows are written whatever the user's rights:
        reps may not change history rows, and closing one is a change.
        """
        leads = self.filtered("stage_id")
        if not self:
            return
        overridden = overridden or self.browse()
        History = self.env["crm.lead.stage.history"]
        now = self.env.cr.now()
        # The lead's values are read from the cache, not from its table, so
        # that the pending update of the leads is not flushed in two parts.
        History.flush_model()

        # 1. Close the open rows, reading when each lead entered its stage.
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_lead_stage_history
                   SET date_out = %(now)s,
                       duration_days = EXTRACT(EPOCH FROM (%(now)s - date_in)) / 86400,
                       write_uid = %(uid)s,
                       write_date = %(now)s
                 WHERE lead_id = ANY(%(lead_ids)s) AND date_out IS NULL
             RETURNING lead_id, date_in
                """,
                now=now,
                uid=self.env.uid,
                lead_ids=self.ids,
            )
        )
        date_in_by_lead = {}
        for lead_id, date_in in self.env.cr.fetchall():
            date_in_by_lead[lead_id] = min(date_in, date_in_by_lead.get(lead_id, date_in))

        # 2. Open one row per lead in its current stage, with the lead's
        # current team, salesperson and company.
        if leads:
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO crm_lead_stage_history (
                        lead_id, stage_id, stage_from_id, team_id, user_id, company_id,
                        previous_duration_days, is_override, moved_by_id, date_in,
                        duration_days, is_imported, create_uid, create_date, write_uid, write_date)
                    SELECT moves.*, %(uid)s, %(now)s, 0, FALSE, %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM unnest(%(lead_ids)s::int[], %(stage_ids)s::int[], %(from_ids)s::int[],
                                  %(team_ids)s::int[], %(user_ids)s::int[], %(company_ids)s::int[],
                                  %(durations)s::float[], %(overrides)s::bool[]) AS moves
                    """,
                    uid=self.env.uid,
                    now=now,
                    lead_ids=leads.ids,
                    stage_ids=[lead.stage_id.id for lead in leads],
                    team_ids=[lead.team_id.id or None for lead in leads],
                    user_ids=[lead.user_id.id or None for lead in leads],
                    company_ids=[lead.company_id.id or None for lead in leads],
                    from_ids=[
                        previous_stages.get(lead.id, History.stage_id).id or None for lead in leads
                    ],
                    durations=[
                        (now - date_in_by_lead[lead.id]).total_seconds() / 86400
                        if lead.id in date_in_by_lead
                        else 0.0
                        for lead in leads
                    ],
                    overrides=[lead in overridden for lead in leads],
                )
            )
        History.invalidate_model()
        self.invalidate_recordset(["stage_history_ids"])
