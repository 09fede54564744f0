from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

DRILL_STATES = [
    ("draft", "Draft"),
    ("submitted", "Waiting for Manager"),
    ("confirmed", "Confirmed"),
    ("rejected", "To Redo"),
]


class SalesActionDrill(models.Model):
    """A practice run of a standard action by a rep, confirmed by a sales manager.

    Once a rep has a confirmed drill for every standard action, the action
    certification badge (动作认证徽章) is granted through Odoo's gamification.
    """

    _name = "sales.action.drill"
    _description = "Sales Action Drill"
    _inherit = ["mail.thread"]
    _order = "create_date desc, id desc"
    _rec_name = "action_id"

    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        index=True,
        default=lambda self: self.env.user,
        tracking=True,
    )
    action_id = fields.Many2one(
        "sales.action",
        string="Action",
        required=True,
        domain=[("is_standard", "=", True)],
        ondelete="restrict",
    )
    note = fields.Text(
        string="Drill Notes",
        help="How the drill went: the role play, the recording, what to improve.",
    )
    state = fields.Selection(DRILL_STATES, required=True, default="draft", tracking=True)
    confirmed_by_id = fields.Many2one("res.users", string="Confirmed By", readonly=True)
    confirmed_on = fields.Date(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        drills = super().create(vals_list)
        drills._check_state_change(vals_list)
        self.env["sales.action.certification"]._ensure_for_users(drills.user_id)
        self._invalidate_progress()
        return drills

    def write(self, vals):
        self._check_state_change([vals])
        if (
            {"action_id", "user_id"} & set(vals)
            and not (self.env.su or self._is_manager())
            and any(drill.state == "confirmed" for drill in self)
        ):
            raise AccessError(
                self.env._("A confirmed drill cannot be moved to another action or salesperson.")
            )
        result = super().write(vals)
        self._invalidate_progress()
        return result

    def _invalidate_progress(self):
        """Drop the cached progress of certifications, which is computed from the drills."""
        self.env["sales.action.certification"].invalidate_model(
            ["drill_ids", "confirmed_count", "required_count"]
        )

    def _check_state_change(self, vals_list):
        """Keep reps from confirming drills by writing the fields directly."""
        if self.env.su or self._is_manager():
            return
        for vals in vals_list:
            if vals.get("state") in ("confirmed", "rejected") or vals.get("confirmed_by_id"):
                raise AccessError(self.env._("Only sales managers can confirm or reject drills."))

    def action_submit(self):
        """Ask a manager to confirm the drill."""
        for drill in self:
            if drill.user_id != self.env.user and not self._is_manager():
                raise UserError(self.env._("Only the salesperson who did the drill can submit it."))
        self.write({"state": "submitted"})

    def action_confirm(self):
        """Confirm the drills (managers only) and certify the reps who completed every one."""
        self._check_manager()
        for drill in self:
            if drill.user_id == self.env.user:
                raise UserError(self.env._("Another sales manager must confirm your own drill."))
        self.sudo().write(
            {
                "state": "confirmed",
                "confirmed_by_id": self.env.user.id,
                "confirmed_on": fields.Date.context_today(self),
            }
        )
        self.env["sales.action.certification"]._certify_users(self.user_id)

    def action_reject(self):
        """Send the drills back to the rep to practise again (managers only)."""
        self._check_manager()
        self.sudo().write({"state": "rejected", "confirmed_by_id": False, "confirmed_on": False})

    @api.model
    def _is_manager(self):
        return self.env.user.has_group("sales_team.group_sale_manager")

    def _check_manager(self):
        if not self._is_manager():
            raise AccessError(self.env._("Only sales managers can confirm or reject drills."))
