import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from .crm_lead import COLOR_RANK

_logger = logging.getLogger(__name__)


class CrmLeadEvidence(models.Model):
    _inherit = "crm.lead.evidence"

    date_expiry = fields.Date(
        string="Valid Until",
        compute="_compute_date_expiry",
        store=True,
        readonly=False,
        index=True,
        help="Last day on which this evidence counts for the forecast colour. "
        "Filled from the evidence type's validity, and can be changed by hand; "
        "empty means it never expires.",
    )
    forecast_expired = fields.Boolean(
        string="Expired",
        compute="_compute_forecast_expired",
        store=True,
        readonly=False,
        help="Set once the validity date is past: expired evidence no longer "
        "counts for the forecast colour.",
    )

    @api.depends("date", "type_id.forecast_validity_days")
    def _compute_date_expiry(self):
        for evidence in self:
            days = evidence.type_id.forecast_validity_days
            if evidence.date and days:
                evidence.date_expiry = evidence.date + relativedelta(days=days)
            else:
                evidence.date_expiry = False

    @api.depends("date_expiry")
    def _compute_forecast_expired(self):
        today = fields.Date.context_today(self)
        for evidence in self:
            evidence.forecast_expired = bool(evidence.date_expiry and evidence.date_expiry < today)

    @api.model_create_multi
    def create(self, vals_list):
        evidences = super().create(vals_list)
        evidences._lift_forecast_downgrades()
        evidences._confirm_forecast_calibration()
        return evidences

    def _confirm_forecast_calibration(self):
        """Confirm the deals waiting on an open calibration day with this new evidence.

        The evidence must prove at least the colour the deal had that morning.
        """
        valid = self.filtered(lambda evidence: not evidence.forecast_expired)
        if not valid:
            return
        items = (
            self.env["sales.forecast.calibration.item"]
            .sudo()
            .search(
                [
                    ("lead_id", "in", valid.lead_id.ids),
                    ("state", "=", "pending"),
                    ("calibration_id.state", "=", "open"),
                ]
            )
        )
        for item in items:
            evidence = valid.filtered(
                lambda evidence, item=item: (
                    evidence.lead_id == item.lead_id
                    and COLOR_RANK[evidence.color_class or "red"] >= COLOR_RANK[item.color_before]
                )
            )
            if evidence:
                item._confirm(evidence[:1])

    def _lift_forecast_downgrades(self):
        """Lift the active downgrades of the leads that this evidence re-proves.

        A downgrade is lifted by valid evidence recorded after it whose colour
        class is at least the colour the downgrade took away, so a verbal
        promise cannot undo a manager's downgrade of a purchase order.
        """
        valid = self.filtered(lambda evidence: not evidence.forecast_expired)
        if not valid:
            return
        downgrades = (
            self.env["sales.forecast.downgrade"]
            .sudo()
            .search([("lead_id", "in", valid.lead_id.ids), ("state", "=", "active")])
        )
        for downgrade in downgrades:
            proof = valid.filtered(
                lambda evidence, downgrade=downgrade: (
                    evidence.lead_id == downgrade.lead_id and downgrade._is_lifted_by(evidence)
                )
            )[:1]
            if proof:
                downgrade._lift(proof)

    @api.model
    def _cron_expire_forecast_evidence(self):
        """Mark evidence whose validity date has passed as expired.

        The flag is stored so that the stored forecast colour of the lead
        follows it: marking the evidence expired recomputes the colour.
        """
        today = fields.Date.context_today(self)
        expired = self.sudo().search(
            [("date_expiry", "<", today), ("forecast_expired", "=", False)]
        )
        expired.write({"forecast_expired": True})
        _logger.info("Marked %s evidence records expired for the forecast colour", len(expired))
        return expired
