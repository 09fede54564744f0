"""Apply the flags of ``noupdate`` data to databases updated from 18.0.1.0.0.

A module update does not write ``noupdate`` data on records that already
exist, so the flags on the shipped actions and on base's industries are set
here. Each is set only when nothing carries it yet, so a team's own choice is
never overwritten.
"""

from odoo import SUPERUSER_ID, api

STANDARD_ACTION_XMLIDS = [
    "sales_action_kb.sales_action_d1",
    "sales_action_kb.sales_action_d5",
    "sales_action_kb.sales_action_d7",
    "sales_action_kb.sales_action_d8",
    "sales_action_kb.sales_action_d13",
]
CANONICAL_INDUSTRY_XMLIDS = [
    f"base.res_partner_industry_{letter}" for letter in "ABCDEFGHIJKLMNOPQRSTU"
]


def _flag(env, model, field, xmlids):
    Model = env[model].with_context(active_test=False)
    if Model.search_count([(field, "=", True)]):
        return
    records = Model.browse()
    for xmlid in xmlids:
        records |= env.ref(xmlid, raise_if_not_found=False) or Model.browse()
    records.write({field: True})


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    _flag(env, "sales.action", "is_standard", STANDARD_ACTION_XMLIDS)
    _flag(env, "res.partner.industry", "is_canonical", CANONICAL_INDUSTRY_XMLIDS)
