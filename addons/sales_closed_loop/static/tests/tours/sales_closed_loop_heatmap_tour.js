/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// The test puts its stays in the middle of the previous month.
const NOW = luxon.DateTime.local();
const STAY_DATE = NOW.minus({ months: 1 });
const STAY_MONTH = STAY_DATE.toFormat("yyyy-MM");
const MONTH_LABEL_OPTIONS = { year: "numeric", month: "short" };
const STAY_MONTH_ENGLISH = STAY_DATE.toLocaleString(MONTH_LABEL_OPTIONS, { locale: "en-US" });
const STAY_MONTH_CHINESE = `${STAY_DATE.year}年${STAY_DATE.month}月`;
// The first month of the screen's default range, as an English user reads it.
const FIRST_MONTH_ENGLISH = NOW.minus({ months: 5 }).toLocaleString(MONTH_LABEL_OPTIONS, {
    locale: "en-US",
});
const FIRST_MONTH = NOW.minus({ months: 5 }).toFormat("yyyy-MM");
const CURRENT_MONTH_ENGLISH = NOW.toLocaleString(MONTH_LABEL_OPTIONS, { locale: "en-US" });
// The start of a range of 36 months that ends with the current month.
const RANGE_START = NOW.minus({ months: 35 });
const RANGE_START_MONTH = RANGE_START.toFormat("yyyy-MM");
const RANGE_START_ENGLISH = RANGE_START.toLocaleString(MONTH_LABEL_OPTIONS, { locale: "en-US" });
// A month within 36 months that the test makes the server reject.
const REJECTED_MONTH_ENGLISH = NOW.minus({ months: 11 }).toLocaleString(MONTH_LABEL_OPTIONS, {
    locale: "en-US",
});
const MATCHING_ROW = ".o_heatmap_table tr:has(th.o_heatmap_stage:contains('Solution Matching'))";
const MATCHING_CELL = `${MATCHING_ROW} td.o_heatmap_cell[data-month='${STAY_MONTH}']`;

/**
 * Return the steps that tick ``name`` in the filter of class ``filterClass``,
 * opening its menu first unless ``open`` is false.
 */
