"""``score_backtest`` command: backtest the lead health model against Odoo's PLS.

Usage::

    odoo-bin --addons-path=ADDONS score_backtest -c CONF -d DB \
        [--split YYYY-MM-DD] [--company ID] [--pls-fields FIELD,FIELD ...]

The command replays the database's own history at a split date T:

* training set: the closed leads (won, or lost as crm's "Mark as Lost" leaves
  them) closed before T. The closing moment is ``date_closed``, else the last
  write, as the lead health training reads it;
* test set: the leads created before T and closed on or after T, so open at
  T, with their outcome known today;
* default T: the closing moment of the closed lead at 70 % of the closed
  leads sorted by closing moment, so that about 70 % of them train.

Both models are trained on the training set and score the test set as it
was at T, in the same run:

* ours: ``crm.lead.health.model._health_fit`` on
  ``crm.lead._health_training_samples(closed_before=T)``, then the
  probabilities of ``crm.lead._health_features(at=T)``;
* Odoo's predictive lead scoring (PLS), inside a savepoint that is rolled
  back:

  1. every lead outside the two sets is archived with a probability of 50,
     so PLS neither learns from it nor scores it;
  2. the test leads are put back as they were at T: their stage at T from
     the stage history, active, not won or lost, no probability;
  3. ``crm.pls_fields`` is set to the fields given with ``--pls-fields``, and
     ``crm.pls_start_date`` to the day the oldest lead of the two sets was
     created;
  4. crm's own ``_cron_update_automated_probabilities`` rebuilds its
     frequency table and scores the test leads, whose
     ``automated_probability`` / 100 is read before the rollback.

The command prints AUC, Brier score, log loss and a reliability table of
each model on the test set, next to a constant forecast at the training
win rate. It rolls the whole transaction back, so the database is left as
it was.
"""

import logging
import math
import optparse
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import odoo
from odoo.cli import Command
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tools import SQL

from .. import health_metrics

_logger = logging.getLogger(__name__)

# Share of the closed leads, by closing moment, that the default split trains on.
DEFAULT_TRAIN_SHARE = 0.7

# Probability written on the leads outside the backtest while PLS runs. PLS
# learns only from leads at 100 (won) or at 0 and archived (lost), and scores
# only active leads, so an archived lead at 50 is invisible to both steps.
NEUTRAL_PROBABILITY = 50

# PLS fields of a default run: the fields of crm.lead that carry information
# the lead health model also reads (the source). Stage and sales team are
# always used by PLS and need not be listed.
DEFAULT_PLS_FIELDS = ("source_id",)

# Closing moment of a closed lead, as crm.lead._health_training_samples reads it.
CLOSING_MOMENT = SQL("COALESCE(lead.date_closed, lead.write_date)")


# Closed lead (alias ``lead``, joined ``stage``), the SQL form of
# crm.lead._health_closed_domain: won is active in a won stage, lost is
# archived with a probability of 0 outside a won stage.
CLOSED_CONDITION = SQL(
    """(
        (lead.active AND COALESCE(stage.is_won, FALSE))
        OR (NOT lead.active AND lead.probability = 0 AND NOT COALESCE(stage.is_won, FALSE))
    )"""
)


def _company_condition(company):
    if not company:
        return SQL("TRUE")
    return SQL("lead.company_id = %s", company.id)


def default_split_date(env, company=None, train_share=DEFAULT_TRAIN_SHARE):
    """Return the closing moment by which ``train_share`` of the closed leads had closed.

    Raises ``UserError`` when there are fewer than two closed leads.
    """
    env["crm.lead"].flush_model()
    env.cr.execute(
        SQL(
            """SELECT %(moment)s
                 FROM crm_lead lead
            LEFT JOIN crm_stage stage ON stage.id = lead.stage_id
                WHERE %(closed)s AND %(company)s
             ORDER BY 1""",
            moment=CLOSING_MOMENT,
            closed=CLOSED_CONDITION,
            company=_company_condition(company),
        )
    )
    moments = [row[0] for row in env.cr.fetchall()]
    if len(moments) < 2:
        raise UserError(
            env._(
                "The backtest needs at least two closed leads, one to learn from and one to "
                "test on, and found %(count)s. Import or close more leads first.",
                count=len(moments),
            )
        )
    index = min(max(math.ceil(len(moments) * train_share), 1), len(moments) - 1)
    return moments[index]


