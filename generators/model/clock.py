"""The day a run judges dates against: secrets' rotation, silences, certificates' expiry."""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING

from generators.errors import UsageError

if TYPE_CHECKING:  # the command line asks for today() without loading the model
    from generators.model.platform import Platform


def today() -> dt.date:
    """``PLATFORM_TODAY`` (tests and CI pin it), else today."""
    given = os.environ.get("PLATFORM_TODAY")
    if given:
        try:
            return dt.date.fromisoformat(given)
        except ValueError:
            raise UsageError(
                message=f"PLATFORM_TODAY={given!r} is not a date", hint="write it as YYYY-MM-DD"
            ) from None
    return dt.date.today()


def now(platform: Platform) -> dt.datetime:
    """The start of the platform's judging day, in UTC (certificates expire by the second)."""
    day = platform.today or dt.date.today()
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
