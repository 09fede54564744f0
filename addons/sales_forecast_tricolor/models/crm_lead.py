import datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_date, format_datetime

FORECAST_COLORS = [
    ("green", "Green"),
    ("yellow", "Yellow"),
    ("red", "Red"),
]

# Higher is more credible. A lead takes the most credible colour among its
# evidence, so a payment voucher outweighs any number of verbal promises.
COLOR_RANK = {"red": 0, "yellow": 1, "green": 2}

# Fields only the evidence and the downgrades may set.
PROTECTED_FORECAST_FIELDS = ("forecast_color", "forecast_evidence_color")


class CrmLead(models.Model):
    _inherit = "crm.lead"

    forecast_evidence_color = fields.Selection(
        FORECAST_COLORS,
        string="Evidence Colour",
        compute="_compute_forecast_evidence_color",
        store=True,
        help="Best colour proven by the deal's valid evidence, before any downgrade.",
    )
    forecast_color = fields.Selection(
        FORECAST_COLORS,
        string="Forecast Colour",
        compute="_compute_forecast_color",
        store=True,
        index=True,
        tracking=True,
        help="Credibility of the deal, taken from its valid evidence: green for a "
        "signed contract, purchase order or payment voucher; yellow for a "
        "written purchase intent with an expected closing date; red for "
        "verbal or vague commitments and for deals without evidence. An active "
        "downgrade keeps it at or below the downgrade's colour.",
    )
    forecast_downgrade_ids = fields.One2many(
        "sales.forecast.downgrade", "lead_id", string="Forecast Downgrades"
    )
    forecast_color_reason = fields.Char(
        string="Forecast Colour Reason",
        compute="_compute_forecast_color_reason",
        help="The evidence that sets the forecast colour.",
    )
    forecast_weight = fields.Float(
        string="Forecast Weight",
        compute="_compute_forecast_weight",
        store=True,
        aggregator="avg",
        help="Share of the expected revenue counted in the weighted forecast, "
        "set by the company's weight for the forecast colour.",
    )
    forecast_weighted_revenue = fields.Monetary(
        string="Weighted Forecast",
        currency_field="company_currency",
        compute="_compute_forecast_weight",
        store=True,
        help="Expected revenue multiplied by the forecast weight.",
    )

    @api.depends("evidence_ids.color_class", "evidence_ids.forecast_expired", "date_deadline")
    def _compute_forecast_evidence_color(self):
        for lead in self:
            lead.forecast_evidence_color = lead._get_forecast_decision()[0]

    @api.depends(
        "forecast_evidence_color",
        "forecast_downgrade_ids.state",
        "forecast_downgrade_ids.color_to",
    )
    def _compute_forecast_color(self):
        for lead in self:
            downgrade = lead._get_forecast_active_downgrade()
            color = lead.forecast_evidence_color or "red"
            if downgrade and COLOR_RANK[downgrade.color_to] < COLOR_RANK[color]:
                color = downgrade.color_to
            lead.forecast_color = color

    @api.depends(
        "evidence_ids.color_class",
        "evidence_ids.date",
        "evidence_ids.type_id",
        "evidence_ids.forecast_expired",
        "date_deadline",
        "forecast_color",
    )
    def _compute_forecast_color_reason(self):
        labels = dict(self._fields["forecast_color"]._description_selection(self.env))
        for lead in self:
            color, evidence = lead._get_forecast_decision()
            downgrade = lead._get_forecast_active_downgrade()
            if downgrade and COLOR_RANK[downgrade.color_to] < COLOR_RANK[color]:
                lead.forecast_color_reason = lead._format_forecast_downgrade_reason(
                    labels, downgrade
                )
            else:
                lead.forecast_color_reason = lead._format_forecast_reason(labels[color], evidence)

    @api.depends(
        "forecast_color",
        "expected_revenue",
        "company_id",
        "team_id",
        "partner_id.industry_id",
        "partner_id.commercial_partner_id.industry_id",
    )
    def _compute_forecast_weight(self):
        overrides = self.env["sales.forecast.weight"]._get_weight_table(self.company_id)
        for lead in self:
            weight = lead._get_forecast_weight(overrides)
            lead.forecast_weight = weight
            lead.forecast_weighted_revenue = (lead.expected_revenue or 0.0) * weight

    def write(self, vals):
        protected = [fname for fname in PROTECTED_FORECAST_FIELDS if fname in vals]
        if protected:
            raise UserError(
                self.env._(
                    "The forecast colour follows the evidence and cannot be set by "
                    "hand. Record evidence to raise it, or ask a sales manager to "
                    "lower it with a reason."
                )
            )
        result = super().write(vals)
        if "date_deadline" in vals or vals.get("active") is False:
            self._record_forecast_deviations(lost=vals.get("active") is False)
        return result

    def _record_forecast_deviations(self, lost=False):
        """Record a deviation for deals of the current period's forecast that were
        lost or whose expected closing left the period."""
        today = fields.Date.context_today(self)
        lines = (
            self.env["sales.forecast.snapshot.line"]
            .sudo()
            .search(
                [
                    ("lead_id", "in", self.ids),
                    ("snapshot_id.period_start", "<=", today),
                    ("snapshot_id.period_end", ">=", today),
                ]
            )
        )
        lines = lines.filtered(
            lambda line: (
                line.date_deadline
                and line.snapshot_id.period_start
                <= line.date_deadline
                <= line.snapshot_id.period_end
            )
        )
        if lost:
            self.env["sales.forecast.deviation"]._record_deviations(lines, "lost")
            return
        slipped = lines.filtered(
            lambda line: (
                not line.lead_id.date_deadline
                or line.lead_id.date_deadline > line.snapshot_id.period_end
            )
        )
        self.env["sales.forecast.deviation"]._record_deviations(slipped, "slipped")

    def _track_subtype(self, init_values):
        self.ensure_one()
        subtype = super()._track_subtype(init_values)
        if not subtype and "forecast_color" in init_values:
            return self.env.ref("sales_forecast_tricolor.mt_lead_forecast_color")
        return subtype

    def _get_forecast_evidence(self):
        """Return the evidence that counts for the forecast colour: the unexpired one.

        Override to leave out more evidence, such as rejected evidence. The
        overriding module must extend the ``@api.depends`` of the colour to match.
        """
        self.ensure_one()
        return self.evidence_ids.filtered(lambda evidence: not evidence.forecast_expired)

    def _get_forecast_industry(self):
        """Return the customer's industry, or its company's when the contact has none."""
        self.ensure_one()
        partner = self.partner_id
        return partner.industry_id or partner.commercial_partner_id.industry_id

    def _get_forecast_weight(self, overrides=None):
        """Return the weight for the lead's colour.

        The most specific weight wins: an override for the lead's sales team
        and industry, then one for its team, then one for its industry, then
        the company's weights. ``overrides`` is the table returned by
        ``sales.forecast.weight._get_weight_table``; it is read when missing.
        """
        self.ensure_one()
        company = self.company_id or self.env.company
        if overrides is None:
            overrides = self.env["sales.forecast.weight"]._get_weight_table(company)
        team_id = self.team_id.id or False
        industry_id = self._get_forecast_industry().id or False
        for key in (
            (company.id, team_id, industry_id),
            (company.id, team_id, False),
            (company.id, False, industry_id),
        ):
            if key[1:] != (False, False) and key in overrides:
                return overrides[key][self.forecast_color or "red"]
        return company._get_forecast_weights()[self.forecast_color or "red"]

    def _get_forecast_active_downgrade(self):
        """Return the active downgrade that sets the lowest colour, if any."""
        self.ensure_one()
        active = self.forecast_downgrade_ids.filtered(lambda item: item.state == "active")
        return active.sorted(lambda item: (COLOR_RANK[item.color_to], -item.id))[:1]

    def _get_forecast_decision(self):
        """Return the lead's colour and the evidence record that sets it.

        Yellow evidence counts as red while the lead has no expected closing
        date, because a purchase intent without a date cannot be placed in a
        forecast period. Among evidence of the deciding colour the one with
        the more credible type wins, then the newest, so the explanation names
        the document a manager would look at first. The evidence is empty when
        the lead has none.
        """
        self.ensure_one()
        best_color = "red"
        best_key = None
        best_evidence = self.env["crm.lead.evidence"]
        for evidence in self._get_forecast_evidence():
            own_color = evidence.color_class or "red"
            color = own_color
            if color == "yellow" and not self.date_deadline:
                color = "red"
            key = (
                COLOR_RANK[color],
                COLOR_RANK[own_color],
                evidence.date or datetime.date.min,
                evidence.id or 0,
            )
            if best_key is None or key > best_key:
                best_color, best_key, best_evidence = color, key, evidence
        return best_color, best_evidence

    def _format_forecast_downgrade_reason(self, labels, downgrade):
        """Return the sentence that explains a colour set by a downgrade."""
        self.ensure_one()
        return self.env._(
            "%(color)s because: lowered from %(color_from)s by %(user)s on %(date)s: %(reason)s",
            color=labels[downgrade.color_to],
            color_from=labels[downgrade.color_from],
            user=downgrade.user_id.name or "",
            date=format_datetime(self.env, downgrade.create_date, dt_format="short"),
            reason=downgrade.reason,
        )

    def _format_forecast_reason(self, color_label, evidence):
        """Return the sentence that explains the colour, in the user's language."""
        self.ensure_one()
        if not evidence:
            expired = self.evidence_ids.filtered("forecast_expired").sorted("date_expiry")[-1:]
            if expired:
                return self.env._(
                    "%(color)s because: no valid evidence, %(evidence_type)s of %(date)s "
                    "expired on %(expiry)s",
                    color=color_label,
                    evidence_type=expired.type_id.name,
                    date=format_date(self.env, expired.date),
                    expiry=format_date(self.env, expired.date_expiry),
                )
            return self.env._("%(color)s because: no evidence", color=color_label)

        evidence_type = evidence.type_id.name
        evidence_date = format_date(self.env, evidence.date)
        if evidence.color_class == "yellow" and not self.date_deadline:
            return self.env._(
                "%(color)s because: %(evidence_type)s of %(date)s counts as "
                "yellow only with an expected closing date",
                color=color_label,
                evidence_type=evidence_type,
                date=evidence_date,
            )
        if evidence.color_class == "yellow":
            return self.env._(
                "%(color)s because: %(evidence_type)s of %(date)s, expected closing %(deadline)s",
                color=color_label,
                evidence_type=evidence_type,
                date=evidence_date,
                deadline=format_date(self.env, self.date_deadline),
            )
        return self.env._(
            "%(color)s because: %(evidence_type)s of %(date)s",
            color=color_label,
            evidence_type=evidence_type,
            date=evidence_date,
        )

    @api.model
    def _get_forecast_open_domain(self, companies=None):
        """Return the domain of open leads: active and not in a won stage."""
        domain = [
            ("active", "=", True),
            "|",
            ("stage_id", "=", False),
            ("stage_id.is_won", "=", False),
        ]
        if companies is not None:
            domain.append(("company_id", "in", companies.ids))
        return domain

    # ------------------------------------------------------------
    # DOWNGRADES
    # ------------------------------------------------------------

    def action_open_forecast_downgrade(self):
        self.ensure_one()
        self._check_forecast_downgrade_access()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Lower Forecast Colour"),
            "res_model": "sales.forecast.downgrade.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_id": self.id},
        }

    def _check_forecast_downgrade_access(self):
        """Raise unless the user may lower these deals' colour by hand.

        Sales managers may lower any deal they can read; a team leader may
        lower the deals of the teams they lead.
        """
        if self.env.su or self.env.user.has_group("sales_team.group_sale_manager"):
            return
        for lead in self:
            if lead.team_id.user_id != self.env.user:
                raise AccessError(
                    self.env._(
                        "Only a sales manager or the leader of its sales team can "
                        "lower the forecast colour of %(lead)s.",
                        lead=lead.display_name,
                    )
                )

    def _forecast_downgrade(self, color, reason, kind="manual", **extra):
        """Lower the deals' forecast colour to ``color`` and log why.

        Deals already at or below ``color`` are left alone. ``extra`` contains
        more values of the downgrades, such as ``date_end``. Returns the
        downgrades created.
        """
        if not (reason or "").strip():
            raise UserError(self.env._("Enter the reason for lowering the forecast colour."))
        if kind == "manual":
            self._check_forecast_downgrade_access()

        labels = dict(self._fields["forecast_color"]._description_selection(self.env))
        vals_list = []
        for lead in self:
            current = lead.forecast_color or "red"
            if COLOR_RANK[color] >= COLOR_RANK[current]:
                continue
            vals_list.append(
                {
                    "lead_id": lead.id,
                    "color_from": current,
                    "color_to": color,
                    "kind": kind,
                    "reason": reason,
                    "user_id": self.env.user.id,
                    **extra,
                }
            )
        downgrades = self.env["sales.forecast.downgrade"].sudo().create(vals_list)
        for downgrade in downgrades:
            downgrade.lead_id._message_log(
                body=self.env._(
                    "Forecast colour lowered from %(color_from)s to %(color_to)s: %(reason)s",
                    color_from=labels[downgrade.color_from],
                    color_to=labels[downgrade.color_to],
                    reason=reason,
                )
            )
        return downgrades
