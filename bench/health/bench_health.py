"""Benchmark the lead health job against Odoo's predictive lead scoring at scale.

Run from the repository root with the project's virtualenv, after one test
run (which writes the configuration file)::

    .venv/bin/python bench/health/bench_health.py -c .state/test-<db>.conf \
        --database cl_backtest_bench --closed 100000 --open 1000000 [--tracemalloc]

The database is created with sales_closed_loop and its dependencies, without
demo data, when it does not exist. The benchmark leads are inserted with SQL
(the ORM would take hours for a million rows) until the database contains
``--closed`` closed and ``--open`` open ones. An existing database is reused.
The data, drawn with a fixed seed:

* 20 sales teams, 10 salespeople, 8 UTM sources and 200 customer companies
  spread over the standard industries;
* closed leads created over two years and open 5 to 94 days. A lead is won
  with a probability that grows with its source, from 21 % to 63 %. Won
  leads are in a won stage, lost ones archived at probability 0 in one of
  the first three stages;
* open leads created 20 to 179 days ago, in one of the five gated stages,
  with a probability between 10 and 89 so that PLS recomputes them;
* one stage history row per stay. A closed lead has a row in the stage it
  was in, then one in the won stage when it was won. An open lead has a row
  in its current stage;
* two interactions for one lead in five.

Then, one after the other and each in a fresh process so that its peak memory
is its own, it runs:

1. ours: ``crm.lead._cron_health_train_and_score()``, called again after a
   commit, as ``ir.cron`` does, until it reports no remaining lead. The
   first call trains on the closed leads; each call scores a bounded batch
   of open leads. The round in progress, if any, is dropped first;
2. Odoo's: ``crm.lead._cron_update_automated_probabilities()``, with
   ``crm.pls_fields`` set to ``source_id`` and ``crm.pls_start_date`` before
   the oldest benchmark lead, so that it learns from the same closed leads
   and scores the same open leads. It commits every 5,000 leads, as it does
   in production.

For each job it prints the number of calls, the wall time in all and of
the longest call, the CPU time of the Odoo process, the peak resident
memory of the process before and after the job (the difference is the
job's own high-water mark over the loaded registry) and, with
``--tracemalloc``, the peak of Python allocations (which slows the job).
PostgreSQL's own time and memory are not in these figures.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL

ODOO_BIN = Path(odoo.__file__).resolve().parents[1] / "odoo-bin"
BENCH_PREFIX = "Bench health "
TEAM_COUNT = 20
USER_COUNT = 10
SOURCE_COUNT = 8
PARTNER_COUNT = 200
# Oldest creation date of a benchmark lead; PLS starts the day before.
FIRST_DAY = "2024-01-01"
PLS_START_DATE = "2023-12-31"
# Rows per INSERT statement, so that PostgreSQL never builds a million rows
# in one statement.
INSERT_CHUNK = 200_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("--database", default="cl_backtest_bench")
    parser.add_argument("--closed", type=int, default=100_000, help="closed leads to learn from")
    parser.add_argument("--open", type=int, default=1_000_000, help="open leads to score")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also measure the peak of Python allocations"
    )
    # Internal: run one job in this process and print its figures as JSON.
    parser.add_argument("--measure", choices=("ours", "pls"), help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=("ours", "pls"), help="run only this job (default: both)")
    return parser.parse_args()


def ensure_database(args):
    """Create the benchmark database with sales_closed_loop unless it exists."""
    if args.database in odoo.service.db.list_dbs(force=True):
        return
    print(f"creating {args.database} with sales_closed_loop", flush=True)
    subprocess.run(
        [
            sys.executable,
            str(ODOO_BIN),
            "-c",
            args.config,
            "-d",
            args.database,
            "-i",
            "sales_closed_loop",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
    )


def prepare_references(env):
    """Return the ids of the teams, users, sources and customers, created once."""
    teams = env["crm.team"].search([("name", "=like", BENCH_PREFIX + "%")], order="id")
    if not teams:
        teams = env["crm.team"].create(
            [{"name": f"{BENCH_PREFIX}team {index:02d}"} for index in range(TEAM_COUNT)]
        )
        env["res.users"].create(
            [
                {"name": f"{BENCH_PREFIX}rep {index}", "login": f"bench_health_rep_{index}"}
                for index in range(USER_COUNT)
            ]
        )
        env["utm.source"].create(
            [{"name": f"{BENCH_PREFIX}source {index}"} for index in range(SOURCE_COUNT)]
        )
        industries = env["res.partner.industry"].search([], order="id")
        env["res.partner"].create(
            [
                {
                    "name": f"{BENCH_PREFIX}customer {index:03d}",
                    "is_company": True,
                    "industry_id": industries[index % len(industries)].id,
                }
                for index in range(PARTNER_COUNT)
            ]
        )
    users = env["res.users"].search([("login", "=like", "bench_health_rep_%")], order="id")
    sources = env["utm.source"].search([("name", "=like", BENCH_PREFIX + "%")], order="id")
    partners = env["res.partner"].search(
        [("name", "=like", BENCH_PREFIX + "customer %"), ("is_company", "=", True)], order="id"
    )
    stages = [
        env.ref(f"sales_closed_loop.stage_{name}").id
        for name in (
            "lead_screening",
            "needs_diagnosis",
            "solution_matching",
            "value_consensus",
            "contract_closing",
        )
    ]
    return {
        "teams": teams.ids,
        "users": users.ids,
        "sources": sources.ids,
        "partners": partners.ids,
        "stages": stages,
        "won_stage": env.ref("crm.stage_lead4").id,
        "company": env.company.id,
    }


def count_leads(cr, kind):
    cr.execute("SELECT count(*) FROM crm_lead WHERE name LIKE %s", [f"{BENCH_PREFIX}{kind} %"])
    return cr.fetchone()[0]


def insert_closed(cr, refs, first, last):
    """Insert closed leads number ``first`` to ``last`` and their stage history."""
    cr.execute(
        SQL(
            """
            INSERT INTO crm_lead (
                name, type, active, company_id, team_id, user_id, partner_id, source_id,
                stage_id, expected_revenue, probability, automated_probability,
                create_date, write_date, date_open, date_last_stage_update, date_closed,
                create_uid, write_uid
            )
            SELECT %(prefix)s || g, 'opportunity', won, %(company)s,
                   (%(teams)s::int[])[1 + mod(g, %(team_count)s)],
                   (%(users)s::int[])[1 + mod(g, %(user_count)s)],
                   (%(partners)s::int[])[1 + mod(g * 7, %(partner_count)s)],
                   (%(sources)s::int[])[source],
                   CASE WHEN won THEN %(won_stage)s
                        ELSE (%(stages)s::int[])[1 + mod(g, 3)] END,
                   1000 + mod(g * 104729, 99000),
                   CASE WHEN won THEN 100 ELSE 0 END,
                   CASE WHEN won THEN 100 ELSE 0 END,
                   created, closed, created, closed, closed, 1, 1
              FROM (
                    SELECT g, source, created,
                           created + (5 + mod(g * 31, 90)) * INTERVAL '1 day' AS closed,
                           random() < 0.15 + 0.06 * source AS won
                      FROM (
                            SELECT g, 1 + mod(g * 13, %(source_count)s) AS source,
                                   TIMESTAMP %(first_day)s
                                       + mod(g * 7919, 600) * INTERVAL '1 day'
                                       + INTERVAL '12 hours' AS created
                              FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
                           ) AS drawn
                   ) AS leads
            """,
            prefix=BENCH_PREFIX + "closed ",
            company=refs["company"],
            teams=refs["teams"],
            team_count=len(refs["teams"]),
            users=refs["users"],
            user_count=len(refs["users"]),
            partners=refs["partners"],
            partner_count=len(refs["partners"]),
            sources=refs["sources"],
            source_count=len(refs["sources"]),
            won_stage=refs["won_stage"],
            stages=refs["stages"],
            first_day=FIRST_DAY,
            first=first,
            last=last,
        )
    )
    # Lost leads: one stay in their stage until the close. Won leads: a stay
    # in the first stage until the close, then the won stage.
    cr.execute(
        SQL(
            """
            INSERT INTO crm_lead_stage_history (
                lead_id, stage_id, team_id, user_id, company_id, date_in, date_out,
                is_imported, create_uid, write_uid, create_date, write_date
            )
            SELECT lead.id, CASE WHEN lead.active THEN %(first_stage)s ELSE lead.stage_id END,
                   lead.team_id, lead.user_id, lead.company_id, lead.create_date,
                   lead.date_closed, TRUE, 1, 1, now(), now()
              FROM crm_lead lead
             WHERE lead.name LIKE %(pattern)s
               AND NOT EXISTS (SELECT 1 FROM crm_lead_stage_history history
                                WHERE history.lead_id = lead.id)
            UNION ALL
            SELECT lead.id, lead.stage_id, lead.team_id, lead.user_id, lead.company_id,
                   lead.date_closed, NULL, TRUE, 1, 1, now(), now()
              FROM crm_lead lead
             WHERE lead.name LIKE %(pattern)s AND lead.active
               AND NOT EXISTS (SELECT 1 FROM crm_lead_stage_history history
                                WHERE history.lead_id = lead.id)
            """,
            first_stage=refs["stages"][0],
            pattern=BENCH_PREFIX + "closed %",
        )
    )


def insert_open(cr, refs, first, last):
    """Insert open leads number ``first`` to ``last`` and their stage history."""
    cr.execute(
        SQL(
            """
            INSERT INTO crm_lead (
                name, type, active, company_id, team_id, user_id, partner_id, source_id,
                stage_id, expected_revenue, probability, automated_probability,
                create_date, write_date, date_open, date_last_stage_update,
                create_uid, write_uid
            )
            SELECT %(prefix)s || g, 'opportunity', TRUE, %(company)s,
                   (%(teams)s::int[])[1 + mod(g, %(team_count)s)],
                   (%(users)s::int[])[1 + mod(g, %(user_count)s)],
                   (%(partners)s::int[])[1 + mod(g * 7, %(partner_count)s)],
                   (%(sources)s::int[])[1 + mod(g * 13, %(source_count)s)],
                   (%(stages)s::int[])[1 + mod(g, 5)],
                   1000 + mod(g * 104729, 99000),
                   10 + mod(g * 31, 80), 10 + mod(g * 31, 80),
                   created, created, created,
                   created + mod(g, 20) * INTERVAL '1 day', 1, 1
              FROM (
                    SELECT g, now()::timestamp - (20 + mod(g * 7919, 160)) * INTERVAL '1 day'
                              AS created
                      FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
                   ) AS leads
            """,
            prefix=BENCH_PREFIX + "open ",
            company=refs["company"],
            teams=refs["teams"],
            team_count=len(refs["teams"]),
            users=refs["users"],
            user_count=len(refs["users"]),
            partners=refs["partners"],
            partner_count=len(refs["partners"]),
            sources=refs["sources"],
            source_count=len(refs["sources"]),
            stages=refs["stages"],
            first=first,
            last=last,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO crm_lead_stage_history (
                lead_id, stage_id, team_id, user_id, company_id, date_in,
                is_imported, create_uid, write_uid, create_date, write_date
            )
            SELECT lead.id, lead.stage_id, lead.team_id, lead.user_id, lead.company_id,
                   lead.date_last_stage_update, TRUE, 1, 1, now(), now()
              FROM crm_lead lead
             WHERE lead.name LIKE %(pattern)s
               AND NOT EXISTS (SELECT 1 FROM crm_lead_stage_history history
                                WHERE history.lead_id = lead.id)
            """,
            pattern=BENCH_PREFIX + "open %",
        )
    )


