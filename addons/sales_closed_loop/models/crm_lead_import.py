from odoo import fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    import_ref = fields.Char(
        string="Import Reference",
        index=True,
        copy=False,
        readonly=True,
        help="Opportunity id in the pipeline file this opportunity was imported from. "
        "Importing the file again updates this opportunity instead of creating a new one.",
    )
    import_date = fields.Datetime(
        string="Imported On",
        copy=False,
        readonly=True,
        help="When the pipeline import created this opportunity. Its silence clocks start "
        "no earlier, because the file carries no interactions.",
    )
    import_checksum = fields.Char(
        string="Import Checksum",
        copy=False,
        readonly=True,
        groups="base.group_system",
        help="Digest of the file row as last imported. A new import rewrites the "
        "opportunity only when its row changed and the opportunity was not changed in Odoo "
        "since the last import.",
    )
    import_values_checksum = fields.Char(
        string="Imported Values Checksum",
        copy=False,
        readonly=True,
        groups="base.group_system",
        help="Digest of the stage, salesperson, expected revenue, expected closing, active "
        "flag and customer as the last import wrote them. A new import does not overwrite "
        "the opportunity when these values were changed in Odoo since.",
    )
