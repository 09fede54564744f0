"""Matching of free-typed industry names, in plain Python (no ORM).

Reps and import files spell one industry many ways: 餐饮, 餐饮业, 饭店, a typo
such as 餐钦, "Restaurants" or "restaurant ". A *key* removes the differences
that never matter (width, case, spaces, punctuation); an exact key match is the
same industry. A near miss, one or two characters off, is only a suggestion:
饭店 and 酒店 are one character apart and are different trades.
"""

import unicodedata

# Up to 4 characters, one edit is already a quarter of the word. Longer names
# tolerate two edits and very long ones three, because typos grow with length.
NEAR_MISS_STEPS = ((4, 1), (10, 2))
NEAR_MISS_LONG = 3

# Latin keys shorter than this ("it", "hr") are too short to guess from.
MIN_LATIN_LENGTH = 4


def industry_key(text):
    """Return the comparison key of ``text``: NFKC, case-folded, letters and digits only."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(char for char in text if char.isalnum())


def edit_distance(first, second):
    """Return the Levenshtein distance between two strings."""
    if len(first) < len(second):
        first, second = second, first
    previous = list(range(len(second) + 1))
    for i, char_first in enumerate(first, start=1):
        current = [i]
        for j, char_second in enumerate(second, start=1):
            current.append(
                min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (char_first != char_second),
                )
            )
        previous = current
    return previous[-1]


def allowed_distance(first, second):
    """Return how many edits still count as a near miss between two keys."""
    longest = max(len(first), len(second))
    for length, distance in NEAR_MISS_STEPS:
        if longest <= length:
            return distance
    return NEAR_MISS_LONG


def near_misses(value, candidates):
    """Return the candidates close to ``value``, closest first.

    ``candidates`` maps a key to any target (an industry id, for example). The
    result is a list of ``(target, key, distance)`` without exact matches,
    which are not near misses but the same name. Keys of one character, and
    Latin keys shorter than ``MIN_LATIN_LENGTH``, are never guessed from.
    """
    key = industry_key(value)
    if len(key) < 2 or (key.isascii() and len(key) < MIN_LATIN_LENGTH):
        return []
    found = {}
    for candidate_key, target in candidates.items():
        if not candidate_key or candidate_key == key:
            continue
        if candidate_key.isascii() != key.isascii():
            continue
        if abs(len(candidate_key) - len(key)) > allowed_distance(candidate_key, key):
            continue
        distance = edit_distance(key, candidate_key)
        if distance <= allowed_distance(candidate_key, key):
            best = found.get(target)
            if best is None or distance < best[1]:
                found[target] = (candidate_key, distance)
    ranked = sorted(found.items(), key=lambda item: (item[1][1], item[1][0]))
    return [(target, candidate_key, distance) for target, (candidate_key, distance) in ranked]
