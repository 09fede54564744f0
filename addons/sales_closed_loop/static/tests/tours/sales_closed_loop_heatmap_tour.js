/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// The test puts its stays in the middle of the previous month.
const STAY_MONTH = luxon.DateTime.local().minus({ months: 1 }).toFormat("yyyy-MM");
const MATCHING_ROW = ".o_heatmap_table tr:has(th.o_heatmap_stage:contains('Solution Matching'))";
const MATCHING_CELL = `${MATCHING_ROW} td.o_heatmap_cell[data-month='${STAY_MONTH}']`;

registry.category("web_tour.tours").add("sales_closed_loop_heatmap", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the CRM app",
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            run: "click",
        },
        {
            content: "Open the Reporting menu",
            trigger: ".dropdown-toggle[data-menu-xmlid='crm.crm_menu_report']",
            run: "click",
        },
        {
            content: "Open the heat map",
            trigger:
                ".dropdown-item[data-menu-xmlid='sales_closed_loop.crm_lead_stage_flow_heatmap_menu']",
            run: "click",
        },
        {
            content: "All teams: the median of 4, 2 and 8 days is 4.0",
            trigger: `${MATCHING_CELL} .o_heatmap_value:contains('4.0')`,
        },
        {
            content: "Filter on the tour's first team",
            trigger: "select.o_heatmap_team",
            async run(helpers) {
                const option = [...this.anchor.options].find(
                    (item) => item.textContent.trim() === "Heat Map Tour North"
                );
                await helpers.select(option.value);
            },
        },
        {
            content: "First team only: the median of 4 and 2 days is 3.0",
            trigger: `${MATCHING_CELL} .o_heatmap_value:contains('3.0')`,
        },
        {
            content: "Switch to leads entering",
            trigger: ".o_heatmap_measures button[data-measure='entry_count']",
            run: "click",
        },
        {
            content: "Two leads entered Solution Matching",
            trigger: `${MATCHING_CELL} .o_heatmap_value:contains('2')`,
        },
        {
            content: "Open the leads of the cell",
            trigger: MATCHING_CELL,
            run: "click",
        },
        {
            content: "The breadcrumb names the stage",
            trigger: ".o_breadcrumb .active:contains('Solution Matching')",
        },
        {
            content: "Both leads of the first team are listed, the other team's is not",
            trigger:
                ".o_list_renderer:has(.o_data_row:contains('Heat Map Tour Alpha'))" +
                ":has(.o_data_row:contains('Heat Map Tour Beta'))" +
                ":not(:has(.o_data_row:contains('Heat Map Tour Gamma')))",
        },
        {
            content: "Go back to the heat map",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Lead Flow Heat Map')",
            run: "click",
        },
        {
            content: "The team filter and the measure are kept",
            trigger: "select.o_heatmap_team:has(option:checked:contains('Heat Map Tour North'))",
        },
        {
            content: "The measure is still leads entering",
            trigger: ".o_heatmap_measures button.active[data-measure='entry_count']",
        },
        {
            content: "The cell still counts two leads",
            trigger: `${MATCHING_CELL} .o_heatmap_value:contains('2')`,
        },
    ],
});

registry.category("web_tour.tours").add("sales_closed_loop_heatmap_old_history", {
    steps: () => [
        {
            content: "The screen opens on the last month of the history, March 2019",
            trigger: `${MATCHING_ROW} td.o_heatmap_cell[data-month='2019-03'] .o_heatmap_value:contains('6.0')`,
        },
        {
            content: "and shows the five months before it",
            trigger: ".o_heatmap_table td.o_heatmap_cell[data-month='2018-10']",
        },
    ],
});