def split_leads(env, split_date, company=None):
    """Return the training and test leads of the split at ``split_date``.

    The result is a dict with ``train`` (``{lead_id: won}`` of the leads
    closed before the split), ``test`` (``{lead_id: won}`` of the leads
    created before it and closed on or after it) and ``first_created`` (the
    oldest creation moment of both sets).
    """
    env["crm.lead"].flush_model()
    env.cr.execute(
        SQL(
            """SELECT lead.id,
                      lead.active AND COALESCE(stage.is_won, FALSE),
                      %(moment)s < %(split)s,
                      lead.create_date
                 FROM crm_lead lead
            LEFT JOIN crm_stage stage ON stage.id = lead.stage_id
                WHERE %(closed)s AND %(company)s
                  AND (%(moment)s < %(split)s OR lead.create_date < %(split)s)
             ORDER BY lead.id""",
            moment=CLOSING_MOMENT,
            split=split_date,
            closed=CLOSED_CONDITION,
            company=_company_condition(company),
        )
    )
    train, test = {}, {}
    first_created = None
    for lead_id, won, closed_before, created in env.cr.fetchall():
        (train if closed_before else test)[lead_id] = won
        first_created = created if first_created is None else min(first_created, created)
    return {"train": train, "test": test, "first_created": first_created}


# ------------------------------------------------------------
# OUR MODEL
# ------------------------------------------------------------


def score_health_model(env, split_date, test_ids, company=None):
    """Train the lead health model on the leads closed before the split, score ``test_ids``.

    Returns ``{lead_id: probability}``. The model is trained in a savepoint
    that is rolled back, so the company's current model stays current.
    """
    # The training search honours record rules: a backtest reads every lead.
    Lead = env["crm.lead"].sudo()
    domain = [("company_id", "=", company.id)] if company else None
    with env.cr.savepoint() as savepoint:
        samples = Lead._health_training_samples(closed_before=split_date, domain=domain)
        model = env["crm.lead.health.model"].sudo()._health_fit(samples, company=company)
        features = Lead.browse(test_ids)._health_features(at=split_date)
        probabilities = model._health_probabilities(features)
        savepoint.close(rollback=True)
    return probabilities


# ------------------------------------------------------------
# ODOO PREDICTIVE LEAD SCORING
# ------------------------------------------------------------


@contextmanager
def _pls_without_commits():
    """Keep crm's PLS cron from committing, so that its work can be rolled back.

    ``_update_automated_probabilities`` commits after each batch unless the
    current thread is flagged as running tests. The block sets that flag and
    restores it afterwards.
    """
    thread = threading.current_thread()
    previous = getattr(thread, "testing", False)
    thread.testing = True
    try:
        yield
    finally:
        thread.testing = previous


def _restore_test_leads_at(env, split_date, test_ids):
    """Put the test leads back as they were at ``split_date``, in SQL.

    The stage at the split is the stay of the stage history that began last
    before it, else the current stage if the lead entered it before the
    split. A lead without either, or whose stage at the split is a won
    stage, is put in the first stage of the pipeline, where crm creates new
    leads.
    """
    first_stage = env["crm.stage"].search(
        [("team_id", "=", False), ("is_won", "=", False)], order="sequence, id", limit=1
    )
    env["crm.lead.stage.history"].flush_model()
    env.cr.execute(
        SQL(
            """
            UPDATE crm_lead lead
               SET stage_id = COALESCE(at_split.stage_id, %(first_stage)s),
                   active = TRUE,
                   probability = NULL,
                   automated_probability = NULL,
                   date_closed = NULL,
                   lost_reason_id = NULL
              FROM (
                    SELECT lead.id,
                           CASE WHEN NOT COALESCE(stage.is_won, FALSE) THEN stage.id END AS stage_id
                      FROM crm_lead lead
                 LEFT JOIN LATERAL (
                               SELECT history.stage_id
                                 FROM crm_lead_stage_history history
                                WHERE history.lead_id = lead.id
                                  AND history.date_in <= %(split)s
                             ORDER BY history.date_in DESC, history.id DESC
                                LIMIT 1
                           ) stay ON TRUE
                 LEFT JOIN crm_stage stage ON stage.id = COALESCE(
                               stay.stage_id,
                               CASE WHEN lead.date_last_stage_update <= %(split)s
                                    THEN lead.stage_id END
                           )
                     WHERE lead.id = ANY(%(test_ids)s)
                   ) at_split
             WHERE lead.id = at_split.id
            """,
            first_stage=first_stage.id,
            split=split_date,
            test_ids=list(test_ids),
        )
    )


