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
    import_checksum = fields.Char(
        string="Import Checksum",
        copy=False,
        readonly=True,
        groups="base.group_system",
        help="Digest of the file row as last imported. A new import rewrites the "
        "opportunity only when its row changed.",
    )
