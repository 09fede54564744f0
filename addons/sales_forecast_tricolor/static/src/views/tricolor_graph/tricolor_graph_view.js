import { registry } from "@web/core/registry";
import { graphView } from "@web/views/graph/graph_view";
import { GraphRenderer } from "@web/views/graph/graph_renderer";

/** Fill colour of each forecast colour, whatever its translated label. */
export const FORECAST_COLORS = {
    green: "#2E9E5B",
    yellow: "#F2C12E",
    red: "#D9534F",
};

const COLOR_FIELD = "forecast_color";

/**
 * Bar graph of the forecast report that draws the green, yellow and red
 * groups in their own colour. Odoo's graph takes colours from a palette by
 * position, so "Green" could be drawn red. The colour of a dataset is read
 * from its raw group value, not from its label.
 */
export class TricolorGraphRenderer extends GraphRenderer {
    getBarChartData() {
        const data = super.getBarChartData();
        const position = this.model.metaData.groupBy.findIndex(
            (groupBy) => groupBy.fieldName === COLOR_FIELD
        );
        // Datasets are split by every group after the first one.
        if (position < 1) {
            return data;
        }
        for (const dataset of data.datasets) {
            const color = this.forecastColorOf(dataset, position);
            if (color) {
                dataset.backgroundColor = color;
            }
        }
        return data;
    }

    /**
     * @param {Object} dataset
     * @param {number} position index of the colour field in the group-bys
     * @returns {string|undefined}
     */
    forecastColorOf(dataset, position) {
        for (const identifier of dataset.identifiers || []) {
            // One {groupBySpec: rawValue} object per group-by.
            const rawValues = JSON.parse(identifier);
            const [value] = Object.values(rawValues[position] || {});
            const color = FORECAST_COLORS[value];
            if (color) {
                return color;
            }
        }
        return undefined;
    }
}

export const tricolorGraphView = {
    ...graphView,
    Renderer: TricolorGraphRenderer,
};

registry.category("views").add("sales_forecast_tricolor_graph", tricolorGraphView);
