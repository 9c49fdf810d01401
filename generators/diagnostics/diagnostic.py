"""Diagnostics: the one structure every problem of a run is reported as, and its place."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from generators.diagnostics.codes import CODES, Code, Severity
from generators.errors import PlatformError


@dataclass(frozen=True, slots=True)
class Location:
    """A 1-based line and column in a file, relative to the platform root."""

    file: str
    line: int = 1
    col: int = 1


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a run, located in the user's files."""

    code: Code
    message: str
    location: Location
    key_path: str = ""
    hint: str = ""
    severity: Severity | None = None
    #: Environments the problem occurs in, when it does not occur in all of them.
    environments: tuple[str, ...] = ()
    #: The environments the check could find it in (a service runs only in some, by
    #: its lifecycle); empty: all. Found in all of these, it names none.
    within: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Hints read as sentences whichever check wrote them.
        object.__setattr__(self, "hint", self.hint[:1].upper() + self.hint[1:])

    @property
    def level(self) -> Severity:
        """The effective severity: the code's own unless overridden."""
        return self.severity or self.code.severity

    @property
    def text(self) -> str:
        """The message, naming the environments when the problem is limited to some."""
        if not self.environments:
            return self.message
        label = "environment" if len(self.environments) == 1 else "environments"
        return f"{self.message} (in {label} {', '.join(map(repr, self.environments))})"

    def to_dict(self) -> dict[str, object]:
        """Plain data (for caches and JSON output)."""
        return {
            "severity": self.level.value,
            "code": self.code.id,
            "name": self.code.name,
            "message": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "col": self.location.col,
            "keyPath": self.key_path,
            "hint": self.hint,
            "environments": list(self.environments),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Diagnostic:
        """The inverse of :meth:`to_dict`."""
        code = CODES[str(data["code"])]
        level = Severity(str(data["severity"]))
        return cls(
            code=code,
            message=str(data["message"]),
            location=Location(str(data["file"]), int(str(data["line"])), int(str(data["col"]))),
            key_path=str(data["keyPath"]),
            hint=str(data["hint"]),
            severity=None if level is code.severity else level,
            environments=tuple(str(e) for e in data["environments"]),  # type: ignore[attr-defined]
        )

    def with_environments(self, *environments: str, within: Sequence[str] = ()) -> Diagnostic:
        """The same diagnostic, found in ``environments`` of those it could be (``within``)."""
        return replace(self, environments=environments, within=tuple(sorted(within)))

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by file, line and column, then code: the order users read in."""
        loc = self.location
        return (loc.file, loc.line, loc.col, self.code.id, self.message)


def merge_environments(found: Iterable[Diagnostic], every: set[str]) -> list[Diagnostic]:
    """Fold copies of one problem (several environments, or aliases) into one diagnostic.

    A problem present in every environment (of ``every``, or of those it could be found
    in) names none; otherwise it lists where.
    """
    merged: dict[tuple[object, ...], tuple[Diagnostic, set[str]]] = {}
    for diagnostic in found:
        # One place in a file is one mistake, even when a YAML alias makes it reachable
        # under several key paths: the first path found names it.
        key = (diagnostic.code, diagnostic.location, diagnostic.message, diagnostic.hint)
        merged.setdefault(key, (diagnostic, set()))[1].update(diagnostic.environments)
    return [
        replace(
            first,
            environments=() if envs >= (set(first.within) or every) else tuple(sorted(envs)),
            within=(),
        )
        for first, envs in merged.values()
    ]


class SpecErrors(PlatformError):
    """The specs have errors, so a command cannot do its work (exit 1).

    Raised with the problems and what was not done; the command line prints them as
    `platform validate` does, then the message (generators/cli/__init__.py).
    """

    exit_code = 1

    def __init__(
        self,
        *,
        diagnostics: Sequence[Diagnostic],
        files: int,
        root: Path,
        message: str,
        stderr: bool = False,
        sources: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.diagnostics = tuple(diagnostics)
        self.files = files
        self.root = root
        self.message = message
        #: The text of files checked but not written (`platform new`), for their lines.
        self.sources = dict(sources or {})
        #: Print on standard error (commands whose output is data, such as a table).
        self.stderr = stderr
