"""Time a one-stage move of many opportunities with the stage gate on and off.

Run from the repository root against a database where the modules are
installed (the test database of ./scripts/test works):

    .venv/bin/python bench/gate/bench_gate.py -c .state/test-cl_gate.conf -d cl_gate

Options: --leads N (default 1000), --rounds R (default 5). The script creates
N opportunities in Lead Screening, each with a pain-point evidence file. It
moves them all to Needs Diagnosis in one ``write``, R times with the gate and
R times without, alternating. Each round starts from a savepoint that is
rolled back after it. "Without" is the module's import bypass (the ``sales_closed_loop_import``
context as superuser), which skips the gate and its stage history rows, so the
difference is the whole cost of the gate. Each timing includes the flush of
the write and the tracking run at commit. Nothing is committed.
"""

import argparse
import base64
import statistics
import sys
import time

import odoo
from odoo.tools import config


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    return parser.parse_args()


def make_leads(env, count):
    """Create ``count`` opportunities in Lead Screening, each with one pain-point file."""
    team = env["crm.team"].create({"name": "Gate Benchmark Team"})
    leads = env["crm.lead"].create(
        [
            {"name": f"Gate benchmark {index}", "type": "opportunity", "team_id": team.id}
            for index in range(count)
        ]
    )
    pain_points = env.ref("sales_closed_loop.evidence_type_pain_points")
    attachments = env["ir.attachment"].create(
        [
            {
                "name": f"pain_points_{lead.id}.pdf",
                "datas": base64.b64encode(f"%PDF-1.4 pain points {lead.id}".encode()),
                "res_model": "crm.lead",
                "res_id": lead.id,
            }
            for lead in leads
        ]
    )
    env["crm.lead.evidence"].create(
        [
            {"lead_id": lead.id, "type_id": pain_points.id, "attachment_ids": [(6, 0, [att.id])]}
            for lead, att in zip(leads, attachments, strict=True)
        ]
    )
    env.flush_all()
    env.cr.precommit.run()
    return leads


def move_once(env, lead_ids, stage, gated):
    """Move the leads to ``stage`` in one write; return (seconds, queries)."""
    env.invalidate_all()
    leads = env["crm.lead"].browse(lead_ids)
    if not gated:
        leads = leads.with_context(sales_closed_loop_import=True)
    cr = env.cr
    queries_before = cr.sql_log_count
    start = time.perf_counter()
    leads.write({"stage_id": stage.id})
    env.flush_all()
    cr.precommit.run()
    seconds = time.perf_counter() - start
    return seconds, cr.sql_log_count - queries_before


def main():
    args = parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "en_US"})
        stage = env.ref("sales_closed_loop.stage_needs_diagnosis")
        lead_ids = make_leads(env, args.leads).ids

        results = {True: [], False: []}
        for _round in range(args.rounds):
            for gated in (True, False):
                cr.execute("SAVEPOINT bench_move")
                results[gated].append(move_once(env, lead_ids, stage, gated))
                cr.execute("ROLLBACK TO SAVEPOINT bench_move")
                env.invalidate_all()
                env.cr.precommit.clear()
        cr.rollback()

    def summary(rows):
        seconds = [row[0] for row in rows]
        # The last round: the first one also fills caches of field metadata.
        return statistics.median(seconds), min(seconds), rows[-1][1]

    on = summary(results[True])
    off = summary(results[False])
    print(f"leads moved in one write: {args.leads}, rounds: {args.rounds}")
    print(f"gate on : median {on[0]:.3f} s, min {on[1]:.3f} s, queries {on[2]}")
    print(f"gate off: median {off[0]:.3f} s, min {off[1]:.3f} s, queries {off[2]}")
    print(f"time ratio (median on / median off): {on[0] / off[0]:.2f}")
    print(f"extra queries of the gate: {on[2] - off[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
