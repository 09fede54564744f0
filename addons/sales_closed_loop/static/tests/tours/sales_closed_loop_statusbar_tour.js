/** @odoo-module **/

import { registry } from "@web/core/registry";

const STATUSBAR = ".o_form_view .o_field_widget[name='stage_id']";

registry.category("web_tour.tours").add("sales_closed_loop_statusbar_refused", {
    steps: () => [
        {
            content: "Open the lead from the pipeline",
            trigger: ".o_kanban_record:contains('Gate Tour Harbour Cranes')",
            run: "click",
        },
        {
            content: "The statusbar shows Lead Screening",
            trigger: `${STATUSBAR} button.o_arrow_button_current:contains('Lead Screening')`,
        },
        {
            content: "Click Needs Diagnosis in the statusbar",
            trigger: `${STATUSBAR} button:contains('Needs Diagnosis')`,
            run: "click",
        },
        {
            content: "The error dialog names the missing pain-point list",
            trigger: ".modal .o_error_dialog:contains('Customer Pain-Point List')",
        },
        {
            content: "Close the error dialog",
            trigger: ".modal .o_error_dialog .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The statusbar is back on Lead Screening",
            trigger: `body:not(:has(.modal)) ${STATUSBAR} button.o_arrow_button_current:contains('Lead Screening')`,
        },
        {
            content: "The form has no unsaved change left",
            trigger: ".o_form_view .o_form_status_indicator_buttons.invisible:not(:visible)",
        },
    ],
});
