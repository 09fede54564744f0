"""Backtest the tricolour and the probability forecast on the Maven pipeline.

Run with the project's virtualenv, against a database where the three
modules are installed (the test database works). The import runs in a
transaction that is rolled back at the end, so the database is unchanged::

    .venv/bin/python bench/forecast/backtest_maven.py \
        -c .state/test-<db>.conf -d <db> [--data ../shared/data/maven_crm_sales_opportunities]

It prints a Markdown table: for the first day D of each month of 2017, what
each forecast would have said for that month, against what was won in it.
The assumptions are in docs/forecast-backtest.md.
"""

import argparse
import csv
import datetime
import statistics
from pathlib import Path

import odoo
from odoo.modules.registry import Registry

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "maven_crm_sales_opportunities"


def month_starts(year):
    return [datetime.date(year, month, 1) for month in range(1, 13)]


def month_end(start):
    return (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(
        days=1
    )


def accuracy(forecast, actual):
    """Same formula as ``sales.forecast.accuracy._get_accuracy``."""
    if abs(actual) < 0.005:
        return 1.0 if abs(forecast) < 0.005 else 0.0
    return max(0.0, 1.0 - abs(forecast - actual) / actual)


def list_prices(data):
    """Return {opportunity_id: product list price} from the source files."""
    with open(data / "products.csv", newline="", encoding="utf-8") as handle:
        prices = {
            row["product"].replace(" ", "").lower(): float(row["sales_price"])
            for row in csv.DictReader(handle)
        }
    with open(data / "sales_pipeline.csv", newline="", encoding="utf-8") as handle:
        return {
            row["opportunity_id"]: prices[row["product"].replace(" ", "").lower()]
            for row in csv.DictReader(handle)
        }


def read_deals(env):
    """Return the imported deals as dicts read from crm.lead after the import."""
    env.cr.execute(
        """
        SELECT lead.import_ref, lead.date_open::date, lead.date_closed::date,
               COALESCE(stage.is_won, FALSE), lead.expected_revenue
          FROM crm_lead lead
     LEFT JOIN crm_stage stage ON stage.id = lead.stage_id
         WHERE lead.import_ref IS NOT NULL
        """
    )
    return [
        {"ref": ref, "engage": engage, "close": close, "won": won, "revenue": revenue or 0.0}
        for ref, engage, close, won, revenue in env.cr.fetchall()
    ]


def backtest(env, deals, prices, weights):
    rows = []
    for start in month_starts(2017):
        end = month_end(start)

        # 1. What was known before D: closed deals, win rate and sales cycle.
        closed = [deal for deal in deals if deal["close"] and deal["close"] < start]
        won_before = [deal for deal in closed if deal["won"]]
        win_rate = len(won_before) / len(closed) if closed else 0.0
        cycles = [(deal["close"] - deal["engage"]).days for deal in won_before if deal["engage"]]
        cycle = statistics.median(cycles) if cycles else None

        # 2. Deals open on D, with the closing date expected on D.
        open_deals = [
            deal
            for deal in deals
            if deal["engage"]
            and deal["engage"] < start
            and (not deal["close"] or deal["close"] >= start)
        ]
        in_month = []
        for deal in open_deals:
            expected = (
                deal["engage"] + datetime.timedelta(days=cycle) if cycle is not None else start
            )
            if expected <= end:
                in_month.append((deal, (start - deal["engage"]).days))

        # 3. Each forecast for the month, and the month's wins.
        red_only = sum(prices[deal["ref"]] * weights["red"] for deal, _age in in_month)
        proxy = sum(
            prices[deal["ref"]]
            * (weights["yellow"] if cycle is not None and age <= cycle else weights["red"])
            for deal, age in in_month
        )
        probability = sum(prices[deal["ref"]] * win_rate for deal, _age in in_month)
        actual = sum(
            deal["revenue"]
            for deal in deals
            if deal["won"] and deal["close"] and start <= deal["close"] <= end
        )
        rows.append(
            {
                "month": start.strftime("%Y-%m"),
                "open": len(open_deals),
                "expected": len(in_month),
                "cycle": cycle,
                "win_rate": win_rate,
                "red_only": red_only,
                "proxy": proxy,
                "probability": probability,
                "actual": actual,
            }
        )
    return rows


def print_table(rows):
    print(
        "| month | open on D | expected in month | median cycle (days) | win rate before D "
        "| tricolour, all red | tricolour, age proxy | probability | won | accuracy all red "
        "| accuracy age proxy | accuracy probability |"
    )
    print("|" + " --- |" * 12)
    totals = {"red_only": [], "proxy": [], "probability": []}
    for row in rows:
        scores = {key: accuracy(row[key], row["actual"]) for key in totals}
        for key, value in scores.items():
            totals[key].append(value)
        cycle = "n/a" if row["cycle"] is None else f"{row['cycle']:.0f}"
        print(
            f"| {row['month']} | {row['open']} | {row['expected']} | {cycle} "
            f"| {row['win_rate']:.1%} "
            f"| {row['red_only']:,.0f} | {row['proxy']:,.0f} | {row['probability']:,.0f} "
            f"| {row['actual']:,.0f} | {scores['red_only']:.0%} | {scores['proxy']:.0%} "
            f"| {scores['probability']:.0%} |"
        )
    print()
    for key, values in totals.items():
        print(f"mean accuracy {key}: {statistics.mean(values):.1%}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    args = parser.parse_args()

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        from odoo.addons.sales_closed_loop.cli.import_pipeline import (  # noqa: PLC0415
            import_pipeline_folder,
        )

        import_pipeline_folder(env, args.data)
        env.flush_all()
        weights = env.company._get_forecast_weights()
        rows = backtest(env, read_deals(env), list_prices(Path(args.data)), weights)
        print_table(rows)
        cr.rollback()


if __name__ == "__main__":
    main()
