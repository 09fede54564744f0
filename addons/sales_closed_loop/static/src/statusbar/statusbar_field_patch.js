import { browser } from "@web/core/browser/browser";
import { patch } from "@web/core/utils/patch";
import { StatusBarField } from "@web/views/fields/statusbar/statusbar_field";

/**
 * A stage click on a lead saves at once. When the gate rejects the save, Odoo
 * keeps the clicked stage in the form, so the lead looks moved while it is
 * not. Put the stage back before the error is shown: the whole record when
 * the click was its only change, only the stage otherwise.
 */
patch(StatusBarField.prototype, {
    async selectItem(item) {
        const { name, record } = this.props;
        if (record.resModel !== "crm.lead" || name !== "stage_id" || !record.resId) {
            return super.selectItem(item);
        }
        const previous = record.data[name];
        const hadChanges = await record.isDirty();
        const value = this.field.type === "many2one" ? [item.value, item.label] : item.value;
        await record.update({ [name]: value });
        try {
            await record.save();
        } catch (error) {
            if (hadChanges) {
                await record.update({ [name]: previous });
            } else {
                await record.discard();
            }
            // The statusbar skips refreshing its items while it adjusts its
            // width, until the next animation frame: render again after it.
            await new Promise((resolve) => browser.requestAnimationFrame(resolve));
            this.render();
            throw error;
        }
    },
});
