"""Tracked share links: a customer opening a file we shared counts as an interaction.

A salesperson shares a file of a lead (one of its attachments, or a file of
one of its evidence records) through a link with a random token. Opening the
link without being logged in as an internal user serves the file, counts the
view and records a ``document_view`` interaction from the customer on the
lead, at most once per link per ``COUNT_WINDOW``. Views by internal users (a
salesperson checking their own link) are served but never counted. A revoked
link returns 404 Not Found.
"""

import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# A view counts as an interaction once per link in this window, so that
# reloading the page or opening it on two devices does not flood the ledger.
COUNT_WINDOW = timedelta(hours=1)
# The interaction source of share link views; reserved for this module.
SHARE_LINK_SOURCE = "share_link"
SHARE_ROUTE = "/sales_closed_loop/share/"


class CrmLeadShareLink(models.Model):
    _name = "crm.lead.share.link"
    _description = "Lead Document Share Link"
    _order = "create_date desc, id desc"
    _rec_name = "attachment_id"

    lead_id = fields.Many2one(
        "crm.lead", string="Lead", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
    attachment_id = fields.Many2one(
        "ir.attachment", string="Document", required=True, ondelete="cascade", readonly=True
    )
    evidence_id = fields.Many2one(
        "crm.lead.evidence", string="Evidence", ondelete="set null", readonly=True
    )
    token = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: secrets.token_urlsafe(32),
        groups="sales_team.group_sale_salesman",
    )
    url = fields.Char(string="Link", compute="_compute_url")
    active = fields.Boolean(
        default=True, help="Archived links are revoked: opening them returns Not Found."
    )
    revoked_date = fields.Datetime(string="Revoked On", readonly=True, copy=False)
    view_count = fields.Integer(
        string="Views",
        readonly=True,
        copy=False,
        help="Times someone opened the link without being logged in as an employee.",
    )
    first_view_date = fields.Datetime(string="First Viewed", readonly=True, copy=False)
    last_view_date = fields.Datetime(string="Last Viewed", readonly=True, copy=False)
    last_counted_date = fields.Datetime(
        string="Last Counted View",
        readonly=True,
        copy=False,
        help="Last view recorded as an interaction with the customer. Views within "
        "one hour after it are counted but not recorded again.",
    )

    _sql_constraints = [
        ("token_unique", "unique(token)", "A share link with this token already exists."),
    ]

    @api.depends("token")
    def _compute_url(self):
        for link in self:
            base_url = link.lead_id.get_base_url() if link.lead_id else link.get_base_url()
            link.url = f"{base_url}{SHARE_ROUTE}{link.sudo().token}" if link.sudo().token else False

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            lead = self.env["crm.lead"].browse(vals.get("lead_id"))
            attachment = self.env["ir.attachment"].browse(vals.get("attachment_id"))
            evidence = self.env["crm.lead.evidence"].browse(vals.get("evidence_id"))
            self._check_shareable(lead, attachment, evidence)
        return super().create(vals_list)

    @api.model
    def _check_shareable(self, lead, attachment, evidence):
        """Raise unless the current user may share ``attachment`` of ``lead``."""
        lead.check_access("read")
        attachment.check_access("read")
        if evidence and evidence.lead_id != lead:
            raise UserError(self.env._("The evidence belongs to another lead."))
        on_lead = attachment.res_model == "crm.lead" and attachment.res_id == lead.id
        on_evidence = attachment in lead.sudo().evidence_ids.attachment_ids
        if not (on_lead or on_evidence):
            raise UserError(
                self.env._("Only a file attached to the lead or to its evidence can be shared.")
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_revoke(self):
        """Revoke the links, so that opening them returns 404 Not Found."""
        self.check_access("read")
        self.sudo().write({"active": False, "revoked_date": fields.Datetime.now()})
        return True

    # ------------------------------------------------------------
    # PUBLIC VIEWS
    # ------------------------------------------------------------

    @api.model
    def _get_by_token(self, token):
        """Return the active link of ``token`` in sudo mode, or an empty recordset."""
        if not token or not isinstance(token, str) or len(token) > 128:
            return self.sudo().browse()
        return self.sudo().search([("token", "=", token)], limit=1)

    def _register_view(self, now=None):
        """Count a view of the link by the customer; return whether it was recorded.

        The link's row is locked so that two simultaneous views are counted
        one after the other. The first view, and the first one after each
        ``COUNT_WINDOW``, is recorded as a ``document_view`` interaction from
        the customer on the lead.
        """
        self.ensure_one()
        link = self.sudo()
        now = now or fields.Datetime.now()
        self.env.cr.execute(
            SQL("SELECT id FROM crm_lead_share_link WHERE id = %s FOR UPDATE", link.id)
        )
        link.invalidate_recordset(
            ["view_count", "first_view_date", "last_view_date", "last_counted_date"]
        )
        recorded = not link.last_counted_date or now - link.last_counted_date >= COUNT_WINDOW
        values = {"view_count": link.view_count + 1, "last_view_date": now}
        if not link.first_view_date:
            values["first_view_date"] = now
        if recorded:
            values["last_counted_date"] = now
        link.write(values)
        if recorded:
            self.env["crm.lead"]._interaction_register(
                [
                    {
                        "lead_id": link.lead_id.id,
                        "date": now,
                        "kind": "document_view",
                        "direction": "inbound",
                        "user_id": link.lead_id.user_id.id,
                        "source": SHARE_LINK_SOURCE,
                        "source_ref": f"{link.id}:{fields.Datetime.to_string(now)}",
                        "summary": (link.attachment_id.name or "")[:200],
                    }
                ]
            )
        return recorded


class CrmLead(models.Model):
    _inherit = "crm.lead"

    share_link_ids = fields.One2many(
        "crm.lead.share.link", "lead_id", string="Share Links", readonly=True
    )
    share_link_count = fields.Integer(compute="_compute_share_link_count")

    @api.depends("share_link_ids")
    def _compute_share_link_count(self):
        for lead in self:
            lead.share_link_count = len(lead.share_link_ids)

    def action_share_document(self):
        """Open the dialog that shares one of the lead's files through a tracked link."""
        self.ensure_one()
        return self.env["crm.lead.share.link.wizard"]._action_open(lead=self)

    def action_view_share_links(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_closed_loop.crm_lead_share_link_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"active_test": False}
        return action


class CrmLeadEvidence(models.Model):
    _inherit = "crm.lead.evidence"

    def action_share_link(self):
        """Open the dialog that shares one of this evidence's files through a tracked link."""
        self.ensure_one()
        return self.env["crm.lead.share.link.wizard"]._action_open(lead=self.lead_id, evidence=self)
