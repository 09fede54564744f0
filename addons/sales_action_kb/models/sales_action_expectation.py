from odoo import fields, models

from .sales_action import ACTION_CATEGORIES


class SalesActionExpectation(models.Model):
    """A dimension a rep is expected to work on while a lead is in a stage.

    For example, one needs deep-dive action in Needs Diagnosis, or two
    objection-handling actions in Value Consensus. Compliance compares each
    stage a lead entered with the actions used on it there.
    """

    _name = "sales.action.expectation"
    _description = "Expected Sales Action"
    _order = "stage_id, category, team_id"

    stage_id = fields.Many2one("crm.stage", string="Stage", required=True, ondelete="cascade")
    category = fields.Selection(ACTION_CATEGORIES, string="Dimension", required=True)
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        ondelete="cascade",
        help="Leave empty to expect it from every team. A team's own line replaces the "
        "general one for the same stage and dimension.",
    )
    expected_count = fields.Integer(
        string="Expected Uses",
        required=True,
        default=1,
        help="Uses of actions of this dimension expected on each lead that enters the stage.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "expected_count_positive",
            "CHECK(expected_count > 0)",
            "The number of expected uses must be at least 1.",
        ),
        (
            "stage_category_team_unique",
            "unique(stage_id, category, team_id)",
            "This dimension is already expected in this stage for this team.",
        ),
    ]

    def _get_expected(self, stage, team):
        """Return ``{dimension: expected uses}`` for a lead of ``team`` entering ``stage``.

        ``self`` contains the active expectations. A team's own line replaces the
        general line of the same stage and dimension.
        """
        result = {}
        for expectation in self.filtered(lambda line: line.stage_id == stage):
            if expectation.team_id and expectation.team_id != team:
                continue
            if expectation.category in result and not expectation.team_id:
                continue
            result[expectation.category] = expectation.expected_count
        return result
