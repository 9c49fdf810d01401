"""The `${...}` reference language of env var values: parsing, the names it allows, filling in.

Supported references (write ``$${`` for a literal ``${``):

* ``${services.<name>.url}``: ``http://<host>:<port>`` of another service;
* ``${services.<name>.host}`` and ``${services.<name>.port}`` (the Service's port);
* ``${services.<name>.address}``: ``<name>:<port>``, short, as it resolves from the
  caller's namespace (``<name>.<namespace>:<port>`` from another namespace);
* ``${environment.name}`` and ``${environment.domain}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

SERVICE_ATTRIBUTES = ("address", "host", "port", "url")
ENVIRONMENT_ATTRIBUTES = ("domain", "name")
_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")


@dataclass(frozen=True, slots=True)
class Reference:
    """One `${...}` occurrence inside a value."""

    text: str
    offset: int
    parts: tuple[str, ...]
    error: str = ""
    hint: str = ""

    @property
    def service(self) -> str | None:
        """The service named, for a well-formed ``services.<name>.<attr>`` reference."""
        return self.parts[1] if not self.error and self.parts[0] == "services" else None


def references(value: str) -> list[Reference]:
    """Every reference in ``value``, each with a syntax error if it has one."""
    found = []
    for match in _REFERENCE.finditer(value):
        token = match.group(0)
        if token == "$${":
            continue
        if match.group(1) is None:
            found.append(
                Reference(
                    token,
                    match.start(),
                    (),
                    "unclosed `${`",
                    "close it with `}`, or write `$${` for a literal `${`",
                )
            )
            continue
        found.append(_parse(match.group(0), match.start(), match.group(1).strip()))
    return found


def _parse(text: str, offset: int, body: str) -> Reference:
    parts = tuple(body.split("."))
    if parts[0] == "services":
        if len(parts) != 3 or not all(parts):
            return Reference(
                text,
                offset,
                parts,
                f"malformed reference {text!r}",
                "write `${services.<name>.url}` (or .address, .host, .port)",
            )
        if parts[2] not in SERVICE_ATTRIBUTES:
            return Reference(
                text,
                offset,
                parts,
                f"services have no attribute {parts[2]!r} in {text!r}",
                "use one of: " + ", ".join(SERVICE_ATTRIBUTES),
            )
        return Reference(text, offset, parts)
    if parts[0] == "environment":
        if len(parts) != 2 or parts[1] not in ENVIRONMENT_ATTRIBUTES:
            return Reference(
                text,
                offset,
                parts,
                f"unknown reference {text!r}",
                "use `${environment.name}` or `${environment.domain}`",
            )
        return Reference(text, offset, parts)
    return Reference(
        text,
        offset,
        parts,
        f"unknown reference {text!r}",
        "references start with `services.` or `environment.`",
    )


def interpolate(value: str, lookup: Callable[[tuple[str, ...]], str]) -> str:
    """Replace every `${...}` in ``value`` (``$${`` stays a literal ``${``)."""
    out, last = [], 0
    for ref in references(value):
        out.append(value[last : ref.offset])
        out.append(lookup(ref.parts))
        last = ref.offset + len(ref.text)
    out.append(value[last:])
    return "".join(out).replace("$${", "${")
