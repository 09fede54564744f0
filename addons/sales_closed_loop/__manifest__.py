{
    "name": "Closed-Loop Sales Pipeline",
    "summary": "Gated CRM stages with required evidence, stage history and pipeline history import",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Closed-Loop Sales",
    "development_status": "Alpha",
    "depends": ["crm"],
    "data": [
        "security/ir.model.access.csv",
        "security/sales_closed_loop_security.xml",
        "data/crm_evidence_type_data.xml",
        "data/crm_stage_data.xml",
        "views/crm_evidence_type_views.xml",
        "views/crm_lead_evidence_views.xml",
        "views/crm_stage_views.xml",
        "views/crm_lead_views.xml",
        "wizards/crm_pipeline_import_views.xml",
        "views/sales_closed_loop_menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/crm_lead_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "sales_closed_loop/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