function tickSteps(filterClass, name, { open = true } = {}) {
    const steps = [];
    if (open) {
        steps.push({
            content: `Open the filter ${filterClass}`,
            trigger: `.${filterClass} .o_heatmap_multi_select_toggler`,
            run: "click",
        });
    }
    steps.push(
        {
            content: `Tick ${name}`,
            trigger: `.${filterClass}_menu .o_heatmap_multi_select_option:contains('${name}')`,
            run: "click",
        },
        {
            content: `${name} is ticked`,
            trigger:
                `.${filterClass}_menu .o_heatmap_multi_select_option.selected` +
                `:contains('${name}')`,
        },
        {
            content: `${name} is shown as a tag`,
            trigger: `.${filterClass} .o_tag:contains('${name}')`,
        }
    );
    return steps;
}

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
            content: "The month headers are in the user's language, English",
            trigger: `.o_heatmap_table th[data-month='${STAY_MONTH}']:contains('${STAY_MONTH_ENGLISH}')`,
        },
        {
            content: "All teams: the median of 4, 2, 9, 6 and 20 days is 6.0",
            trigger: `${MATCHING_CELL} .o_heatmap_value:contains('6.0')`,
        },
        {
            content: "The summary says that no team and no salesperson is picked",
            trigger: ".o_heatmap_summary:contains('all sales teams, all salespeople')",
        },
        ...tickSteps("o_heatmap_team", "Heat Map Tour North"),
        {
            content: "North only: the median of 4 and 2 days is 3.0",
            trigger: `${MATCHING_CELL} .o_heatmap_value:contains('3.0')`,
        },
        ...tickSteps("o_heatmap_team", "Heat Map Tour South", { open: false }),
        {
            content: "North and South: the median of 4, 2, 9 and 6 days is 5.0",
            trigger: `${MATCHING_CELL} .o_heatmap_value:contains('5.0')`,
        },
        ...tickSteps("o_heatmap_user", "Heat Map Tour Ann"),
        {
            content: "North and South with Ann: the median of 4 and 9 days is 6.5",
            trigger: `${MATCHING_CELL} .o_heatmap_value:contains('6.5')`,
        },
        {
            content: "The summary names both teams and the salesperson, in the singular",
            trigger:
                ".o_heatmap_summary" +
                ":contains('sales teams Heat Map Tour North and Heat Map Tour South')" +
                ":contains('salesperson Heat Map Tour Ann')",
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
            content: "Ann's leads of North and South are listed, no other lead is",
            trigger:
                ".o_list_renderer:has(.o_data_row:contains('Heat Map Tour Alpha'))" +
                ":has(.o_data_row:contains('Heat Map Tour Gamma'))" +
                ":not(:has(.o_data_row:contains('Heat Map Tour Beta')))" +
                ":not(:has(.o_data_row:contains('Heat Map Tour Delta')))" +
                ":not(:has(.o_data_row:contains('Heat Map Tour Epsilon')))",
        },
        {
            content: "Go back to the heat map",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Lead Flow Heat Map')",
            run: "click",
        },
        {
            content: "The teams and the salesperson are kept",
            trigger:
                ".o_heatmap_team:has(.o_tag:contains('Heat Map Tour North'))" +
                ":has(.o_tag:contains('Heat Map Tour South'))",
        },
        {
            content: "The salesperson is kept",
            trigger: ".o_heatmap_user .o_tag:contains('Heat Map Tour Ann')",
        },
        {
            content: "The measure is still leads entering",
            trigger: ".o_heatmap_measures button.active[data-measure='entry_count']",
        },
        {
            content: "The cell still counts two leads",
            trigger: `${MATCHING_CELL} .o_heatmap_value:contains('2')`,
        },
        {
            content: "Remove the South tag",
            trigger: ".o_heatmap_team .o_tag:contains('Heat Map Tour South') .o_delete",
            run: "click",
        },
        {
            content: "North with Ann: one lead entered",
            trigger: `${MATCHING_CELL} .o_heatmap_value:contains('1')`,
        },
        {
            content: "The summary no longer names South and names North in the singular",
            trigger:
                ".o_heatmap_summary:contains('sales team Heat Map Tour North,')" +
                ":not(:contains('Heat Map Tour South'))",
        },
        {
            content: "Clear the From month",
            trigger: ".o_heatmap_month_from input",
            run: "clear",
        },
        {
            content: "Confirm the empty From month",
            trigger: ".o_heatmap_month_from input",
            run: "press Enter",
        },
        {
            content: "The From picker shows its month again",
            trigger: `.o_heatmap_month_from input:value('${FIRST_MONTH_ENGLISH}')`,
        },
        ...tickSteps("o_heatmap_user", "Heat Map Tour Bob"),
        {
            content: "North picked: its salespeople are listed, not West's",
            trigger:
                ".o_heatmap_user_menu:has(.o_heatmap_multi_select_option:contains('Heat Map Tour Cid'))" +
                ":not(:has(.o_heatmap_multi_select_option:contains('Heat Map Tour Dan')))",
        },
        {
            content: "Remove the North tag",
            trigger: ".o_heatmap_team .o_tag:contains('Heat Map Tour North') .o_delete",
            run: "click",
        },
        {
            content: "No team is picked any more",
            trigger: ".o_heatmap_team .o_heatmap_multi_select_toggler:contains('All Teams')",
        },
        ...tickSteps("o_heatmap_team", "Heat Map Tour West"),
        {
            content: "Open the salespeople filter",
            trigger: ".o_heatmap_user .o_heatmap_multi_select_toggler",
            run: "click",
        },
        {
            content: "West picked: Ann and Dan, and Bob who is picked, but not Cid",
            trigger:
                ".o_heatmap_user_menu" +
                ":has(.o_heatmap_multi_select_option.selected:contains('Heat Map Tour Ann'))" +
                ":has(.o_heatmap_multi_select_option.selected:contains('Heat Map Tour Bob'))" +
                ":has(.o_heatmap_multi_select_option:contains('Heat Map Tour Dan'))" +
                ":not(:has(.o_heatmap_multi_select_option:contains('Heat Map Tour Cid')))",
        },
        {
            content: "The summary names one team and two salespeople",
            trigger:
                ".o_heatmap_summary:contains('sales team Heat Map Tour West,')" +
                ":contains('salespeople Heat Map Tour Ann and Heat Map Tour Bob')",
        },
        {
            content: "Type a From month ten years back",
            trigger: ".o_heatmap_month_from input",
            run: "edit Jan 2017",
        },
        {
            content: "Confirm the From month",
            trigger: ".o_heatmap_month_from input",
            run: "press Enter",
        },
        {
            content: "The From picker shows the typed month",
            trigger: ".o_heatmap_month_from input:value('Jan 2017')",
        },
        {
            content: "The To month moved so that the range is 36 months",
            trigger: ".o_heatmap_month_to input:value('Dec 2019')",
        },
        {
            content: "The grid starts with January 2017",
            trigger: ".o_heatmap_table thead th:nth-child(2)[data-month='2017-01']",
        },
        {
            content: "and ends 36 months later, with December 2019",
            trigger: ".o_heatmap_table thead th:nth-child(37):last-child[data-month='2019-12']",
        },
        {
            content: "The summary names the same months",
            trigger: ".o_heatmap_summary:contains('Jan 2017 to Dec 2019')",
        },
        {
            content: "Type the current month as the To month",
            trigger: ".o_heatmap_month_to input",
            run: `edit ${CURRENT_MONTH_ENGLISH}`,
        },
        {
            content: "Confirm the To month",
            trigger: ".o_heatmap_month_to input",
            run: "press Enter",
        },
        {
            content: "The From month moved to 35 months before the To month",
            trigger: `.o_heatmap_month_from input:value('${RANGE_START_ENGLISH}')`,
        },
        {
            content: "The grid shows the 36 months up to the current month",
            trigger:
                `.o_heatmap_table thead th:nth-child(2)[data-month='${RANGE_START_MONTH}']` +
                ` ~ th:nth-child(37):last-child[data-month='${NOW.toFormat("yyyy-MM")}']`,
        },
    ],
});

