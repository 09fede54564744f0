/** @odoo-module **/

import { registry } from "@web/core/registry";

const SILENT = ".o_kanban_record:contains('Silence Tour Silent')";
const BUSY = ".o_kanban_record:contains('Silence Tour Busy')";
const ESCALATED = ".o_kanban_record:contains('Silence Tour Escalated')";

function toggleFilter(label) {
    return [
        {
            content: "Open the search panel",
            trigger: ".o_control_panel_actions .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: `Toggle the filter ${label}`,
            trigger: `.o_filter_menu .dropdown-item:contains('${label}')`,
            run: "click",
        },
        {
            content: "Close the search panel",
            trigger: ".o_control_panel_actions .o_searchview_dropdown_toggler",
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("sales_closed_loop_silence_filters", {
    steps: () => [
        {
            content: "The flagged card shows the intervention badge",
            trigger: `${SILENT} .badge:contains('Needs Human Intervention')`,
        },
        {
            content: "The busy card has no badge",
            trigger: `${BUSY}:not(:has(.badge:contains('Needs Human Intervention')))`,
        },
        ...toggleFilter("Silent > 48h"),
        {
            content: "Only the silent lead is left",
            trigger: `.o_kanban_renderer:has(${SILENT}):not(:has(${BUSY})):not(:has(${ESCALATED}))`,
        },
        ...toggleFilter("Silent > 48h"),
        ...toggleFilter("Escalated This Week"),
        {
            content: "Only the escalated lead is left",
            trigger: `.o_kanban_renderer:has(${ESCALATED}):not(:has(${SILENT})):not(:has(${BUSY}))`,
        },
    ],
});