def score_odoo_pls(env, split, split_date, pls_fields=DEFAULT_PLS_FIELDS):
    """Return ``{lead_id: probability}`` of Odoo's PLS for the test leads of ``split``.

    Everything runs in a savepoint that is rolled back: see the module
    docstring for the steps. A test lead that PLS leaves without a
    probability (its team has no won or no lost lead, and neither has the
    whole database) is missing from the result.
    """
    Lead = env["crm.lead"]
    Config = env["ir.config_parameter"].sudo()
    train_won = [lead_id for lead_id, won in split["train"].items() if won]
    kept_ids = list(split["train"]) + list(split["test"])
    test_ids = list(split["test"])
    start_date = split["first_created"].date().isoformat()

    savepoint = env.cr.savepoint()
    try:
        # 1. Hide the leads outside the backtest from PLS.
        env.cr.execute(
            SQL(
                """UPDATE crm_lead SET active = FALSE, probability = %s
                    WHERE NOT (id = ANY(%s))""",
                NEUTRAL_PROBABILITY,
                kept_ids,
            )
        )

        # 2. Training leads as PLS expects closed leads: won at 100. Lost
        #    leads already are archived at 0 by definition of the split.
        env.cr.execute(SQL("UPDATE crm_lead SET probability = 100 WHERE id = ANY(%s)", train_won))

        # 3. Test leads as they were at the split.
        _restore_test_leads_at(env, split_date, test_ids)
        env.invalidate_all()

        # 4. PLS settings of this run, then crm's own scheduled action.
        Config.set_param("crm.pls_fields", ",".join(pls_fields))
        Config.set_param("crm.pls_start_date", start_date)
        with _pls_without_commits():
            Lead._cron_update_automated_probabilities()

        env.cr.execute(
            SQL(
                """SELECT id, automated_probability FROM crm_lead
                    WHERE id = ANY(%s) AND automated_probability IS NOT NULL""",
                test_ids,
            )
        )
        probabilities = {lead_id: value / 100 for lead_id, value in env.cr.fetchall()}
    finally:
        savepoint.close(rollback=True)
        env.invalidate_all()
        # Settings are cached by the registry, outside the transaction.
        env.registry.clear_cache()
    return probabilities


# ------------------------------------------------------------
# BACKTEST
# ------------------------------------------------------------


def run_backtest(env, split_date=None, company=None, pls_field_sets=(DEFAULT_PLS_FIELDS,)):
    """Run the backtest and return its result as a dict.

    ``split_date`` is a naive UTC datetime (default: ``default_split_date``),
    ``company`` a ``res.company`` record or None for every company, and
    ``pls_field_sets`` a list of PLS field lists, one PLS run each. The
    result has ``split_date``, ``train_count``, ``train_won``, ``test_count``,
    ``test_won``, ``test_outcomes`` (``{lead_id: won}``), ``base_rate``
    (training win rate) and ``models``: a list of ``{name, pls_fields,
    seconds, scored, probabilities, metrics}``, where ``probabilities`` is
    ``{lead_id: probability}`` and ``metrics`` comes from
    ``health_metrics.evaluate`` on the test leads every model scored.
    Each model works in a savepoint that is rolled back, so the database is
    left unchanged.
    """
    split_date = split_date or default_split_date(env, company)
    split = split_leads(env, split_date, company)
    if not split["train"] or not split["test"]:
        raise UserError(
            env._(
                "The split at %(date)s leaves %(train)s leads to learn from and %(test)s to "
                "test on. Choose a split date with leads closed before it and leads open at "
                "it that have closed since.",
                date=str(split_date),
                train=len(split["train"]),
                test=len(split["test"]),
            )
        )
    test_ids = sorted(split["test"])
    train_won = sum(1 for won in split["train"].values() if won)
    base_rate = train_won / len(split["train"])

    # 1. Every model scores the same test leads, in this run.
    forecasts = []
    started = time.perf_counter()
    ours = score_health_model(env, split_date, test_ids, company)
    forecasts.append(("Lead health", None, time.perf_counter() - started, ours))
    for pls_fields in pls_field_sets:
        started = time.perf_counter()
        theirs = score_odoo_pls(env, split, split_date, pls_fields)
        forecasts.append(("Odoo PLS", tuple(pls_fields), time.perf_counter() - started, theirs))
    forecasts.append(("Training win rate", None, 0.0, dict.fromkeys(test_ids, base_rate)))

    # 2. Metrics on the leads that every model scored.
    common_ids = [
        lead_id
        for lead_id in test_ids
        if all(lead_id in probabilities for _name, _fields, _seconds, probabilities in forecasts)
    ]
    outcomes = [1 if split["test"][lead_id] else 0 for lead_id in common_ids]
    models = []
    for name, pls_fields, seconds, probabilities in forecasts:
        models.append(
            {
                "name": name,
                "pls_fields": pls_fields,
                "seconds": seconds,
                "scored": len(probabilities),
                "probabilities": probabilities,
                "metrics": health_metrics.evaluate(
                    [probabilities[lead_id] for lead_id in common_ids], outcomes
                ),
            }
        )
    return {
        "split_date": split_date,
        "train_count": len(split["train"]),
        "train_won": train_won,
        "test_count": len(test_ids),
        "test_won": sum(1 for won in split["test"].values() if won),
        "test_outcomes": split["test"],
        "evaluated_count": len(common_ids),
        "base_rate": base_rate,
        "models": models,
    }