def insert_interactions(cr):
    """Give two outbound calls to one benchmark lead in five that has none."""
    cr.execute(
        """
        INSERT INTO crm_lead_interaction (
            lead_id, company_id, user_id, kind, direction, date,
            create_uid, write_uid, create_date, write_date
        )
        SELECT lead.id, lead.company_id, lead.user_id, 'call', 'outbound',
               lead.create_date + offsets.days * INTERVAL '1 day', 1, 1, now(), now()
          FROM crm_lead lead
         CROSS JOIN (VALUES (1), (3)) AS offsets(days)
         WHERE lead.name LIKE %s AND mod(lead.id, 5) = 0
           AND NOT EXISTS (SELECT 1 FROM crm_lead_interaction interaction
                            WHERE interaction.lead_id = lead.id)
        """,
        [BENCH_PREFIX + "%"],
    )


def fill(registry, args):
    """Insert benchmark leads until the database contains the requested numbers."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cr.execute("SELECT setseed(0.42)")
        refs = prepare_references(env)
        cr.commit()
        for kind, wanted, insert in (
            ("closed", args.closed, insert_closed),
            ("open", args.open, insert_open),
        ):
            present = count_leads(cr, kind)
            started = time.monotonic()
            for first in range(present + 1, wanted + 1, INSERT_CHUNK):
                last = min(first + INSERT_CHUNK - 1, wanted)
                insert(cr, refs, first, last)
                cr.commit()
                print(f"  {kind}: {last} of {wanted}", flush=True)
            if wanted > present:
                print(
                    f"inserted {wanted - present} {kind} leads in "
                    f"{time.monotonic() - started:.0f} s",
                    flush=True,
                )
        insert_interactions(cr)
        cr.commit()
    with odoo.sql_db.db_connect(args.database).cursor() as cr:
        cr._cnx.autocommit = True
        for table in ("crm_lead", "crm_lead_stage_history", "crm_lead_interaction"):
            cr.execute(f"VACUUM ANALYZE {table}")


def run_ours(env):
    """Run our job until its round is done, committing after each call as ir.cron does.

    Returns ``(counts of the calls, seconds of each call)``. The round in
    progress, if any, is dropped first, so that the first call trains.
    """
    # Imported here: odoo.addons lists the module only once the configuration
    # with the addons path is loaded.
    from odoo.addons.sales_closed_loop.models.crm_lead_health import (  # noqa: PLC0415
        HEALTH_ROUND_PARAM,
    )

    env["ir.config_parameter"].sudo().search([("key", "=", HEALTH_ROUND_PARAM)]).unlink()
    env.cr.commit()
    calls, call_seconds = [], []
    while True:
        started = time.perf_counter()
        counts = env["crm.lead"]._cron_health_train_and_score()
        env.cr.commit()
        call_seconds.append(time.perf_counter() - started)
        calls.append(counts)
        if not counts.get("remaining"):
            return calls, call_seconds


def measure(args):
    """Run one job in this process and print its figures as one JSON line."""
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if args.measure == "pls":
            config = env["ir.config_parameter"].sudo()
            config.set_param("crm.pls_fields", "source_id")
            config.set_param("crm.pls_start_date", PLS_START_DATE)
            cr.commit()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if args.tracemalloc:
            tracemalloc.start()
        cpu_started = time.process_time()
        started = time.perf_counter()
        if args.measure == "ours":
            calls, call_seconds = run_ours(env)
        else:
            env["crm.lead"]._cron_update_automated_probabilities()
            cr.commit()
            calls, call_seconds = [], [time.perf_counter() - started]
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        traced_peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
        if args.tracemalloc:
            tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "job": args.measure,
                "seconds": seconds,
                "call_seconds": call_seconds,
                "cpu_seconds": cpu_seconds,
                "rss_before_kib": rss_before,
                "rss_peak_kib": rss_after,
                "traced_peak_bytes": traced_peak,
                "calls": calls,
            },
            default=str,
        ),
        flush=True,
    )


def run_child(args, job):
    command = [
        sys.executable,
        __file__,
        "-c",
        args.config,
        "--database",
        args.database,
        "--measure",
        job,
    ]
    if args.tracemalloc:
        command.append("--tracemalloc")
    process = subprocess.run(command, check=True, capture_output=True, text=True)
    figures = json.loads(process.stdout.strip().splitlines()[-1])
    if any(counts.get("failed") or counts.get("training_failed") for counts in figures["calls"]):
        sys.exit(f"{job} failed for some leads; its log ends with:\n{process.stderr[-3000:]}")
    return figures


def main():
    args = parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    if args.measure:
        measure(args)
        return

    ensure_database(args)
    registry = Registry(args.database)
    fill(registry, args)
    with registry.cursor() as cr:
        closed, open_count = count_leads(cr, "closed"), count_leads(cr, "open")
    print(f"benchmark leads: {closed} closed, {open_count} open", flush=True)

    jobs = [args.only] if args.only else ["ours", "pls"]
    rows = []
    for job in jobs:
        print(f"running {job}", flush=True)
        figures = run_child(args, job)
        print(json.dumps(figures), flush=True)
        rows.append(figures)

    labels = {
        "ours": "ours: _cron_health_train_and_score",
        "pls": "Odoo: _cron_update_automated_probabilities",
    }
    print()
    print(f"{closed:,} closed leads, {open_count:,} open leads")
    print()
    print(
        "| job | calls | wall time (s) | longest call (s) | CPU time of the Odoo process (s) "
        "| peak RSS before the job (MiB) | peak RSS after the job (MiB) "
        "| peak Python allocations (MiB) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for figures in rows:
        traced = figures["traced_peak_bytes"]
        print(
            f"| {labels[figures['job']]} | {max(len(figures['calls']), 1)} "
            f"| {figures['seconds']:.0f} | {max(figures['call_seconds']):.0f} "
            f"| {figures['cpu_seconds']:.0f} | {figures['rss_before_kib'] / 1024:.0f} "
            f"| {figures['rss_peak_kib'] / 1024:.0f} "
            f"| {'not measured' if traced is None else f'{traced / 2**20:.0f}'} |"
        )


if __name__ == "__main__":
    main()
