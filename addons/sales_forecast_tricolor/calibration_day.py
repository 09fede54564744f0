"""Calendar arithmetic of the calibration day, without the ORM."""

import calendar
from datetime import date

# The calibration day is the third-to-last working day of the month, so that
# two working days remain to act on what the review found before month end.
CALIBRATION_DAY_FROM_END = 3


def nth_last_working_day(year, month, is_working_day, n=CALIBRATION_DAY_FROM_END):
    """Return the ``n``-th last date of the month for which ``is_working_day`` is true.

    Returns None when the month has fewer than ``n`` working days.
    """
    last = calendar.monthrange(year, month)[1]
    found = 0
    for day in range(last, 0, -1):
        current = date(year, month, day)
        if is_working_day(current):
            found += 1
            if found == n:
                return current
    return None
