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

registry.category("web_tour.tours").add("sales_closed_loop_gate_quick_create", {
    steps: () => [
        {
            content: "Needs Diagnosis is the second column",
            trigger: `${DIAGNOSIS} .o_column_title:contains('Needs Diagnosis')`,
        },
        {
            content: "Quick-create a card in Needs Diagnosis",
            trigger: `${DIAGNOSIS} .o_kanban_quick_add`,
            run: "click",
        },
        {
            content: "Name the new opportunity",
            trigger: ".o_kanban_quick_create .o_field_widget[name=name] input",
            run: "edit Gate Tour Skipped Start",
        },
        {
            content: "Add the card",
            trigger: ".o_kanban_quick_create button.o_kanban_add",
            run: "click",
        },
        {
            // When a quick-create is rejected, Odoo opens the full form instead.
            content: "Save the full form that Odoo opens instead",
            trigger: ".modal .o_form_view",
        },
        {
            content: "Save the form",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The error dialog says the first stage comes first",
            trigger: ".modal .o_error_dialog:contains('Lead Screening')",
        },
        {
            content: "Close the error dialog",
            trigger: ".modal .o_error_dialog .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Discard the form",
            trigger: ".modal .o_form_button_cancel",
            run: "click",
        },
        {
            content: "Cancel the quick-create card",
            trigger: "body:not(:has(.modal)) .o_kanban_quick_create .o_kanban_cancel",
            run: "click",
        },
        {
            content: "No card was added to Needs Diagnosis",
            trigger: `body:not(:has(.modal)) ${DIAGNOSIS}:not(:has(.o_kanban_record:contains('Gate Tour Skipped Start')))`,
        },
    ],
});

registry.category("web_tour.tours").add("sales_closed_loop_gate_checklist", {
    steps: () => [
        {
            content: "The card shows the gate badge",
            trigger: `${CARD} .o_gate_badge`,
        },
        {
            content: "Open the lead",
            trigger: CARD,
            run: "click",
        },
        {
            content: "The checklist names the next stage",
            trigger: ".o_form_view div[name='gate_checklist']:contains('Needs Diagnosis')",
        },
        {
            content: "The pain-point list is not ticked",
            trigger: ".o_form_view div[name='gate_checklist'] li:contains('Customer Pain-Point List') .fa-square-o",
        },
        {
            content: "Back to the pipeline",
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb li.breadcrumb-item a",
            run: "click",
        },
        {
            content: "Open the search options",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Filter the leads blocked at their gate",
            trigger: ".o_filter_menu .o-dropdown-item:contains('Blocked at Gate')",
            run: "click",
        },
        {
            content: "The blocked lead is listed",
            trigger: `.o_kanban_renderer ${CARD}`,
        },
    ],
});
