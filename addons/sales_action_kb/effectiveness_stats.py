"""Win-rate statistics for sales action effectiveness, in plain Python (no ORM).

A win rate measured on a handful of closed leads says little, so every rate
comes with a Wilson score interval, and the difference between two rates with
Newcombe's hybrid score interval built from the two Wilson intervals. Both stay
inside [0, 1] (or [-1, 1]) and behave well for small samples and for rates of
0 % or 100 %, where the textbook normal interval fails.

References: E. B. Wilson (1927), "Probable inference, the law of succession,
and statistical inference"; R. G. Newcombe (1998), "Interval estimation for
the difference between independent proportions", method 10.
"""

import math

# Two-sided 95 % confidence: the level sales managers are used to reading.
Z_95 = 1.959963984540054


def wilson_interval(successes, trials, z=Z_95):
    """Return ``(low, high)``, the Wilson score interval of ``successes / trials``.

    With no trial at all nothing is known, so the interval is ``(0.0, 1.0)``.
    """
    if trials <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= trials:
        raise ValueError("successes must be between 0 and trials")
    rate = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (rate + z2 / (2 * trials)) / denominator
    margin = z * math.sqrt(rate * (1 - rate) / trials + z2 / (4 * trials * trials)) / denominator
    return max(0.0, centre - margin), min(1.0, centre + margin)


def rate_difference_interval(successes_a, trials_a, successes_b, trials_b, z=Z_95):
    """Return ``(difference, low, high)`` for rate A minus rate B (Newcombe's method 10).

    When either sample is empty the difference is unknown: ``(0.0, -1.0, 1.0)``.
    """
    if trials_a <= 0 or trials_b <= 0:
        return 0.0, -1.0, 1.0
    rate_a = successes_a / trials_a
    rate_b = successes_b / trials_b
    low_a, high_a = wilson_interval(successes_a, trials_a, z)
    low_b, high_b = wilson_interval(successes_b, trials_b, z)
    difference = rate_a - rate_b
    low = difference - math.sqrt((rate_a - low_a) ** 2 + (high_b - rate_b) ** 2)
    high = difference + math.sqrt((high_a - rate_a) ** 2 + (rate_b - low_b) ** 2)
    return difference, max(-1.0, low), min(1.0, high)
