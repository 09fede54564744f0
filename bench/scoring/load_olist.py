"""Load the Olist marketing funnel into a database, for the lead health backtest.

Run with the project's virtualenv, against a database where sales_closed_loop
is installed (preferably without demo data, so that the backtest reads only
Olist leads)::

    .venv/bin/python bench/scoring/load_olist.py -c CONF -d DB \
        --path ../shared/data/olist_marketing_funnel [--loss-days 150]

The files stay where they are; nothing is copied into the repository. The
loader commits. Running it again on the same database changes nothing,
because leads are found again by their ``import_ref`` (``olist:<mql_id>``).

What becomes what:

* one marketing-qualified lead (MQL) of
  ``olist_marketing_qualified_leads_dataset.csv`` is one opportunity of the
  sales team "Olist Sellers", created on its ``first_contact_date`` (noon
  UTC, as the pipeline import dates file days);
* ``origin`` becomes the UTM source of that name (empty: no source), and
  ``landing_page_id`` the UTM campaign of that name, so that both Odoo's
  predictive lead scoring and the lead health model can read them;
* an MQL of ``olist_closed_deals_dataset.csv`` was won on ``won_date``,
  or at its creation when ``won_date`` is earlier (six deals, won up to two
  days before noon of their first contact day);
* the files do not say when an MQL that never converted was given up.
  The rule is: an MQL not won within ``--loss-days`` days of its first
  contact is lost on that day, in the first stage. The default, 150 days, is
  the longest wait the files can confirm for every MQL: the last first
  contact is 2018-05-31 and the last win 2018-11-14, 167 days later. The
  outcome is therefore "won within 150 days", and the 92 deals of the files
  won later count as lost on day 150. Without the cut-off, an MQL still open
  after the loss delay would be an MQL that is going to be won, and a model
  that reads the age of a lead would learn that from the rule itself.

The columns of the closed-deals file other than ``won_date`` (segment, lead
type, behaviour profile, catalogue size, revenue) are known only for won
deals, so they are not loaded: a model would learn that a lead with a
segment is won.

Each lead gets its stage history: the first stage from first contact to
its closing, then the won stage for won leads.
"""

import argparse
import csv
import datetime
import time
from pathlib import Path

import odoo
from odoo.modules.registry import Registry
from odoo.tools import SQL

MQL_FILE = "olist_marketing_qualified_leads_dataset.csv"
DEALS_FILE = "olist_closed_deals_dataset.csv"
REF_PREFIX = "olist:"
TEAM_NAME = "Olist Sellers"
DEFAULT_LOSS_DAYS = 150
# Leads created per ORM create call, as the pipeline import does.
BATCH_SIZE = 1000
# File days carry no time: noon UTC, as the pipeline import dates them.
DATE_TIME = datetime.time(12, 0)


