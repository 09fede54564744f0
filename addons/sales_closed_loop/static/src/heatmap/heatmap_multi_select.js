/** @odoo-module **/

import { Component } from "@odoo/owl";
import { CheckboxItem } from "@web/core/dropdown/checkbox_item";
import { Dropdown } from "@web/core/dropdown/dropdown";
import { DropdownItem } from "@web/core/dropdown/dropdown_item";
import { _t } from "@web/core/l10n/translation";
import { TagsList } from "@web/core/tags_list/tags_list";

/**
 * Filter of the heat map that picks several records: a dropdown of checkable
 * entries that stays open while the user ticks them, and one removable tag per
 * picked record beside it. No pick means no filter.
 */
export class HeatmapMultiSelect extends Component {
    static template = "sales_closed_loop.HeatmapMultiSelect";
    static components = { CheckboxItem, Dropdown, DropdownItem, TagsList };
    static props = {
        /** The records to pick from, as ``{ id, name }``. */
        choices: { type: Array, element: { type: Object, shape: { id: Number, name: String } } },
        selectedIds: { type: Array, element: Number },
        /** Called with the new list of picked ids. */
        onChange: Function,
        /** Toggler text while nothing is picked, e.g. "All Teams". */
        emptyLabel: String,
        /** Class of the root element, and with the suffix "_menu" of the dropdown menu. */
        class: { type: String, optional: true },
        /** Id of the toggler button, for the ``for`` of a label. */
        id: { type: String, optional: true },
    };

    get menuClass() {
        const menuClass = "o_heatmap_multi_select_menu";
        return this.props.class ? `${menuClass} ${this.props.class}_menu` : menuClass;
    }

    get togglerLabel() {
        const count = this.props.selectedIds.length;
        if (!count) {
            return this.props.emptyLabel;
        }
        return _t("%(count)s selected", { count });
    }

    /** Picked records in the order of the choices, with a button that removes each. */
    get tags() {
        return this.props.choices
            .filter((choice) => this.isSelected(choice.id))
            .map((choice) => ({
                id: choice.id,
                text: choice.name,
                onDelete: () => this.toggle(choice.id),
            }));
    }

    isSelected(id) {
        return this.props.selectedIds.includes(id);
    }

    toggle(id) {
        const ids = this.isSelected(id)
            ? this.props.selectedIds.filter((selectedId) => selectedId !== id)
            : [...this.props.selectedIds, id];
        this.props.onChange(ids);
    }

    clear() {
        this.props.onChange([]);
    }
}
