"""What the checks share: located diagnostics, unknown references, names given twice."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from generators.diagnostics import Code, Diagnostic
from generators.diagnostics.suggest import did_you_mean
from generators.model.platform import Resolved
from generators.source.documents import Parsed
from generators.source.located import KeyPath, dotted

#: Where a problem is reported: a spec document, or a service as resolved in an
#: environment (the problem is then located in whichever layer set the value).
Place = Parsed | Resolved


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


def at_place(
    place: Place, path: KeyPath, code: Code, message: str, hint: str = "", *, key: bool = False
) -> Diagnostic:
    """:func:`at` a document, or :func:`at_resolved` a resolved service (``key`` ignored)."""
    if isinstance(place, Resolved):
        return at_resolved(place, path, code, message, hint)
    return at(place, path, code, message, hint, key=key)


def where(doc: Parsed, path: KeyPath = ("metadata", "name")) -> str:
    """`file:line` of a spec, for hints that point at a second place."""
    location = doc.source.locate(path)
    return f"{location.file}:{location.line}"


def plural(noun: str) -> str:
    """``team`` -> ``teams``, ``catalog entry`` -> ``catalog entries``."""
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def unknown_hint(name: str, known: Iterable[str], what: str, defined: str = "") -> str:
    """Did you mean one of the ``known`` ``what`` (a noun)? And where those are defined."""
    hint = did_you_mean(name, known, what=plural(what))
    return hint + (f" ({defined})" if defined else "")


def unknown(
    place: Place,
    path: KeyPath,
    code: Code,
    name: str,
    known: Iterable[str],
    what: str,
    *,
    message: str = "",
    defined: str = "",
    key: bool = False,
) -> Diagnostic:
    """A reference to ``name``, which is none of the ``known`` names of ``what`` (a noun).

    The message is "unknown <what> 'name'" unless ``message`` says otherwise; the hint
    guesses the name meant (or lists the known ones) and says where they are
    ``defined``, when given.
    """
    return at_place(
        place,
        path,
        code,
        message or f"unknown {what} {name!r}",
        unknown_hint(name, known, what, defined),
        key=key,
    )


def second_names(
    place: Place,
    named: Iterable[tuple[KeyPath, str]],
    code: Code,
    what: str,
    hint: str,
) -> Iterator[Diagnostic]:
    """Each entry (its name's key path, its name) whose name an earlier one already has."""
    seen: set[str] = set()
    for path, name in named:
        if name in seen:
            yield at_place(place, path, code, f"a second {what} named {name!r}", hint)
        seen.add(name)
