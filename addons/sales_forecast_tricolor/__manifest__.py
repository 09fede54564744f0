{
    "name": "Tricolor Evidence Forecast",
    "summary": "Colour each opportunity green, yellow or red from its evidence "
    "and forecast revenue weighted by colour",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Closed-Loop Sales",
    "development_status": "Alpha",
    "depends": ["sales_closed_loop"],
    "data": [
        "security/ir.model.access.csv",
        "security/sales_forecast_report_security.xml",
        "data/mail_message_subtype_data.xml",
        "views/crm_lead_views.xml",
        "views/res_config_settings_views.xml",
        "report/sales_forecast_report_views.xml",
        "views/sales_forecast_tricolor_menus.xml",
    ],
    "demo": [
        "demo/crm_lead_evidence_demo.xml",
    ],
    "installable": True,
    "application": False,
}
