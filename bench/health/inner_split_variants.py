"""Compare training-sample weightings of the lead health model on the training period only.

Run in an Odoo shell on a backtest database (Maven: no split argument, the
real split is the default one; Olist: the real split 2018-04-01)::

    (echo "REAL_SPLIT = None"; cat bench/health/inner_split_variants.py) | \\
        .venv/bin/python ODOO/odoo-bin shell --addons-path=ADDONS -c CONF \\
        -d cl_backtest_maven --no-http
    (echo "from datetime import datetime; REAL_SPLIT = datetime(2018, 4, 1)"; \\
        cat bench/health/inner_split_variants.py) | \\
        .venv/bin/python ODOO/odoo-bin shell --addons-path=ADDONS -c CONF \\
        -d cl_backtest_olist --no-http

The leads closed on or after the real split are made neither won nor lost
(archived at a probability of 50), so that only the training period is
left. The backtest then runs at the default split of what is left, once
per variant: time weighting (the engine as shipped), one unit per snapshot,
one unit per lead shared by open time, and several L2 penalties. Everything
is rolled back at the end. Results: docs/scoring.md, "Variants tried".
"""

import functools

from odoo.tools import SQL

from odoo.addons.sales_closed_loop import lead_health
from odoo.addons.sales_closed_loop.cli import score_backtest

# env and REAL_SPLIT are given by the shell (see the docstring).
real_split = REAL_SPLIT or score_backtest.default_split_date(env)  # noqa: F821
env["crm.lead"].flush_model()  # noqa: F821
env.cr.execute(  # noqa: F821
    SQL(
        """UPDATE crm_lead lead SET active = FALSE, probability = 50
            WHERE NOT (COALESCE(lead.date_closed, lead.write_date) < %s)""",
        real_split,
    )
)
env.invalidate_all()  # noqa: F821
inner_split = score_backtest.default_split_date(env)  # noqa: F821
print("real split", real_split, "inner split", inner_split)

Lead = type(env["crm.lead"])  # noqa: F821
shipped_plan = Lead._health_snapshot_plan
shipped_fit = lead_health.fit


def plan_per_snapshot(self, start, closed):
    return [(moment, 1.0) for moment, _weight in shipped_plan(self, start, closed)]


def plan_per_lead(self, start, closed):
    plan = shipped_plan(self, start, closed)
    total = sum(weight for _moment, weight in plan)
    return [(moment, weight / total) for moment, weight in plan] if total else plan


VARIANTS = [
    ("time weighting, L2 1", shipped_plan, 1.0),
    ("time weighting, L2 10", shipped_plan, 10.0),
    ("time weighting, L2 100", shipped_plan, 100.0),
    ("one unit per snapshot, L2 1", plan_per_snapshot, 1.0),
    ("one unit per snapshot, L2 10", plan_per_snapshot, 10.0),
    ("one unit per lead, L2 1", plan_per_lead, 1.0),
    ("one unit per lead, L2 3", plan_per_lead, 3.0),
    ("one unit per lead, L2 10", plan_per_lead, 10.0),
    ("one unit per lead, L2 30", plan_per_lead, 30.0),
    ("one unit per lead, L2 100", plan_per_lead, 100.0),
]
try:
    for name, plan, l2 in VARIANTS:
        Lead._health_snapshot_plan = plan
        lead_health.fit = functools.partial(shipped_fit, l2=l2)
        result = score_backtest.run_backtest(env, inner_split, None, [("source_id",)])  # noqa: F821
        print(
            name,
            " | ".join(
                f"{model['name']} Brier {model['metrics']['brier']:.4f} "
                f"AUC {model['metrics']['auc']:.3f}"
                for model in result["models"]
            ),
        )
finally:
    Lead._health_snapshot_plan = shipped_plan
    lead_health.fit = shipped_fit
    env.cr.rollback()  # noqa: F821
