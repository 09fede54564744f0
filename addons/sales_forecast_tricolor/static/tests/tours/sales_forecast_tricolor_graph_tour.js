/** @odoo-module **/

import { registry } from "@web/core/registry";

// The colours the graph must use, stated here so the test does not read them from the code it checks.
const EXPECTED = { Green: "#2E9E5B", Yellow: "#F2C12E", Red: "#D9534F" };

registry.category("web_tour.tours").add("sales_forecast_tricolor_graph_colors", {
    steps: () => [
        {
            content: "Switch the forecast report to the graph",
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "Each colour group is drawn in its own colour",
            trigger: ".o_graph_renderer canvas",
            run() {
                const chart = window.Chart.getChart(this.anchor);
                const drawn = Object.fromEntries(
                    chart.data.datasets.map((dataset) => [dataset.label, dataset.backgroundColor])
                );
                for (const [label, color] of Object.entries(EXPECTED)) {
                    if (drawn[label] !== color) {
                        throw new Error(
                            `${label} is drawn ${drawn[label]}, expected ${color}: ${JSON.stringify(drawn)}`
                        );
                    }
                }
            },
        },
    ],
});
