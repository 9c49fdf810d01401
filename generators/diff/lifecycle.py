"""A pull request moves a service's lifecycle stage one step at a time (or retires it)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from generators.diagnostics import Diagnostic, codes
from generators.model.platform import Platform
from generators.source.located import dotted

#: The stages in the order a service lives through them.
STAGES = ("planning", "development", "staging", "production", "maintenance", "retired")


def stages(platform: Platform) -> dict[str, str]:
    """Each valid service's stage."""
    return {name: spec.metadata.lifecycle for name, (_, spec) in platform.services.items()}


def moves(before: Mapping[str, str], head: Platform) -> Iterator[Diagnostic]:
    """Every stage that moved more than one step since the base.

    Retiring is one step from anywhere (a service may be switched off at once), and so
    is undoing it: a retired service in its grace comes back to any stage. A service
    new in this change may start at any stage.
    """
    for name, (doc, spec) in sorted(head.services.items()):
        old, new = before.get(name), spec.metadata.lifecycle
        if old is None or old == new or "retired" in (old, new):
            continue
        was, now = STAGES.index(old), STAGES.index(new)
        if abs(now - was) == 1:
            continue
        path = ("metadata", "lifecycle")
        between = STAGES[min(was, now) + 1 : max(was, now)]
        nearest = STAGES[was + (1 if now > was else -1)]
        yield Diagnostic(
            codes.LIFECYCLE_JUMP,
            f"lifecycle moves from {old!r} to {new!r} in one change, past "
            + ", ".join(repr(s) for s in between),
            doc.source.locate(path),
            dotted(path),
            f"move it one stage per pull request: {nearest!r} now, and on from there "
            "once it runs there (only `retired` may be reached from anywhere)",
        )
