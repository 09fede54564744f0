/** @odoo-module **/

import { Component, onWillStart, useState } from "@odoo/owl";
import { DateTimeInput } from "@web/core/datetime/datetime_input";
import { deserializeDate, serializeDate } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { formatList } from "@web/core/l10n/utils";
import { registry } from "@web/core/registry";
import { KeepLast } from "@web/core/utils/concurrency";
import { formatFloat } from "@web/core/utils/numbers";
import { useService } from "@web/core/utils/hooks";
import { useSetupAction } from "@web/search/action_hook";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { HeatmapMultiSelect } from "./heatmap_multi_select";

const { DateTime } = luxon;

/** Months shown when the screen opens: the current month and the five before it. */
const DEFAULT_MONTHS = 6;

/** Colours of the lowest and the highest value of the scale, as RGB. */
const LOW_COLOR = [255, 245, 220];
const HIGH_COLOR = [200, 55, 30];
/** Above this position on the scale the cell text turns white to stay readable. */
const DARK_TEXT_LIMIT = 0.55;

/** Month and year as the user's language writes them, e.g. "Nov 2026" or "2026年11月". */
const MONTH_LABEL_OPTIONS = { year: "numeric", month: "short" };

/**
 * Return the luxon format of a month label in the user's language, so that the
 * month pickers show and read the same text as the column headers.
 *
 * The web client sets luxon's default locale to the user's Odoo language, so
 * ``toLocaleParts`` splits a label written in that language. Each part becomes
 * a luxon token or a quoted literal.
 */
function monthLabelFormat() {
    const january = DateTime.local(2000, 1, 1);
    return january
        .toLocaleParts(MONTH_LABEL_OPTIONS)
        .map(({ type, value }) => {
            if (type === "year") {
                return "yyyy";
            }
            if (type === "month") {
                // January written with digits ("1" or "01") or as a name such as "Jan".
                return /^\d+$/.test(value) ? "M".repeat(value.length) : "LLL";
            }
            // A luxon literal is quoted and cannot contain a quote itself.
            return `'${value.replaceAll("'", "")}'`;
        })
        .join("");
}

/** Return the month key (YYYY-MM, Latin digits) of ``dateTime``, as the server sends months. */
function toMonthKey(dateTime) {
    return serializeDate(dateTime).slice(0, 7);
}

/** Return the first day of ``month``, a month key (YYYY-MM), in the user's locale. */
function fromMonthKey(month) {
    return deserializeDate(`${month}-01`);
}

/** Return the number of months from ``monthFrom`` to ``monthTo`` (YYYY-MM), both included. */
function monthCount(monthFrom, monthTo) {
    const [fromYear, fromMonth] = monthFrom.split("-").map(Number);
    const [toYear, toMonth] = monthTo.split("-").map(Number);
    return (toYear - fromYear) * 12 + toMonth - fromMonth + 1;
}

/**
 * Measures of the heat map: the key of the value in a cell of
 * ``crm.lead.stage.flow.report.get_heatmap_data`` and how to show it.
 */
const MEASURES = [
    { key: "median_dwell", label: _t("Median Days in Stage"), kind: "days" },
    { key: "avg_dwell", label: _t("Average Days in Stage"), kind: "days" },
    { key: "over_threshold_share", label: _t("% Over Threshold"), kind: "percent" },
    { key: "lost_share", label: _t("% Lost in Stage"), kind: "percent" },
    { key: "entry_count", label: _t("Leads Entering"), kind: "count" },
];

/**
 * Stage × month heat map of the Lead Flow report: one cell per stage and
 * month of entry, coloured by the chosen measure. A cell opens the leads
 * whose stays it counts.
 */
