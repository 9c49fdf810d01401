"""Silences and matchers: parsing `label="value"`, expiry, and Alertmanager's API form."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from generators.spec.alerting import Instant, Silence

#: Marks a silence as the compiler's, so the ones it created can be found and expired.
SILENCE_TAG = "[platform:{name}]"
_MATCHER = re.compile(
    r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^\s"]*)\s*$'
)


@dataclass(frozen=True)
class Matcher:
    """One Alertmanager label matcher."""

    name: str
    op: str
    value: str

    def text(self) -> str:
        """As a config writes it: `name="value"`."""
        return f"{self.name}{self.op}{_quoted(self.value)}"


def parse_matcher(text: str) -> Matcher | str:
    """A matcher, or what is wrong with the text."""
    found = _MATCHER.match(text)
    if found is None:
        return f'`{text}` is not a matcher: write `label="value"` (=, !=, =~ or !~)'
    name, op, raw = found.groups()
    value = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\") if raw.startswith('"') else raw
    if "~" in op:
        try:
            re.compile(value)
        except re.error as err:
            return f"the regular expression {value!r} is not valid: {err}"
    return Matcher(name, op, value)


def instant(value: Instant) -> dt.datetime:
    """A spec date or time as an aware UTC datetime (a date is its midnight)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), dt.UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def postable_silence(silence: Silence) -> dict[str, Any]:
    """A silence as Alertmanager's API v2 takes it (`POST /api/v2/silences`).

    A list of these is also what `amtool silence import` reads.
    """
    matchers = []
    for text in silence.matchers:
        found = parse_matcher(text)
        assert isinstance(found, Matcher), "checked at validate time"
        matchers.append(
            {
                "name": found.name,
                "value": found.value,
                "isRegex": "~" in found.op,
                "isEqual": not found.op.startswith("!"),
            }
        )
    return {
        "matchers": matchers,
        "startsAt": _stamp(instant(silence.startsAt)),
        "endsAt": _stamp(instant(silence.endsAt)),
        "createdBy": silence.createdBy,
        "comment": f"{silence.comment} {SILENCE_TAG.format(name=silence.name)}",
    }


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def expired(silence: Silence, today: dt.date | None) -> bool:
    """Whether a silence ended before ``today`` began (None: never judged expired)."""
    if today is None:
        return False
    return instant(silence.endsAt) <= dt.datetime.combine(today, dt.time(), dt.UTC)
