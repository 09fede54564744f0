{
    "name": "Tricolor Evidence Forecast",
    "summary": "Colour each opportunity green, yellow or red from its evidence "
    "and forecast revenue weighted by colour",
    "version": "18.0.1.1.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Closed-Loop Sales",
    "development_status": "Alpha",
    "depends": ["sales_closed_loop"],
    "data": [
        "security/ir.model.access.csv",
        "security/sales_forecast_report_security.xml",
        "data/mail_message_subtype_data.xml",
        "data/ir_cron_data.xml",
        "data/sales_forecast_deviation_reason_data.xml",
        "data/sales_forecast_signal_rule_data.xml",
        "views/crm_lead_views.xml",
        "views/res_config_settings_views.xml",
        "views/sales_forecast_weight_views.xml",
        "views/sales_forecast_snapshot_views.xml",
        "views/sales_forecast_calibration_views.xml",
        "views/sales_forecast_deviation_views.xml",
        "views/sales_team_budget_views.xml",
        "views/sales_forecast_signal_views.xml",
        "wizard/sales_forecast_downgrade_wizard_views.xml",
        "report/sales_forecast_report_views.xml",
        "views/sales_forecast_tricolor_menus.xml",
    ],
    "demo": [
        "demo/crm_lead_evidence_demo.xml",
    ],
    "assets": {
        # Odoo loads its graph view lazily; the tricolour graph goes with it.
        "web.assets_backend_lazy": [
            "sales_forecast_tricolor/static/src/views/tricolor_graph/**",
        ],
        "web.assets_tests": [
            "sales_forecast_tricolor/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
