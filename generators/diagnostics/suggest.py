"""Did-you-mean suggestions for misspelt names and keys."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``word``, if one is close enough to be a likely typo."""
    pool = sorted(set(candidates))
    folded = {c.lower(): c for c in pool}
    if word.lower() in folded:  # a case slip is always the best guess
        return folded[word.lower()]
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    # An abbreviation ("prod" for "production") is a likely slip as well.
    low = word.lower()
    prefixed = [
        c
        for c in pool
        if (len(word) >= 3 and c.lower().startswith(low))
        or (len(c) >= 4 and low.startswith(c.lower()))
    ]
    return prefixed[0] if len(prefixed) == 1 else None


def did_you_mean(word: str, candidates: Iterable[str], *, what: str = "") -> str:
    """A hint sentence: "did you mean 'x'?", or the list of valid choices when short."""
    pool = sorted(set(candidates))
    guess = closest(word, pool)
    if guess is not None:
        return f"did you mean {guess!r}?"
    if not pool:
        return f"no {what or 'names'} are defined yet" if what else ""
    shown = ", ".join(repr(c) for c in pool[:8])
    more = f" and {len(pool) - 8} more" if len(pool) > 8 else ""
    return f"known {what or 'values'}: {shown}{more}"
