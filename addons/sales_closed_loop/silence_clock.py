"""Deadline arithmetic in wall-clock or working hours, without the ORM.

A ``WorkingClock`` adds hours to a moment, or measures the hours between two
moments, over the working intervals that a loader returns. The loader is
called with two timezone-aware UTC datetimes and returns ``(start, stop)``
pairs, also aware, sorted and disjoint. Loaded ranges are kept, so one clock
serves many leads of the same sales team with a few database reads.
"""

from datetime import timedelta

from pytz import utc

# Working intervals are loaded 14 days at a time, as resource.calendar's own
# plan_hours does: a 72-hour threshold fits in one window even over a one-week
# public holiday.
WINDOW = timedelta(days=14)
# A calendar without any working time would make add_hours loop forever; give
# up after this many windows (about four years) and report no deadline.
MAX_WINDOWS = 100


def to_aware(moment):
    """Return ``moment`` as an aware UTC datetime (naive values are UTC in Odoo)."""
    if moment.tzinfo is None:
        return utc.localize(moment)
    return moment.astimezone(utc)


def to_naive(moment):
    """Return ``moment`` as a naive UTC datetime, the form Odoo stores."""
    return to_aware(moment).replace(tzinfo=None)


class WallClock:
    """Every hour counts."""

    def add_hours(self, start, hours):
        return to_naive(start) + timedelta(hours=hours)

    def hours_between(self, start, end):
        return max((to_naive(end) - to_naive(start)).total_seconds() / 3600, 0.0)


class WorkingClock:
    """Only the hours inside the intervals returned by ``loader`` count."""

    def __init__(self, loader):
        self._loader = loader
        self._intervals = []
        self._loaded_from = None
        self._loaded_to = None

    def _ensure_loaded(self, start, end):
        if self._loaded_from is None:
            self._intervals = list(self._loader(start, end))
            self._loaded_from, self._loaded_to = start, end
            return
        if start < self._loaded_from:
            self._intervals = list(self._loader(start, self._loaded_from)) + self._intervals
            self._loaded_from = start
        if end > self._loaded_to:
            self._intervals += list(self._loader(self._loaded_to, end))
            self._loaded_to = end

    def _clipped(self, start, end):
        """Yield the loaded working intervals cut to ``[start, end)``."""
        for interval_start, interval_stop in self._intervals:
            if interval_stop <= start or interval_start >= end:
                continue
            yield max(interval_start, start), min(interval_stop, end)

    def add_hours(self, start, hours):
        """Return the naive UTC moment ``hours`` working hours after ``start``, or None."""
        start = to_aware(start)
        remaining = timedelta(hours=hours)
        window_start = start
        for _index in range(MAX_WINDOWS):
            window_end = window_start + WINDOW
            self._ensure_loaded(start, window_end)
            for interval_start, interval_stop in self._clipped(window_start, window_end):
                length = interval_stop - interval_start
                if remaining <= length:
                    return to_naive(interval_start + remaining)
                remaining -= length
            window_start = window_end
        return None

    def hours_between(self, start, end):
        """Return the working hours from ``start`` to ``end`` (0 when ``end`` is earlier)."""
        start, end = to_aware(start), to_aware(end)
        if end <= start:
            return 0.0
        self._ensure_loaded(start, end)
        seconds = sum((stop - begin).total_seconds() for begin, stop in self._clipped(start, end))
        return seconds / 3600