export class LeadFlowHeatmap extends Component {
    static template = "sales_closed_loop.LeadFlowHeatmap";
    static components = { DateTimeInput, HeatmapMultiSelect, Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.measures = MEASURES;
        this.monthFormat = monthLabelFormat();
        // Only the response to the latest request is shown when filters change quickly.
        this.keepLast = new KeepLast();
        const now = DateTime.local();
        // Coming back through the breadcrumbs restores the filters of the last visit.
        const savedFilters = this.props.state?.filters || {};
        this.state = useState({
            monthFrom: toMonthKey(now.minus({ months: DEFAULT_MONTHS - 1 })),
            monthTo: toMonthKey(now),
            teamIds: [],
            userIds: [],
            measure: MEASURES[0].key,
            ...savedFilters,
            data: null,
            // Incremented to rebuild the month pickers, which drops what the user typed.
            pickerRevision: 0,
        });
        useSetupAction({
            getLocalState: () => ({
                filters: {
                    monthFrom: this.state.monthFrom,
                    monthTo: this.state.monthTo,
                    teamIds: this.state.teamIds,
                    userIds: this.state.userIds,
                    measure: this.state.measure,
                },
            }),
        });
        onWillStart(async () => {
            await this.load();
            // A history that ends before the default months (an imported pipeline, say)
            // opens on its own last months rather than on an empty grid.
            const lastMonth = this.state.data.last_month;
            if (!this.props.state?.filters && lastMonth && lastMonth < this.state.monthFrom) {
                this.state.monthTo = lastMonth;
                this.state.monthFrom = toMonthKey(
                    fromMonthKey(lastMonth).minus({ months: DEFAULT_MONTHS - 1 })
                );
                await this.load();
            }
        });
    }

    async load() {
        const { monthFrom, monthTo, teamIds, userIds } = this.state;
        this.state.data = await this.keepLast.add(
            this.orm.call(
                "crm.lead.stage.flow.report",
                "get_heatmap_data",
                [`${monthFrom}-01`, `${monthTo}-01`],
                { team_ids: teamIds, user_ids: userIds }
            )
        );
    }

    // -------------------------------------------------------------------------
    // Getters
    // -------------------------------------------------------------------------

    get currentMeasure() {
        return MEASURES.find((measure) => measure.key === this.state.measure);
    }

    /** Lowest and highest value of the current measure over the non-empty cells. */
    get scale() {
        const values = [];
        for (const stage of this.state.data.stages) {
            for (const cell of stage.cells) {
                const value = this.cellValue(cell);
                if (value !== null) {
                    values.push(value);
                }
            }
        }
        if (!values.length) {
            return null;
        }
        return { min: Math.min(...values), max: Math.max(...values) };
    }

    /** Sentence that names the months, the sales teams and the salespeople of the grid. */
    get selectionSummary() {
        const { data, monthFrom, monthTo, teamIds, userIds } = this.state;
        const names = (choices, ids) =>
            formatList(choices.filter((choice) => ids.includes(choice.id)).map((c) => c.name));
        let teams = _t("all sales teams");
        if (teamIds.length === 1) {
            teams = _t("sales team %(name)s", { name: names(data.teams, teamIds) });
        } else if (teamIds.length) {
            teams = _t("sales teams %(names)s", { names: names(data.teams, teamIds) });
        }
        let users = _t("all salespeople");
        if (userIds.length === 1) {
            users = _t("salesperson %(name)s", { name: names(data.users, userIds) });
        } else if (userIds.length) {
            users = _t("salespeople %(names)s", { names: names(data.users, userIds) });
        }
        return _t("%(start)s to %(end)s, %(teams)s, %(users)s", {
            start: this.monthLabel(monthFrom),
            end: this.monthLabel(monthTo),
            teams,
            users,
        });
    }

    get legendStyle() {
        return `background: linear-gradient(to right, ${this.rgb(LOW_COLOR)}, ${this.rgb(
            HIGH_COLOR
        )});`;
    }

    // -------------------------------------------------------------------------
    // Cells
    // -------------------------------------------------------------------------

    /** Value of the current measure in ``cell``, or null for a cell without stays. */
    cellValue(cell) {
        if (!cell.entry_count) {
            return null;
        }
        const value = cell[this.state.measure];
        return value === null || value === undefined ? null : value;
    }

    /** Label of ``month`` (YYYY-MM) in the user's Odoo language, not the browser's. */
    monthLabel(month) {
        return fromMonthKey(month).toLocaleString(MONTH_LABEL_OPTIONS);
    }

    monthValue(month) {
        return fromMonthKey(month);
    }

    formatValue(value) {
        if (value === null) {
            return "";
        }
        switch (this.currentMeasure.kind) {
            case "count":
                return String(value);
            case "percent":
                return this.formatShare(value);
            default:
                return formatFloat(value, { digits: [16, 1] });
        }
    }

    formatShare(value) {
        return `${formatFloat(value, { digits: [16, 0] })}%`;
    }

    /** Position of ``value`` between the lowest and the highest value, from 0 to 1. */
    scalePosition(value, scale) {
        if (scale.max === scale.min) {
            return 0.5;
        }
        return (value - scale.min) / (scale.max - scale.min);
    }

