from random import randint

from odoo import fields, models


class SalesActionTag(models.Model):
    _name = "sales.action.tag"
    _description = "Sales Action Tag"
    _order = "name"

    def _default_color(self):
        return randint(1, 11)

    name = fields.Char(required=True, translate=True)
    color = fields.Integer(default=_default_color)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_unique", "unique(name)", "A sales action tag with this name already exists."),
    ]
