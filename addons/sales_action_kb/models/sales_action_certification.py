import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)


class SalesActionCertification(models.Model):
    """The action certification of one rep: start date, progress and badge.

    One row per rep, created with the rep's first drill or by a manager who
    enrols a new hire. The start date is the hire date as far as the sales
    team is concerned; the row shows how many days certification took.
    """

    _name = "sales.action.certification"
    _description = "New-Hire Certification"
    _order = "certified_on desc, start_date desc, id desc"
    _rec_name = "user_id"

    user_id = fields.Many2one(
        "res.users", string="Salesperson", required=True, index=True, ondelete="cascade"
    )
    start_date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="Day the salesperson joined the team or started the certification.",
    )
    drill_ids = fields.One2many("sales.action.drill", compute="_compute_progress", string="Drills")
    confirmed_count = fields.Integer(
        string="Confirmed Actions",
        compute="_compute_progress",
        help="Standard actions drilled and confirmed by a manager.",
    )
    required_count = fields.Integer(string="Required Actions", compute="_compute_progress")
    certified_on = fields.Date(readonly=True)
    days_to_certify = fields.Integer(
        string="Days to Certification", compute="_compute_days_to_certify", store=True
    )
    is_certified = fields.Boolean(
        string="Certified", compute="_compute_days_to_certify", store=True
    )

    _sql_constraints = [
        ("user_unique", "unique(user_id)", "A salesperson has one certification record."),
    ]

    def _compute_progress(self):
        standard = self.env["sales.action"].sudo().search([("is_standard", "=", True)])
        drills = self.env["sales.action.drill"].sudo().search([("user_id", "in", self.user_id.ids)])
        for certification in self:
            own = drills.filtered(lambda drill, c=certification: drill.user_id == c.user_id)
            certification.drill_ids = own.with_env(self.env)
            confirmed = own.filtered(lambda drill: drill.state == "confirmed").action_id
            certification.confirmed_count = len(confirmed & standard)
            certification.required_count = len(standard)

    @api.depends("start_date", "certified_on")
    def _compute_days_to_certify(self):
        for certification in self:
            certification.is_certified = bool(certification.certified_on)
            certification.days_to_certify = (
                (certification.certified_on - certification.start_date).days
                if certification.certified_on and certification.start_date
                else 0
            )

    @api.model
    def _get_badge(self):
        """Override to grant another badge."""
        return self.env.ref("sales_action_kb.badge_action_certification", raise_if_not_found=False)

    @api.model
    def _ensure_for_users(self, users):
        """Return the certification rows of ``users``, creating the missing ones."""
        Certification = self.sudo()
        certifications = Certification.search([("user_id", "in", users.ids)])
        missing = users - certifications.user_id
        if missing:
            certifications |= Certification.create(
                [{"user_id": user.id, "start_date": self._user_today(user)} for user in missing]
            )
        return certifications

    @api.model
    def _user_today(self, user):
        """Return today's date in the time zone of ``user``, not of the user running the code."""
        return fields.Date.context_today(self.with_context(tz=user.tz or "UTC"))

    @api.model
    def _certify_users(self, users):
        """Certify each of ``users`` with a confirmed drill of every standard action.

        The badge is granted once per rep, in sudo because reps and managers
        may not grant badges themselves; the manager is named as its sender.
        """
        certifications = self._ensure_for_users(users)
        badge = self._get_badge()
        for certification in certifications:
            if certification.certified_on or not certification.required_count:
                continue
            if certification.confirmed_count < certification.required_count:
                continue
            # Days to certification are counted in the rep's days, not the confirming manager's.
            certification.certified_on = self._user_today(certification.user_id)
            if badge and badge not in certification.user_id.badge_ids.badge_id:
                badge_user = (
                    self.env["gamification.badge.user"]
                    .sudo()
                    .create(
                        {
                            "user_id": certification.user_id.id,
                            "sender_id": self.env.user.id,
                            "badge_id": badge.id,
                            "comment": self.env._("All standard sales action drills confirmed."),
                        }
                    )
                )
                badge_user._send_badge()
            _logger.info("Sales action certification granted to user %s", certification.user_id.id)
