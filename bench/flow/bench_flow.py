"""Benchmark the lead flow heat map and the company-wide monthly report figures.

Run from the repository root with the project's virtualenv, on a database
that already contains a large stage history, for example the one that
``bench/health/bench_health.py`` fills::

    .venv/bin/python bench/flow/bench_flow.py -c .state/test-<db>.conf \
        --database cl_backtest_bench [--repeat 3]

The script changes nothing in the database. As the superuser, in one
process, it times each call ``--repeat`` times and prints the fastest and
the median:

1. the heat map screen's server call, ``get_heatmap_data``, over the last 6
   and the last 36 months of the history (36 is the screen's maximum). It
   reads the lead flow report's SQL view through ``_search`` and computes
   medians with ``percentile_cont``;
2. Odoo's own grouped read of the same view over the same 36 months, as the
   Lead Flow pivot does it (``read_group`` by stage and month, average of the
   days in stage): the baseline, which computes no median;
3. the company-wide monthly report figures, ``res.company._flow_report_figures``,
   for the six months the report draws.
"""

import argparse
import statistics
import time

from dateutil.relativedelta import relativedelta

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry


def timed(function, repeat):
    """Return the fastest and the median wall time of ``repeat`` calls of ``function``."""
    seconds = []
    for _index in range(repeat):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return min(seconds), statistics.median(seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("--database", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])

    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Report = env["crm.lead.stage.flow.report"]

        # 1. Size of the history and its last month.
        cr.execute(
            "SELECT count(*), date_trunc('month', max(date_in))::date FROM crm_lead_stage_history"
        )
        stay_count, last_month = cr.fetchone()
        print(f"stage history rows: {stay_count:,}, last month: {last_month:%Y-%m}")

        # 2. The measured calls.
        first_6 = last_month - relativedelta(months=5)
        first_36 = last_month - relativedelta(months=35)
        report_month = last_month - relativedelta(months=1)
        months = env["crm.team"]._flow_report_months(report_month)
        company = env.company
        calls = [
            (
                "heat map, 6 months (get_heatmap_data)",
                lambda: Report.get_heatmap_data(str(first_6), str(last_month)),
            ),
            (
                "heat map, 36 months (get_heatmap_data)",
                lambda: Report.get_heatmap_data(str(first_36), str(last_month)),
            ),
            (
                "Odoo read_group, 36 months, average only (baseline)",
                lambda: Report.read_group(
                    [("date_in", ">=", first_36)],
                    ["dwell_days:avg"],
                    ["stage_id", "date_in:month"],
                    lazy=False,
                ),
            ),
            (
                "company report figures, 6 months (_flow_report_figures)",
                lambda: company._flow_report_figures(months),
            ),
        ]
        for label, function in calls:
            fastest, median = timed(function, args.repeat)
            print(f"{label}: fastest {fastest:.2f} s, median {median:.2f} s")
        cr.rollback()


if __name__ == "__main__":
    main()