def read_funnel(folder, loss_days):
    """Return one dict per MQL: ref, origin, landing page, created, closed, won."""
    folder = Path(folder)
    with open(folder / DEALS_FILE, newline="", encoding="utf-8") as handle:
        won_dates = {
            row["mql_id"]: datetime.datetime.fromisoformat(row["won_date"])
            for row in csv.DictReader(handle)
            if row["won_date"]
        }
    leads = []
    with open(folder / MQL_FILE, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            created = datetime.datetime.combine(
                datetime.date.fromisoformat(row["first_contact_date"]), DATE_TIME
            )
            deadline = created + datetime.timedelta(days=loss_days)
            won_date = won_dates.get(row["mql_id"])
            won = won_date is not None and won_date <= deadline
            leads.append(
                {
                    "ref": REF_PREFIX + row["mql_id"],
                    "origin": row["origin"].strip(),
                    "landing_page": row["landing_page_id"].strip(),
                    "created": created,
                    "closed": max(won_date, created) if won else deadline,
                    "won": won,
                }
            )
    return leads


def _records_by_name(env, model, names):
    """Return ``{name: record}`` of ``model``, creating the missing names."""
    Model = env[model]
    found = {record.name: record for record in Model.search([("name", "in", sorted(names))])}
    missing = sorted(set(names) - set(found))
    if missing:
        for record in Model.create([{"name": name} for name in missing]):
            found[record.name] = record
    return found


def load_olist(env, folder, loss_days=DEFAULT_LOSS_DAYS):
    """Create the Olist leads that are not in the database yet; return how many."""
    # Imported here: odoo.addons lists the module only once the configuration
    # with the addons path is loaded.
    from odoo.addons.sales_closed_loop.wizards.crm_pipeline_import import (  # noqa: PLC0415
        IMPORT_CONTEXT,
    )

    env = env(context=dict(env.context, **IMPORT_CONTEXT), su=True)
    Lead = env["crm.lead"].with_context(active_test=False)
    leads = read_funnel(folder, loss_days)
    existing = set(Lead.search([("import_ref", "=like", REF_PREFIX + "%")]).mapped("import_ref"))
    leads = [lead for lead in leads if lead["ref"] not in existing]
    if not leads:
        return 0

    team = env["crm.team"].search([("name", "=", TEAM_NAME)], limit=1) or env["crm.team"].create(
        {"name": TEAM_NAME}
    )
    first_stage = env.ref("sales_closed_loop.stage_lead_screening")
    won_stage = env.ref("crm.stage_lead4")
    sources = _records_by_name(env, "utm.source", {lead["origin"] for lead in leads} - {""})
    campaigns = _records_by_name(
        env, "utm.campaign", {lead["landing_page"] for lead in leads} - {""}
    )

    for start in range(0, len(leads), BATCH_SIZE):
        batch = leads[start : start + BATCH_SIZE]

        # 1. The opportunities, in their final stage; lost ones archived.
        records = Lead.create(
            [
                {
                    "name": f"Olist MQL {lead['ref'][len(REF_PREFIX) :][:8]}",
                    "type": "opportunity",
                    "import_ref": lead["ref"],
                    "team_id": team.id,
                    "user_id": False,
                    "stage_id": (won_stage if lead["won"] else first_stage).id,
                    "source_id": sources[lead["origin"]].id if lead["origin"] else False,
                    "campaign_id": (
                        campaigns[lead["landing_page"]].id if lead["landing_page"] else False
                    ),
                    "probability": 100 if lead["won"] else 0,
                }
                for lead in batch
            ]
        )
        records.filtered(lambda record: record.probability == 0).action_set_lost()

        # 2. The file's dates, in SQL because the ORM never writes create_date.
        Lead.flush_model()
        env.cr.execute(
            SQL(
                """UPDATE crm_lead lead
                      SET create_date = dates.created,
                          date_open = dates.created,
                          date_conversion = dates.created,
                          date_last_stage_update = dates.closed,
                          date_closed = dates.closed
                     FROM (VALUES %s) AS dates(id, created, closed)
                    WHERE lead.id = dates.id""",
                SQL(", ").join(
                    SQL(
                        "(%s, %s::timestamp, %s::timestamp)",
                        record.id,
                        lead["created"],
                        lead["closed"],
                    )
                    for record, lead in zip(records, batch, strict=True)
                ),
            )
        )
        Lead.invalidate_model()

        # 3. The stage history: first stage until closing, then won.
        history = []
        for record, lead in zip(records, batch, strict=True):
            common = {"lead_id": record.id, "team_id": team.id, "is_imported": True}
            history.append(
                dict(
                    common,
                    stage_id=first_stage.id,
                    date_in=lead["created"],
                    date_out=lead["closed"],
                )
            )
            if lead["won"]:
                history.append(
                    dict(common, stage_id=won_stage.id, date_in=lead["closed"], date_out=False)
                )
        env["crm.lead.stage.history"].create(history)
        print(f"  {start + len(batch)} of {len(leads)} leads", flush=True)
    return len(leads)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--path", required=True, help="folder of the Olist marketing funnel files")
    parser.add_argument(
        "--loss-days",
        type=int,
        default=DEFAULT_LOSS_DAYS,
        help="days after the first contact at which an MQL not won counts as lost",
    )
    args = parser.parse_args()

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    started = time.monotonic()
    with Registry(args.database).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        created = load_olist(env, args.path, args.loss_days)
    print(f"created {created} Olist leads in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
