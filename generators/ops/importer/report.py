"""What `platform import` tells its user: per service, each field and where it went."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Row:
    """One field of an input object, and where it went in the spec (or why nowhere)."""

    object: str
    field: str
    to: str


@dataclass(frozen=True)
class PatchNote:
    """A patch the import wrote, with what it patches and why."""

    name: str
    target: str
    reason: str


@dataclass(frozen=True)
class ServiceReport:
    """One imported service: its file, the objects it came from, and what went where."""

    name: str
    file: str
    sources: tuple[str, ...]
    rows: tuple[Row, ...]
    patches: tuple[PatchNote, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Skipped:
    """An input object the import did not turn into (part of) a spec."""

    object: str
    where: str
    hint: str


@dataclass
class Trail:
    """Collects the rows and notes of one service while its objects are mapped."""

    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def went(self, obj: str, path: str, to: str) -> None:
        """Record that ``path`` of ``obj`` went ``to`` (a spec field, a patch, a reason)."""
        self.rows.append(Row(obj, path, to))

    def note(self, text: str) -> None:
        """Record something the user should know about the result (once)."""
        if text not in self.notes:
            self.notes.append(text)


@dataclass(frozen=True)
class Report:
    """Everything one import did: the services, the objects left out, the files written."""

    services: tuple[ServiceReport, ...]
    skipped: tuple[Skipped, ...]
    written: tuple[str, ...] = ()
    dry_run: bool = False
    #: What validating the platform with the new specs found.
    errors: int = 0
    warnings: int = 0

    def as_json(self, specs: dict[str, str] | None = None) -> str:
        """The report as a JSON document (with the spec texts on a dry run)."""
        data: dict[str, Any] = {
            "services": [
                {
                    "name": s.name,
                    "file": s.file,
                    "sources": list(s.sources),
                    "mapped": [{"object": r.object, "field": r.field, "to": r.to} for r in s.rows],
                    "patches": [
                        {"name": p.name, "target": p.target, "reason": p.reason} for p in s.patches
                    ],
                    "notes": list(s.notes),
                }
                for s in self.services
            ],
            "notImported": [
                {"object": k.object, "where": k.where, "hint": k.hint} for k in self.skipped
            ],
            "written": list(self.written),
            "dryRun": self.dry_run,
            "errors": self.errors,
            "warnings": self.warnings,
        }
        if specs is not None:
            data["specs"] = specs
        return json.dumps(data, indent=2) + "\n"

    def text(self) -> str:
        """A table per service, then what was not imported (:meth:`footer` says what was done)."""
        out: list[str] = []
        for service in self.services:
            out.append(f"{service.name} -> {service.file}")
            out.append(f"  from {', '.join(service.sources)}")
            rows = [("object", "field", "went to")]
            rows += [(r.object, r.field, r.to) for r in service.rows]
            out += ["  " + line for line in _table(rows)]
            if service.patches:
                out.append("  patches:")
                width = max(len(p.name) for p in service.patches)
                out += [
                    f"    {p.name.ljust(width)}  {p.target}: {p.reason}" for p in service.patches
                ]
            else:
                out.append("  patches: none")
            out += [f"  note: {note}" for note in service.notes]
            out.append("")
        if self.skipped:
            out.append("Not imported:")
            out += [f"  {k.object} ({k.where}): {k.hint}" for k in self.skipped]
            out.append("")
        return "\n".join(out)

    def footer(self) -> str:
        """One line: what was written, or why nothing was."""
        count = len(self.services)
        specs = f"{count} service spec{'s' if count != 1 else ''}"
        if self.errors:
            return "Nothing was written: the imported specs do not validate (see above).\n"
        if self.dry_run:
            return f"Dry run: {specs} valid, nothing written.\n"
        return f"Wrote {specs}:\n" + "".join(f"  {path}\n" for path in self.written)


def _table(rows: list[tuple[str, str, str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
