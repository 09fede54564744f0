"""Benchmark of the silent-lead circuit breaker of sales_closed_loop.

Run from the repository root, after ./scripts/setup and one test run (which
writes the configuration file):

    .venv/bin/python bench/breaker/bench_breaker.py \
        -c .state/test-cl_silence.conf --database cl_silence_bench \
        --not-due 1000000 --due 10000

The database is created with sales_closed_loop and its dependencies, without
demo data, when it does not exist. An existing database is reused, and its
benchmark leads are deleted first. Leads are inserted with SQL (the ORM would
take hours for a million rows), with their ledger dates and stored deadlines
already set. Then the script measures, in one process:

1. the breaker's due-lead scan (the locking query and the count of what
   remains, as the cron runs them) with N not-due leads, then again after N
   more not-due leads are added. It must stay nearly flat, because it reads
   the index on the deadline;
2. a full breaker run over the due leads in cron-sized batches, each batch
   committed as ir.cron commits it: total seconds, seconds per escalated
   lead, and the peak resident memory of the process. Each batch goes through
   the scheduled action's entry point, which reads the breaker's automation
   rule (active flag and filter domain) before locking its batch;
3. Odoo's own ``activity_schedule`` on the same machine, per lead, as a
   baseline: an escalation writes two activities, two messages, a log row and
   the lead.

It prints a Markdown table for docs/benchmarks/breaker.md.
"""

import argparse
import resource
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL

ROOT = Path(__file__).resolve().parents[2]
ODOO_BIN = Path(odoo.__file__).resolve().parents[1] / "odoo-bin"
BENCH_PREFIX = "Bench silent lead"
# Users the due leads are spread over, so that the round-robin has work to do.
MEMBER_COUNT = 10
# Repetitions of each scan measurement; the median is reported.
SCAN_REPEATS = 7


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("--database", default="cl_silence_bench")
    parser.add_argument("--not-due", type=int, default=1_000_000, help="leads not due (N)")
    parser.add_argument("--due", type=int, default=10_000, help="leads due for escalation")
    parser.add_argument("--batch-size", type=int, default=200, help="leads per breaker batch")
    parser.add_argument(
        "--baseline", type=int, default=1000, help="leads for the activity_schedule baseline"
    )
    parser.add_argument(
        "--breaker-limit",
        type=int,
        default=0,
        help="stop the breaker run after this many escalations (0: run until none is due)",
    )
    parser.add_argument(
        "--skip-breaker", action="store_true", help="measure the scan and the baseline only"
    )
    return parser.parse_args()


def ensure_database(args):
    """Create the benchmark database with sales_closed_loop unless it exists."""
    odoo.tools.config.parse_config(["-c", args.config])
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


def prepare_team(env):
    """Return a sales team with MEMBER_COUNT members, created once."""
    team = env["crm.team"].search([("name", "=", "Bench silence team")], limit=1)
    if team:
        return team
    users = env["res.users"].create(
        [
            {"name": f"Bench rep {index}", "login": f"bench_rep_{index}"}
            for index in range(MEMBER_COUNT)
        ]
    )
    users.groups_id = [(4, env.ref("sales_team.group_sale_salesman").id)]
    team = env["crm.team"].create(
        {"name": "Bench silence team", "user_id": users[0].id, "silence_breaker_hours": 72}
    )
    env["crm.team.member"].create([{"crm_team_id": team.id, "user_id": user.id} for user in users])
    return team


def insert_leads(cr, team, count, silent_since, due_date, offset):
    """Insert ``count`` opportunities of ``team`` with their silence fields set."""
    user_ids = team.member_ids.ids
    cr.execute(
        SQL(
            """INSERT INTO crm_lead (name, type, active, team_id, user_id, company_id,
                                     stage_id, probability, create_date, write_date,
                                     create_uid, write_uid, last_interaction_date,
                                     silence_start_date, silence_breaker_due_date)
               SELECT %(prefix)s || ' ' || g, 'opportunity', true, %(team)s,
                      (%(users)s::int[])[1 + mod(g, %(user_count)s)], %(company)s, %(stage)s,
                      10, now(), now(), 1, 1, %(since)s, %(since)s, %(due)s
                 FROM generate_series(%(first)s, %(last)s) g""",
            prefix=BENCH_PREFIX,
            team=team.id,
            users=user_ids,
            user_count=len(user_ids),
            company=team.company_id.id or team.env.company.id,
            stage=team.env.ref("sales_closed_loop.stage_lead_screening").id,
            since=silent_since,
            due=due_date,
            first=offset + 1,
            last=offset + count,
        )
    )
    cr.commit()
    vacuum_analyze(cr.dbname)


def vacuum_analyze(dbname):
    """Vacuum and analyze crm_lead, as autovacuum would after a bulk insert."""
    with odoo.sql_db.db_connect(dbname).cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute("VACUUM ANALYZE crm_lead")


