"""Public page of the tracked share links.

    GET /sales_closed_loop/share/<token>

Serves the shared file. A GET request by a visitor who is not logged in as an
internal user counts as a view of the link. The view is also recorded as a
``document_view`` interaction from the customer on the lead, at most once per
link per hour (see ``crm.lead.share.link._register_view``). An unknown or
revoked token returns 404.
"""

from odoo import http
from odoo.http import request


class ShareLinkController(http.Controller):
    @http.route(
        "/sales_closed_loop/share/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        readonly=False,
    )
    def open_share_link(self, token, **kwargs):
        link = request.env["crm.lead.share.link"]._get_by_token(token)
        attachment = link.attachment_id.sudo()
        if not link or not attachment.exists():
            raise request.not_found()
        # A HEAD request (link checkers, some chat previews) downloads nothing: not a view.
        if request.httprequest.method == "GET" and not request.env.user._is_internal():
            link._register_view()
        stream = request.env["ir.binary"]._get_stream_from(attachment)
        response = stream.get_response(as_attachment=False)
        # Each opening must reach the server to be counted, and a shared file
        # is not kept by proxies.
        response.headers["Cache-Control"] = "private, no-store"
        return response
