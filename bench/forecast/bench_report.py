"""Benchmark the tricolour report's grouped totals against crm.lead's own.

Run with the project's virtualenv::

    .venv/bin/python bench/forecast/bench_report.py -c .state/test-<db>.conf \
        --template <db> -d <db>_bench --deals 1000000 [--repeat 7]

``--template`` names a database where the three modules are installed (the
test database works). The script copies it to ``-d`` when that database does
not exist yet. It fills it once with ``--deals`` open opportunities, inserted
with plain SQL over 20 sales teams, 24 expected closing months and the three
colours. Then it times, in the same run and alternately:

* ours: ``sales.forecast.report._read_group`` of ``weighted_revenue:sum`` by
  expected closing month × sales team × forecast colour;
* theirs: ``crm.lead._read_group`` of ``prorated_revenue:sum`` by expected
  closing month × sales team, as the CRM pipeline's pivot does.

Each query is timed ``--repeat`` times, the queries taking turns, and each
timing follows one untimed run of the same query; the median is reported.
With ``--snapshot`` it also times one forecast snapshot of every open deal,
rolled back afterwards. The bench database is left in place for further
runs; drop it with ``dropdb`` when done.
"""

import argparse
import statistics
import time

import psycopg2

import odoo
from odoo.modules.registry import Registry
from odoo.tools import SQL

BENCH_PREFIX = "bench-forecast-"
TEAM_COUNT = 20


def ensure_database(args):
    params = {
        "host": odoo.tools.config["db_host"] or None,
        "port": odoo.tools.config["db_port"] or None,
        "user": odoo.tools.config["db_user"] or None,
        "dbname": "postgres",
    }
    connection = psycopg2.connect(**params)
    connection.autocommit = True
    with connection.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database])
        if not cr.fetchone():
            print(f"copying {args.template} to {args.database}")
            cr.execute(f'CREATE DATABASE "{args.database}" TEMPLATE "{args.template}"')
    connection.close()


def fill(env, deals):
    """Insert open opportunities until the database contains ``deals`` bench deals."""
    cr = env.cr
    cr.execute("SELECT count(*) FROM crm_lead WHERE name LIKE %s", [BENCH_PREFIX + "%"])
    present = cr.fetchone()[0]
    if present >= deals:
        return present

    company = env.company
    teams = env["crm.team"].search([("name", "like", BENCH_PREFIX)])
    for index in range(len(teams), TEAM_COUNT):
        teams |= env["crm.team"].create({"name": f"{BENCH_PREFIX}team-{index:02d}"})
    stages = env["crm.stage"].search([("is_won", "=", False)]).ids
    users = env["res.users"].search([("share", "=", False)], limit=10).ids
    weights = company._get_forecast_weights()
    started = time.monotonic()
    cr.execute(
        SQL(
            """
            INSERT INTO crm_lead (
                name, type, active, company_id, team_id, user_id, stage_id,
                date_deadline, expected_revenue, probability, prorated_revenue,
                forecast_color, forecast_evidence_color, forecast_weight,
                forecast_weighted_revenue, create_date, write_date, create_uid, write_uid
            )
            SELECT %(prefix)s || g,
                   'opportunity', TRUE, %(company)s,
                   (%(teams)s::int[])[1 + mod(g, %(team_count)s)],
                   (%(users)s::int[])[1 + mod(g, %(user_count)s)],
                   (%(stages)s::int[])[1 + mod(g, %(stage_count)s)],
                   DATE '2026-01-01' + mod(g * 7919, 730)::int,
                   rev, prob, rev * prob / 100,
                   color, color, weight, rev * weight,
                   NOW(), NOW(), 1, 1
              FROM (
                    SELECT g,
                           (1000 + mod(g * 104729, 99000))::numeric AS rev,
                           mod(g * 31, 100)::float AS prob,
                           CASE WHEN mod(g / 20, 10) < 2 THEN 'green'
                                WHEN mod(g / 20, 10) < 5 THEN 'yellow'
                                ELSE 'red' END AS color,
                           CASE WHEN mod(g / 20, 10) < 2 THEN %(green)s
                                WHEN mod(g / 20, 10) < 5 THEN %(yellow)s
                                ELSE %(red)s END AS weight
                      FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS g
                   ) AS deals
            """,
            prefix=BENCH_PREFIX,
            company=company.id,
            teams=teams.ids,
            team_count=len(teams),
            users=users,
            user_count=len(users),
            stages=stages,
            stage_count=len(stages),
            green=weights["green"],
            yellow=weights["yellow"],
            red=weights["red"],
            start=present + 1,
            stop=deals,
        )
    )
    cr.commit()
    cr.execute("ANALYZE crm_lead")
    print(f"inserted {deals - present} deals in {time.monotonic() - started:.1f}s")
    return deals


def timed(function, repeat):
    function()
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        durations.append(time.perf_counter() - started)
    return durations


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--template", required=True)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--snapshot",
        action="store_true",
        help="also time one forecast snapshot of all open deals (rolled back)",
    )
    args = parser.parse_args()

    odoo.tools.config.parse_config(["-c", args.config])
    ensure_database(args)
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        fill(env, args.deals)

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        report = env["sales.forecast.report"]
        lead = env["crm.lead"]
        cr.execute("SELECT count(*) FROM crm_lead WHERE active AND type = 'opportunity'")
        open_count = cr.fetchone()[0]

        def ours():
            report.invalidate_model()
            return report._read_group(
                [], ["date_deadline:month", "team_id", "forecast_color"], ["weighted_revenue:sum"]
            )

        def ours_month_team():
            report.invalidate_model()
            return report._read_group(
                [], ["date_deadline:month", "team_id"], ["weighted_revenue:sum"]
            )

        def theirs():
            lead.invalidate_model()
            return lead._read_group(
                [("type", "=", "opportunity")],
                ["date_deadline:month", "team_id"],
                ["prorated_revenue:sum"],
            )

        results = {"ours": [], "ours_month_team": [], "theirs": []}
        # Alternate the three so that load from other processes hits them alike.
        for _ in range(args.repeat):
            for name, function in (
                ("ours", ours),
                ("ours_month_team", ours_month_team),
                ("theirs", theirs),
            ):
                results[name] += timed(function, 1)

        groups = {
            "ours": len(ours()),
            "ours_month_team": len(ours_month_team()),
            "theirs": len(theirs()),
        }
        print(f"open opportunities: {open_count}")
        for name, durations in results.items():
            print(
                f"{name}: median {statistics.median(durations) * 1000:.0f} ms, "
                f"min {min(durations) * 1000:.0f} ms, max {max(durations) * 1000:.0f} ms, "
                f"{groups[name]} groups"
            )
        ratio = statistics.median(results["ours"]) / statistics.median(results["theirs"])
        print(f"ratio ours / theirs (medians): {ratio:.2f}")

        if args.snapshot:
            started = time.perf_counter()
            snapshot = env["sales.forecast.snapshot"]._take_snapshot(env.company)
            cr.execute(
                "SELECT count(*) FROM sales_forecast_snapshot_line WHERE snapshot_id = %s",
                [snapshot.id],
            )
            lines = cr.fetchone()[0]
            print(f"snapshot: {lines} lines in {time.perf_counter() - started:.1f}s")
        cr.rollback()


if __name__ == "__main__":
    main()