def measure_scan(env, now, batch_size):
    """Return the median seconds of the breaker's lock query and of its count query."""
    Lead = env["crm.lead"]
    lock_timings, count_timings = [], []
    for _index in range(SCAN_REPEATS):
        started = time.perf_counter()
        Lead._silence_lock_due("silence_breaker_due_date", now, batch_size)
        locked = time.perf_counter()
        Lead._silence_count_due("silence_breaker_due_date", now)
        lock_timings.append(locked - started)
        count_timings.append(time.perf_counter() - locked)
        env.cr.rollback()
    return statistics.median(lock_timings), statistics.median(count_timings)


def explain_scan(env, now, batch_size):
    """Return the plan of the breaker's lock query, built as the cron builds it."""
    Lead = env["crm.lead"]
    due_field = "silence_breaker_due_date"
    query = Lead.sudo()._search(
        Lead._silence_due_domain(due_field, now), order=f"{due_field}, id", limit=batch_size
    )
    env.cr.execute(SQL("EXPLAIN %s FOR UPDATE OF crm_lead SKIP LOCKED", query.select()))
    return "\n".join(row[0] for row in env.cr.fetchall())


def run_breaker(registry, batch_size, limit):
    """Run breaker batches until nothing is due, committing each; return (escalated, seconds)."""
    escalated = 0
    started = time.perf_counter()
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            counts = env["crm.lead"]._cron_silence_breaker(batch_size=batch_size)
            cr.commit()
        escalated += counts["done"]
        print(f"  batch: {counts['done']} escalated, {counts['remaining']} remaining", flush=True)
        if not counts["remaining"] or not counts["scanned"]:
            break
        if limit and escalated >= limit:
            break
    return escalated, time.perf_counter() - started


def run_baseline(env, count):
    """Return seconds per lead of Odoo's activity_schedule, one call per lead."""
    leads = env["crm.lead"].search([("name", "=like", BENCH_PREFIX + "%")], limit=count)
    started = time.perf_counter()
    for lead in leads:
        lead.activity_schedule("mail.mail_activity_data_todo", user_id=lead.user_id.id)
    env.flush_all()
    seconds = time.perf_counter() - started
    env.cr.rollback()
    return seconds / max(len(leads), 1)


def main():
    args = parse_args()
    ensure_database(args)
    registry = Registry(args.database)
    report = []

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        team = prepare_team(env)
        cr.execute("DELETE FROM crm_lead WHERE name LIKE %s", [BENCH_PREFIX + "%"])
        cr.commit()
        now = env.cr.now()

        # 1. The scan with N, then 2N, not-due leads and the due leads.
        started = time.perf_counter()
        insert_leads(cr, team, args.not_due, now - timedelta(hours=1), now + timedelta(hours=71), 0)
        insert_leads(
            cr, team, args.due, now - timedelta(hours=80), now - timedelta(hours=8), args.not_due
        )
        cr.commit()
        print(f"inserted {args.not_due + args.due} leads in {time.perf_counter() - started:.1f} s")
        scan_n = measure_scan(env, now, args.batch_size)
        plan = explain_scan(env, now, args.batch_size)
        insert_leads(
            cr,
            team,
            args.not_due,
            now - timedelta(hours=1),
            now + timedelta(hours=71),
            args.not_due + args.due,
        )
        cr.commit()
        scan_2n = measure_scan(env, now, args.batch_size)
        for label, index in (("lock query", 0), ("count query", 1)):
            report += [
                (f"{label}, N not-due leads", f"{scan_n[index] * 1000:.2f} ms"),
                (f"{label}, 2N not-due leads", f"{scan_2n[index] * 1000:.2f} ms"),
                (f"{label} ratio 2N / N", f"{scan_2n[index] / scan_n[index]:.2f}"),
            ]
        # Printed now: the breaker run below takes long and may be interrupted.
        print_report(args, report, plan)

    # 2. The breaker over the due leads, batch by batch.
    if args.skip_breaker:
        with registry.cursor() as cr:
            per_lead = run_baseline(api.Environment(cr, SUPERUSER_ID, {}), args.baseline)
        report.append(("activity_schedule per lead (baseline)", f"{per_lead * 1000:.1f} ms"))
        print_report(args, report, plan)
        return
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    escalated, seconds = run_breaker(registry, args.batch_size, args.breaker_limit)
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report += [
        ("leads escalated", f"{escalated}"),
        ("breaker total", f"{seconds:.1f} s"),
        ("breaker per escalated lead", f"{seconds / max(escalated, 1) * 1000:.1f} ms"),
        ("peak RSS before / after the run", f"{rss_before / 1024:.0f} / {rss_peak / 1024:.0f} MiB"),
    ]

    # 3. The baseline: Odoo's activity_schedule, one lead at a time.
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        per_lead = run_baseline(env, args.baseline)
    report.append(("activity_schedule per lead (baseline)", f"{per_lead * 1000:.1f} ms"))

    print_report(args, report, plan)


def print_report(args, report, plan):
    print()
    print(f"N = {args.not_due:,} not-due leads, {args.due:,} due, batches of {args.batch_size}")
    print()
    print("| measure | value |")
    print("| --- | --- |")
    for name, value in report:
        print(f"| {name} | {value} |")
    print()
    print("Plan of the scan query:")
    print(plan)


if __name__ == "__main__":
    main()
