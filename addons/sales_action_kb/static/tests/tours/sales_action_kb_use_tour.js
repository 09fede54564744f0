/** @odoo-module **/

import { registry } from "@web/core/registry";

const SUGGESTED = ".o_form_view .o_field_widget[name='suggested_action_ids']";
const USED = ".o_form_view .o_field_widget[name='action_usage_ids']";

registry.category("web_tour.tours").add("sales_action_kb_use_from_lead", {
    steps: () => [
        {
            content: "Open the Sales Actions tab of the lead",
            trigger: ".o_form_view .o_notebook a[name='sales_actions']",
            run: "click",
        },
        {
            content: "The first-call action is suggested for a manufacturing lead in screening",
            trigger: `${SUGGESTED} .o_data_row:eq(0):contains('First call')`,
        },
        {
            content: "Nothing has been used on the lead yet",
            trigger: `${USED}:not(:has(.o_data_row))`,
        },
        {
            content: "Use the first-call action",
            trigger: `${SUGGESTED} .o_data_row:contains('First call') button[name='action_use_on_lead']`,
            run: "click",
        },
        {
            content: "The use is listed on the lead",
            trigger: `${USED} .o_data_row:contains('[D1]')`,
        },
        {
            content: "The chatter has a note about the use",
            trigger: ".o-mail-Message:contains('Sales action used')",
        },
    ],
});
