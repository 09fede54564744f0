"""Metrics that evaluate win probabilities against the observed outcomes.

Pure Python with no ORM, so the backtest command, the benchmarks and the
tests share one definition. Every function takes ``probabilities`` (floats
in [0, 1]) and ``outcomes`` (1 for won, 0 for lost) of the same length.

* ``auc``: area under the ROC curve, computed from ranks (the Mann-Whitney U
  statistic), with tied probabilities given their average rank. It measures
  ranking only: any increasing transformation of the probabilities keeps it.
* ``brier_score``: mean squared difference between probability and outcome.
  It is 0 for perfect forecasts, and it rewards calibration as well as
  ranking, so it is the headline figure for a probability that people read.
* ``reliability_table``: the forecasts cut into equal-width probability bins,
  with the mean forecast and the observed win rate of each bin.
* ``log_loss``: mean negative log-likelihood, with the probabilities clipped
  away from 0 and 1.
"""

import math

# Bins of the reliability table: ten equal-width bins, as in the usual
# reliability diagram, [0, 0.1), [0.1, 0.2), ..., [0.9, 1.0].
RELIABILITY_BINS = 10

# Probabilities are clipped to [LOG_LOSS_EPSILON, 1 - LOG_LOSS_EPSILON] in the
# log loss, so that one confident wrong forecast gives a large finite loss.
LOG_LOSS_EPSILON = 1e-15


def _check_lengths(probabilities, outcomes):
    if len(probabilities) != len(outcomes):
        raise ValueError(
            f"{len(probabilities)} probabilities but {len(outcomes)} outcomes: "
            "pass one probability per outcome"
        )


def auc(probabilities, outcomes):
    """Return the ROC AUC of ``probabilities`` for ``outcomes``, or None.

    The AUC is the probability that a random won lead has a higher forecast
    than a random lost lead, ties counting one half. It is None when the
    outcomes are all won or all lost, because it is undefined then.
    """
    _check_lengths(probabilities, outcomes)
    positives = sum(1 for outcome in outcomes if outcome)
    negatives = len(outcomes) - positives
    if not positives or not negatives:
        return None

    # Rank 1 is the lowest probability. Each run of equal probabilities
    # shares the mean of the ranks it spans.
    order = sorted(range(len(probabilities)), key=probabilities.__getitem__)
    rank_sum = 0.0
    start = 0
    while start < len(order):
        end = start
        value = probabilities[order[start]]
        while end + 1 < len(order) and probabilities[order[end + 1]] == value:
            end += 1
        mean_rank = (start + end) / 2 + 1
        rank_sum += mean_rank * sum(1 for index in order[start : end + 1] if outcomes[index])
        start = end + 1

    u_statistic = rank_sum - positives * (positives + 1) / 2
    return u_statistic / (positives * negatives)


def brier_score(probabilities, outcomes):
    """Return the mean of (probability - outcome)², or None without forecasts."""
    _check_lengths(probabilities, outcomes)
    if not outcomes:
        return None
    total = sum(
        (probability - (1 if outcome else 0)) ** 2
        for probability, outcome in zip(probabilities, outcomes, strict=True)
    )
    return total / len(outcomes)


def log_loss(probabilities, outcomes):
    """Return the mean negative log-likelihood (natural log), or None without forecasts."""
    _check_lengths(probabilities, outcomes)
    if not outcomes:
        return None
    total = 0.0
    for probability, outcome in zip(probabilities, outcomes, strict=True):
        clipped = min(max(probability, LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON)
        total -= math.log(clipped) if outcome else math.log(1 - clipped)
    return total / len(outcomes)


def reliability_table(probabilities, outcomes, bins=RELIABILITY_BINS):
    """Return one dict per probability bin, from the lowest bin to the highest.

    Each dict has ``lower`` and ``upper`` (the bin edges), ``count``,
    ``mean_predicted`` and ``observed_rate``. The last two are None for an
    empty bin. Bins include their lower edge; the last bin also includes 1.
    """
    _check_lengths(probabilities, outcomes)
    counts = [0] * bins
    predicted_sums = [0.0] * bins
    won_counts = [0] * bins
    for probability, outcome in zip(probabilities, outcomes, strict=True):
        index = min(int(probability * bins), bins - 1)
        counts[index] += 1
        predicted_sums[index] += probability
        won_counts[index] += 1 if outcome else 0

    table = []
    for index in range(bins):
        count = counts[index]
        table.append(
            {
                "lower": index / bins,
                "upper": (index + 1) / bins,
                "count": count,
                "mean_predicted": predicted_sums[index] / count if count else None,
                "observed_rate": won_counts[index] / count if count else None,
            }
        )
    return table


def calibration_error(table):
    """Return the expected calibration error of a reliability table, or None.

    It is the mean over forecasts of |mean forecast - observed rate| of their
    bin, so a bin weighs by its count.
    """
    total = sum(row["count"] for row in table)
    if not total:
        return None
    return (
        sum(
            row["count"] * abs(row["mean_predicted"] - row["observed_rate"])
            for row in table
            if row["count"]
        )
        / total
    )


def evaluate(probabilities, outcomes):
    """Return every metric of the module for one set of forecasts, as a dict."""
    table = reliability_table(probabilities, outcomes)
    return {
        "count": len(outcomes),
        "won": sum(1 for outcome in outcomes if outcome),
        "auc": auc(probabilities, outcomes),
        "brier": brier_score(probabilities, outcomes),
        "log_loss": log_loss(probabilities, outcomes),
        "calibration_error": calibration_error(table),
        "reliability": table,
    }
