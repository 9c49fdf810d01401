"""Diagnostics printed for people (with the source line and a caret) and for machines."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

import click

from generators import __version__
from generators.diagnostics import Diagnostic, Severity
from generators.diagnostics.codes import CODES

FORMATS = ("human", "github", "json", "sarif")
DOCS_URL = "https://github.com/acme/platform/blob/main/docs/diagnostics.md"


def render(
    diagnostics: Sequence[Diagnostic],
    *,
    fmt: str,
    root: Path,
    files: int,
    color: bool = False,
    sources: Mapping[str, str] | None = None,
) -> str:
    """Format every diagnostic of a run in ``fmt`` (one of :data:`FORMATS`).

    ``sources`` holds the text of files that are not (or not yet so) on disk, by path: a
    change validated before it is written shows its own lines under its problems.
    """
    if fmt == "human":
        return human(diagnostics, root, files, color, sources)
    formatter = _FORMATTERS[fmt]
    return formatter(diagnostics, root, files, color)


#: What a possibly secret value is shown as in a source excerpt.
REDACTED = "<redacted>"


def human(
    diagnostics: Sequence[Diagnostic],
    root: Path,
    files: int,
    color: bool,
    texts: Mapping[str, str] | None = None,
) -> str:
    """``path:line:col: error[CODE]: message``, the source line with a caret, the hint."""
    lines: list[str] = []
    sources = _SourceCache(root, texts)
    for diagnostic in diagnostics:
        loc = diagnostic.location
        level = diagnostic.level.value
        style = "red" if diagnostic.level is Severity.ERROR else "yellow"
        head = (
            click.style(f"{level}[{diagnostic.code.id}]", fg=style, bold=True)
            if color
            else (f"{level}[{diagnostic.code.id}]")
        )
        lines.append(f"{_clean(loc.file)}:{loc.line}:{loc.col}: {head}: {_clean(diagnostic.text)}")
        source = sources.line(loc.file, loc.line)
        gutter = " " * len(str(loc.line))
        if source is not None:
            shown, col = _window(source, loc.col)
            width = _token_width(shown, col)
            if diagnostic.code.redacts:  # the value may be a credential: never print it
                shown = shown[: col - 1] + REDACTED + shown[col - 1 + width :]
                width = len(REDACTED)
            caret = " " * (col - 1) + "^" * width
            lines.append(f" {loc.line} | {shown}")
            lines.append(f" {gutter} | {click.style(caret, fg=style) if color else caret}")
        if diagnostic.key_path:
            lines.append(f" {gutter} = key: {_clean(diagnostic.key_path)}")
        if diagnostic.hint:
            lines.append(f" {gutter} = hint: {_clean(diagnostic.hint)}")
        lines.append("")
    lines.append(summary(diagnostics, files))
    return "\n".join(lines) + "\n"


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """One closing line: how many problems in how many files."""
    errors = sum(d.level is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    checked = f"{files} file{'s' if files != 1 else ''}"
    if not files:
        return "No spec files found under platform/ or environments/."
    if not diagnostics:
        return f"All {checked} valid."
    return f"Found {_count(errors, 'error')} and {_count(warnings, 'warning')} in {checked}."


def github(diagnostics: Sequence[Diagnostic], root: Path, files: int, color: bool) -> str:
    """GitHub Actions workflow commands: one annotation per diagnostic."""
    out = []
    for diagnostic in diagnostics:
        loc = diagnostic.location
        props = ",".join(
            f"{name}={_escape_property(str(value))}"
            for name, value in (
                ("file", loc.file),
                ("line", loc.line),
                ("col", loc.col),
                ("title", f"{diagnostic.code.id} {diagnostic.code.name}"),
            )
        )
        text = _with_key(diagnostic) + (f"\n{diagnostic.hint}" if diagnostic.hint else "")
        out.append(f"::{diagnostic.level.value} {props}::{_escape_data(text)}")
    out.append(summary(diagnostics, files))
    return "\n".join(out) + "\n"


def as_json(diagnostics: Sequence[Diagnostic], root: Path, files: int, color: bool) -> str:
    """A JSON document: a summary and the list of diagnostics."""
    errors = sum(d.level is Severity.ERROR for d in diagnostics)
    document = {
        "version": 1,
        "summary": {"files": files, "errors": errors, "warnings": len(diagnostics) - errors},
        "diagnostics": [d.to_dict() for d in diagnostics],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def sarif(diagnostics: Sequence[Diagnostic], root: Path, files: int, color: bool) -> str:
    """SARIF 2.1.0, the format GitHub code scanning uploads."""
    rules = sorted(CODES.values(), key=lambda c: c.id)
    index = {code.id: i for i, code in enumerate(rules)}
    level = {Severity.ERROR: "error", Severity.WARNING: "warning"}
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "platform",
                        "version": __version__,
                        "informationUri": DOCS_URL,
                        "rules": [
                            {
                                "id": code.id,
                                "name": code.name,
                                "shortDescription": {"text": code.summary},
                                "helpUri": f"{DOCS_URL}#{code.id.lower()}",
                                "defaultConfiguration": {"level": level[code.severity]},
                            }
                            for code in rules
                        ],
                    }
                },
                "results": [
                    {
                        "ruleId": d.code.id,
                        "ruleIndex": index[d.code.id],
                        "level": level[d.level],
                        "message": {"text": _with_key(d) + (f" {d.hint}" if d.hint else "")},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {
                                        "uri": quote(d.location.file),
                                        "uriBaseId": "%SRCROOT%",
                                    },
                                    "region": {
                                        "startLine": d.location.line,
                                        "startColumn": d.location.col,
                                    },
                                }
                            }
                        ],
                    }
                    for d in diagnostics
                ],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_FORMATTERS: dict[str, Callable[[Sequence[Diagnostic], Path, int, bool], str]] = {
    "human": human,
    "github": github,
    "json": as_json,
    "sarif": sarif,
}


class _SourceCache:
    """Reads each file once, for the source lines shown under diagnostics."""

    def __init__(self, root: Path, texts: Mapping[str, str] | None = None) -> None:
        self.root = root
        self.files: dict[str, list[str] | None] = {
            file: text.splitlines() for file, text in (texts or {}).items()
        }

    def line(self, file: str, line: int) -> str | None:
        if file not in self.files:
            try:
                raw = (self.root / file).read_bytes()
            except OSError:
                raw = b"\x00"
            # Binary files get no snippet; other bytes show as U+FFFD, never raise.
            text = None if b"\x00" in raw else raw.decode("utf-8-sig", errors="replace")
            self.files[file] = text.splitlines() if text is not None else None
        lines = self.files[file]
        if lines is None or not 0 < line <= len(lines):
            return None
        return lines[line - 1].expandtabs(1)


#: Source lines are shown at most this wide, cut around the column.
SNIPPET_WIDTH = 120


def _window(line: str, col: int) -> tuple[str, int]:
    """The part of a long line around ``col``, and the column within that part."""
    line = _clean(line)
    if len(line) <= SNIPPET_WIDTH:
        return line, col
    start = max(0, min(col - 1 - SNIPPET_WIDTH // 3, len(line) - SNIPPET_WIDTH))
    cut = line[start : start + SNIPPET_WIDTH]
    prefix = "…" if start else ""
    suffix = "…" if start + SNIPPET_WIDTH < len(line) else ""
    return prefix + cut + suffix, col - start + len(prefix)


def _clean(text: str) -> str:
    """Text from users' files, safe to print.

    Control characters are escaped, so a key or value can neither forge an output
    line nor drive the terminal.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def _token_width(line: str, col: int) -> int:
    """How many carets: the key or value starting at ``col``, as far as it can be told."""
    rest = line[col - 1 :]
    if not rest or rest[0] in "{[":
        return 1
    if rest[0] in "'\"":
        end = rest.find(rest[0], 1)
        return end + 1 if end > 0 else len(rest.rstrip())
    end = len(rest)
    for stop in (": ", ",", "}", "]", " #"):
        found = rest.find(stop)
        if found > 0:
            end = min(end, found)
    token = rest[:end].rstrip()
    token = token.removesuffix(":")
    return max(1, len(token))


def _with_key(diagnostic: Diagnostic) -> str:
    key = f" (at {diagnostic.key_path})" if diagnostic.key_path else ""
    return diagnostic.text + key


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
