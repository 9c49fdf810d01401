"""Helpers shared by the checks: building located diagnostics."""

from __future__ import annotations

from generators.diagnostics import Code, Diagnostic
from generators.model.platform import Resolved
from generators.source.documents import Parsed
from generators.source.located import KeyPath, dotted


def at(
    doc: Parsed, path: KeyPath, code: Code, message: str, hint: str = "", *, key: bool = False
) -> Diagnostic:
    """A diagnostic pointing at ``path`` in ``doc``."""
    return Diagnostic(code, message, doc.source.locate(path, key=key), dotted(path), hint)


def at_resolved(
    resolved: Resolved, path: KeyPath, code: Code, message: str, hint: str = ""
) -> Diagnostic:
    """A diagnostic pointing at whichever layer set ``path`` of a resolved service."""
    location, full, _ = resolved.origin(path)
    if location.file != resolved.service_file:
        message += f" (service {resolved.service!r})"  # a default set elsewhere is involved
    return Diagnostic(
        code, message, location, dotted(full), hint, environments=(resolved.environment,)
    )


def where(doc: Parsed, path: KeyPath = ("metadata", "name")) -> str:
    """`file:line` of a spec, for hints that point at a second place."""
    location = doc.source.locate(path)
    return f"{location.file}:{location.line}"
