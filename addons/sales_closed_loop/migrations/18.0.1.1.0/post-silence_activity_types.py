"""Count calls and meetings done as customer interactions in databases that
update from 18.0.1.0.0, where the noupdate data of mail's activity types is
not written again."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in ("mail.mail_activity_data_call", "mail.mail_activity_data_meeting"):
        activity_type = env.ref(xmlid, raise_if_not_found=False)
        if activity_type:
            activity_type.counts_as_interaction = True