def _number(value, digits=4):
    return "n/a" if value is None else f"{value:.{digits}f}"


def _model_label(model):
    if model["pls_fields"] is None:
        return model["name"]
    return f"{model['name']} ({', '.join(('stage_id', 'team_id', *model['pls_fields']))})"


def format_report(result):
    """Return the result of ``run_backtest`` as Markdown tables."""
    lines = [
        f"Split date: {result['split_date']:%Y-%m-%d %H:%M} UTC",
        f"Training leads (closed before the split): {result['train_count']}, "
        f"won {result['train_won']} (win rate {result['base_rate']:.4f})",
        f"Test leads (open at the split, closed since): {result['test_count']}, "
        f"won {result['test_won']}; evaluated on the {result['evaluated_count']} "
        "that every model scored",
        "",
        "| model | AUC | Brier score | log loss | calibration error | leads scored | seconds |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for model in result["models"]:
        metrics = model["metrics"]
        lines.append(
            f"| {_model_label(model)} | {_number(metrics['auc'])} | {_number(metrics['brier'])} "
            f"| {_number(metrics['log_loss'])} | {_number(metrics['calibration_error'])} "
            f"| {model['scored']} | {model['seconds']:.1f} |"
        )
    for model in result["models"]:
        lines += [
            "",
            f"Reliability, {_model_label(model)} (empty bins left out):",
            "",
            "| forecast bin | leads | mean forecast | observed win rate |",
            "| --- | --- | --- | --- |",
        ]
        for row in model["metrics"]["reliability"]:
            if not row["count"]:
                continue
            lines.append(
                f"| {row['lower']:.1f}-{row['upper']:.1f} | {row['count']} "
                f"| {_number(row['mean_predicted'], 3)} | {_number(row['observed_rate'], 3)} |"
            )
    return "\n".join(lines)


class ScoreBacktest(Command):
    """Backtest the lead health score against Odoo's predictive lead scoring"""

    name = "score_backtest"

    def run(self, args):
        parser = odoo.tools.config.parser
        parser.prog = f"{Path(sys.argv[0]).name} {self.name}"
        group = optparse.OptionGroup(
            parser,
            "Lead health backtest",
            "Trains on the leads closed before the split date and tests on the leads created "
            "before it and closed after it, for the lead health model and for Odoo's predictive "
            "lead scoring, then rolls everything back.",
        )
        group.add_option(
            "--split",
            dest="backtest_split",
            help="split date (YYYY-MM-DD, UTC midnight); default: the closing date by which 70% "
            "of the closed leads had closed",
        )
        group.add_option(
            "--company",
            dest="backtest_company",
            type="int",
            help="id of the company whose leads are used; default: every company",
        )
        group.add_option(
            "--pls-fields",
            dest="backtest_pls_fields",
            action="append",
            help="comma-separated crm.lead fields for Odoo's predictive lead scoring, besides "
            "stage and sales team; repeat the option for one PLS run per list; default: "
            + ",".join(DEFAULT_PLS_FIELDS),
        )
        parser.add_option_group(group)
        opt = odoo.tools.config.parse_config(args, setup_logging=True)

        dbname = odoo.tools.config["db_name"]
        if not dbname:
            sys.exit("score_backtest needs a database (-d DB)")
        split_date = None
        if opt.backtest_split:
            try:
                split_date = odoo.fields.Datetime.to_datetime(opt.backtest_split)
            except ValueError:
                sys.exit(
                    f"score_backtest: invalid --split {opt.backtest_split!r}, expected YYYY-MM-DD"
                )
        field_sets = [
            tuple(name.strip() for name in value.split(",") if name.strip())
            for value in (opt.backtest_pls_fields or [",".join(DEFAULT_PLS_FIELDS)])
        ]

        registry = Registry(dbname)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            company = None
            if opt.backtest_company:
                company = env["res.company"].browse(opt.backtest_company).exists()
                if not company:
                    sys.exit(f"score_backtest: company {opt.backtest_company} not found")
            unknown = [
                name
                for names in field_sets
                for name in names
                if name not in env["crm.lead"]._fields
            ]
            if unknown:
                sys.exit(f"score_backtest: {', '.join(unknown)} not a field of crm.lead")
            try:
                result = run_backtest(env, split_date, company, field_sets)
            except UserError as error:
                cr.rollback()
                _logger.error("Backtest failed: %s", error.args[0])
                sys.exit(1)
            finally:
                # The backtest trains a model and rewrites leads: keep none of it.
                cr.rollback()
        sys.stdout.write(format_report(result) + "\n")
