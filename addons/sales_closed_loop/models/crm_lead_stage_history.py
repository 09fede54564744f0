from odoo import api, fields, models


class CrmLeadStageHistory(models.Model):
    """One stay of a lead in a stage, from the time it entered to the time it left.

    The row is written by the stage gate when a lead is created in or moved to
    a stage, and rebuilt from the stage tracking of existing leads when the
    module is installed. ``date_out`` stays empty while the lead is still in
    the stage. ``moved_by_id`` is the user who moved the lead and ``user_id``
    the salesperson of the lead at that time.
    """

    _name = "crm.lead.stage.history"
    _description = "Lead Stage History"
    _order = "date_in desc, id desc"

    lead_id = fields.Many2one(
        "crm.lead", string="Lead", required=True, ondelete="cascade", index=True
    )
    stage_id = fields.Many2one("crm.stage", string="Stage", required=True, ondelete="cascade")
    stage_from_id = fields.Many2one(
        "crm.stage",
        string="From Stage",
        ondelete="set null",
        help="Stage the lead left to enter this one. Empty for the first stage of a lead.",
    )
    moved_by_id = fields.Many2one(
        "res.users", string="Moved By", default=lambda self: self.env.user, ondelete="set null"
    )
    team_id = fields.Many2one("crm.team", string="Sales Team")
    user_id = fields.Many2one(
        "res.users", string="Salesperson", help="Salesperson of the lead when it entered the stage."
    )
    date_in = fields.Datetime(string="Entered On", required=True, default=fields.Datetime.now)
    date_out = fields.Datetime(string="Left On")
    duration_days = fields.Float(
        string="Days in Stage",
        compute="_compute_duration_days",
        store=True,
        aggregator="avg",
        help="Time between entering and leaving the stage, in days. Empty while the lead "
        "is still in the stage.",
    )
    previous_duration_days = fields.Float(
        string="Days in Previous Stage",
        aggregator="avg",
        help="Time the lead spent in the stage it left, in days.",
    )
    is_override = fields.Boolean(
        string="Gate Overridden",
        help="The lead entered this stage through the override wizard without meeting its gate.",
    )
    is_imported = fields.Boolean(
        string="Imported", help="Row loaded from a pipeline history file, with its original dates."
    )
    company_id = fields.Many2one(related="lead_id.company_id", store=True)

    @api.depends("date_in", "date_out")
    def _compute_duration_days(self):
        for row in self:
            if row.date_in and row.date_out:
                row.duration_days = (row.date_out - row.date_in).total_seconds() / 86400
            else:
                row.duration_days = 0.0

    @api.model
    def _rebuild_from_tracking(self, leads, stage_map=None):
        """Write the stage history of ``leads`` from the stage tracking of their chatter.

        Used on install, so that a database that already has leads gets their
        past at once. Existing history rows of the leads are replaced.
        ``stage_map`` maps stage ids that no longer exist (or should be read
        as another stage) to the stage id to record instead. A lead without
        tracking gets one open row for its current stage, dated from its last
        stage change. Returns the created rows.
        """
        stage_map = stage_map or {}
        leads = leads.with_context(active_test=False).filtered("stage_id")
        if not leads:
            return self.browse()

        # 1. Read every stage change of the leads, oldest first, in one query.
        stage_field = self.env["ir.model.fields"]._get("crm.lead", "stage_id")
        trackings = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("field_id", "=", stage_field.id),
                    ("mail_message_id.model", "=", "crm.lead"),
                    ("mail_message_id.res_id", "in", leads.ids),
                ]
            )
        )
        changes_by_lead = {}
        for tracking in trackings.sorted(lambda t: (t.mail_message_id.date, t.id)):
            message = tracking.mail_message_id
            changes_by_lead.setdefault(message.res_id, []).append(
                (
                    message.date,
                    tracking.old_value_integer,
                    tracking.new_value_integer,
                    message.create_uid.id,
                )
            )
        existing_stage_ids = set(self.env["crm.stage"].sudo().search([]).ids)

        def known(stage_id):
            stage_id = stage_map.get(stage_id, stage_id)
            return stage_id if stage_id in existing_stage_ids else False

        # 2. Turn each lead's changes into stays: the stage before the first
        # change from the creation, then each new stage until the next change.
        vals_list = []
        for lead in leads:
            stays = []  # [stage_id, date_in, moved_by_id]
            changes = changes_by_lead.get(lead.id, [])
            if changes:
                stays.append([known(changes[0][1]), lead.create_date, lead.create_uid.id])
            for date, _old, new, user_id in changes:
                stays.append([known(new), date, user_id])
            if not stays or stays[-1][0] != lead.stage_id.id:
                stays.append(
                    [
                        lead.stage_id.id,
                        lead.date_last_stage_update or lead.create_date,
                        lead.write_uid.id,
                    ]
                )
            # Drop stays in unknown stages and merge repeated stages. Message
            # dates are stored to the second while the creation date keeps
            # microseconds, so a stay never starts before the one it follows.
            merged = []
            for stay in stays:
                if not stay[0]:
                    continue
                if merged and merged[-1][0] == stay[0]:
                    continue
                if merged:
                    stay[1] = max(stay[1], merged[-1][1])
                merged.append(stay)

            for index, (stage_id, date_in, moved_by_id) in enumerate(merged):
                previous = merged[index - 1] if index else None
                following = merged[index + 1] if index + 1 < len(merged) else None
                vals_list.append(
                    {
                        "lead_id": lead.id,
                        "stage_id": stage_id,
                        "stage_from_id": previous[0] if previous else False,
                        "team_id": lead.team_id.id,
                        "user_id": lead.user_id.id,
                        "moved_by_id": moved_by_id,
                        "date_in": date_in,
                        "date_out": following[1] if following else False,
                        "previous_duration_days": (
                            (date_in - previous[1]).total_seconds() / 86400 if previous else 0.0
                        ),
                    }
                )

        # 3. Replace the rows of the leads.
        self.sudo().search([("lead_id", "in", leads.ids)]).unlink()
        return self.sudo().create(vals_list)
