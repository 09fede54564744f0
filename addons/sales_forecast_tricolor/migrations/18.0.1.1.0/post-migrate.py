"""Give the report's "all opportunities" rule to sales administrators only.

The rule is loaded with noupdate, so an upgrade would keep it on the "all
leads" group, and team leaders would still see every team's deals.
"""

from odoo import SUPERUSER_ID, Command, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref(
        "sales_forecast_tricolor.sales_forecast_report_rule_all", raise_if_not_found=False
    )
    if rule:
        rule.groups = [Command.set([env.ref("sales_team.group_sale_manager").id])]