    cellStyle(cell, scale) {
        const value = this.cellValue(cell);
        if (value === null || !scale) {
            return "";
        }
        const position = this.scalePosition(value, scale);
        const color = LOW_COLOR.map((low, index) =>
            Math.round(low + (HIGH_COLOR[index] - low) * position)
        );
        const text = position > DARK_TEXT_LIMIT ? "#ffffff" : "#212529";
        return `background-color: ${this.rgb(color)}; color: ${text};`;
    }

    cellTitle(stage, cell) {
        if (!cell.entry_count) {
            return _t("No lead entered %(stage)s in %(month)s", {
                stage: stage.name,
                month: this.monthLabel(cell.month),
            });
        }
        const lines = [
            _t("Leads entering: %(count)s", { count: cell.entry_count }),
            _t("Median days in stage: %(days)s", {
                days: formatFloat(cell.median_dwell, { digits: [16, 1] }),
            }),
            _t("Average days in stage: %(days)s", {
                days: formatFloat(cell.avg_dwell, { digits: [16, 1] }),
            }),
        ];
        if (cell.over_threshold_share !== null) {
            lines.push(
                _t("Over threshold: %(share)s", { share: this.formatShare(cell.over_threshold_share) })
            );
        }
        lines.push(
            _t("Moved forward: %(share)s", { share: this.formatShare(cell.forward_share) }),
            _t("Moved back: %(share)s", { share: this.formatShare(cell.back_share) }),
            _t("Lost in stage: %(share)s", { share: this.formatShare(cell.lost_share) })
        );
        return lines.join("\n");
    }

    rgb(color) {
        return `rgb(${color.join(", ")})`;
    }

    // -------------------------------------------------------------------------
    // Handlers
    // -------------------------------------------------------------------------

    /**
     * Apply the month picked or typed in the picker of ``field`` ("monthFrom" or
     * "monthTo"). A start after the end moves the other end to the same month,
     * and a range over the maximum number of months moves the other end so
     * that the range has that maximum. When the server still rejects the
     * months, the pickers and the summary go back to the months of the grid.
     */
    async onMonthApply(field, value) {
        // A cleared input gives no date: rebuild the picker so it shows the last month again.
        if (!value || !value.isValid) {
            this.state.pickerRevision++;
            return;
        }
        const month = toMonthKey(value);
        const otherField = field === "monthFrom" ? "monthTo" : "monthFrom";
        const maxMonths = this.state.data.max_months;
        this.state[field] = month;
        if (this.state.monthFrom > this.state.monthTo) {
            this.state[otherField] = month;
        } else if (maxMonths && monthCount(this.state.monthFrom, this.state.monthTo) > maxMonths) {
            const shift = field === "monthFrom" ? maxMonths - 1 : 1 - maxMonths;
            this.state[otherField] = toMonthKey(fromMonthKey(month).plus({ months: shift }));
        }
        try {
            await this.load();
        } catch (error) {
            this.showGridMonths();
            throw error;
        }
    }

    /** Set the months of the filters back to those of the grid on screen. */
    showGridMonths() {
        const months = this.state.data.months;
        this.state.monthFrom = months[0];
        this.state.monthTo = months[months.length - 1];
        // The pickers keep what the user picked unless they are rebuilt.
        this.state.pickerRevision++;
    }

    async onTeamsChange(teamIds) {
        this.state.teamIds = teamIds;
        await this.load();
    }

    async onUsersChange(userIds) {
        this.state.userIds = userIds;
        await this.load();
    }

    onMeasureClick(measureKey) {
        this.state.measure = measureKey;
    }

    async onCellClick(stage, cell) {
        if (!cell.entry_count) {
            return;
        }
        await this.actionService.doAction({
            type: "ir.actions.act_window",
            name: _t("%(stage)s, entered in %(month)s", {
                stage: stage.name,
                month: this.monthLabel(cell.month),
            }),
            res_model: "crm.lead",
            domain: [["id", "in", cell.lead_ids]],
            views: [
                [false, "list"],
                [false, "kanban"],
                [false, "form"],
            ],
            // Leads lost in the stage are inactive and must be listed too.
            context: { active_test: false },
            target: "current",
        });
    }
}

registry.category("actions").add("sales_closed_loop.lead_flow_heatmap", LeadFlowHeatmap);