registry.category("web_tour.tours").add("sales_closed_loop_heatmap_rejected", {
    steps: () => [
        {
            content: "The grid shows the default months",
            trigger: `.o_heatmap_table thead th:nth-child(2)[data-month='${FIRST_MONTH}']`,
        },
        {
            content: "Type a From month the server rejects",
            trigger: ".o_heatmap_month_from input",
            run: `edit ${REJECTED_MONTH_ENGLISH}`,
        },
        {
            content: "Confirm the From month",
            trigger: ".o_heatmap_month_from input",
            run: "press Enter",
        },
        {
            content: "Close the server's message",
            trigger: ".modal:contains('Heat map test rejection') .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The From picker shows the first month of the grid again",
            trigger:
                "body:not(:has(.modal))" +
                ` .o_heatmap_month_from input:value('${FIRST_MONTH_ENGLISH}')`,
        },
        {
            content: "The summary names the months of the grid",
            trigger: `.o_heatmap_summary:contains('${FIRST_MONTH_ENGLISH} to ${CURRENT_MONTH_ENGLISH}')`,
        },
        {
            content: "The grid still starts with its first month",
            trigger: `.o_heatmap_table thead th:nth-child(2)[data-month='${FIRST_MONTH}']`,
        },
    ],
});

registry.category("web_tour.tours").add("sales_closed_loop_heatmap_chinese", {
    steps: () => [
        {
            content: "The browser's language is not Chinese",
            trigger: ".o_heatmap_table",
            run() {
                if (navigator.language.toLowerCase().startsWith("zh")) {
                    throw new Error(
                        `Expected a browser language other than Chinese, got ${navigator.language}.`
                    );
                }
            },
        },
        {
            content: "The header of the stays' month is in Chinese",
            trigger: `.o_heatmap_table th[data-month='${STAY_MONTH}']:contains('${STAY_MONTH_CHINESE}')`,
        },
        {
            content: "The To picker shows the current month in Chinese",
            trigger: `.o_heatmap_month_to input:value('${NOW.year}年${NOW.month}月')`,
        },
        {
            content: "Open the To picker",
            trigger: ".o_heatmap_month_to input",
            run: "click",
        },
        // In January the stays' month is in the year the picker does not show.
        ...(STAY_DATE.year === NOW.year
            ? []
            : [
                  {
                      content: "Go to the previous year",
                      trigger: ".o_datetime_picker .o_previous",
                      run: "click",
                  },
              ]),
        {
            content: "Pick the stays' month, which the picker names in Chinese",
            trigger: `.o_datetime_picker .o_date_item_cell:contains(/^\\s*${STAY_DATE.month}月\\s*$/)`,
            run: "click",
        },
        {
            content: "The To picker shows the picked month in Chinese",
            trigger: `.o_heatmap_month_to input:value('${STAY_MONTH_CHINESE}')`,
        },
        {
            content: "The grid now ends with the stays' month",
            trigger: `.o_heatmap_table thead th:last-child[data-month='${STAY_MONTH}']`,
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
