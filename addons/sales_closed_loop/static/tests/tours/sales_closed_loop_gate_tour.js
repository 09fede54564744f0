/** @odoo-module **/

import { registry } from "@web/core/registry";

const CARD = ".o_kanban_record:contains('Gate Tour Harbour Cranes')";
// Columns by position: the pipeline is the five gated stages, then Won.
const SCREENING = ".o_opportunity_kanban .o_kanban_group:eq(0)";
const DIAGNOSIS = ".o_opportunity_kanban .o_kanban_group:eq(1)";

registry.category("web_tour.tours").add("sales_closed_loop_gate_kanban_drag", {
    steps: () => [
        {
            content: "Lead Screening is the first column",
            trigger: `${SCREENING} .o_column_title:contains('Lead Screening')`,
        },
        {
            content: "Needs Diagnosis is the second column",
            trigger: `${DIAGNOSIS} .o_column_title:contains('Needs Diagnosis')`,
        },
        {
            content: "The card waits in Lead Screening",
            trigger: `${SCREENING} ${CARD}`,
        },
        {
            content: "Drag the card to Needs Diagnosis",
            trigger: CARD,
            run: `drag_and_drop (${DIAGNOSIS})`,
        },
        {
            content: "The error dialog names the missing pain-point list",
            trigger: ".modal .o_error_dialog:contains('Customer Pain-Point List'):contains('Gate Tour Harbour Cranes')",
        },
        {
            content: "Close the error dialog",
            trigger: ".modal .o_error_dialog .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The card is back in Lead Screening",
            trigger: `body:not(:has(.modal)) ${SCREENING} ${CARD}`,
        },
        {
            content: "Needs Diagnosis holds no copy of the card",
            trigger: `${DIAGNOSIS}:not(:has(${CARD}))`,
        },
    ],
});

registry.category("web_tour.tours").add("sales_closed_loop_lead_evidence", {
    steps: () => [
        {
            content: "Open the lead from the pipeline",
            trigger: CARD,
            run: "click",
        },
        {
            content: "Open the Evidence tab",
            trigger: ".o_form_view .o_notebook a[name='evidence']",
            run: "click",
        },
        {
            content: "The tab lists the pain-point evidence",
            trigger: ".o_form_view .o_field_widget[name='evidence_ids'] .o_data_row:contains('Customer Pain-Point List')",
        },
        {
            content: "Open the Stage History tab",
            trigger: ".o_form_view .o_notebook a[name='stage_history']",
            run: "click",
        },
        {
            content: "The history shows the lead entering Lead Screening",
            trigger: ".o_form_view .o_field_widget[name='stage_history_ids'] .o_data_row:contains('Lead Screening')",
        },
        {
            content: "Open the evidence list from the smart button",
            trigger: "button[name='action_view_evidence']:contains('1')",
            run: "click",
        },
        {
            content: "The evidence list shows the record of this lead",
            trigger: ".o_list_view .o_data_row:contains('Gate Tour Harbour Cranes'):contains('Customer Pain-Point List')",
        },
    ],
});
