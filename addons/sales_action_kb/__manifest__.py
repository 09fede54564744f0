{
    "name": "Sales Action Library",
    "summary": "Reusable sales actions with a code, standard script, reference "
    "documents and recording excerpts, per stage and industry",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Closed-Loop Sales",
    "development_status": "Alpha",
    "depends": ["sales_closed_loop"],
    "data": [
        "security/ir.model.access.csv",
        "security/sales_action_security.xml",
        "data/sales_action_tag_data.xml",
        "data/sales_action_data.xml",
        "views/sales_action_tag_views.xml",
        "views/sales_action_views.xml",
        "views/sales_action_usage_views.xml",
        "views/crm_lead_views.xml",
        "views/sales_action_kb_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "sales_action_kb/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
