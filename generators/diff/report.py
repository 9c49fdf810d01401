"""`platform diff` output: text for a terminal, Markdown for a PR comment, JSON for tools.

Every format leads with the impact and the per-environment summary, then the objects.
The Markdown fits GitHub's comment limit (65,536 characters): apps that do not fit are
listed by name under an explicit truncation notice. When the working tree's specs do not
validate, Markdown and JSON say so in their own form (:func:`invalid`), so a pull request
still gets a comment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from generators.diagnostics import Diagnostic, Severity, codes
from generators.diff import costs, impact
from generators.diff.compare import Diff
from generators.diff.objects import FieldChange, ObjectChange, public
from generators.domain.layout import PLATFORM_WIDE
from generators.emit import dump

PLATFORM_WIDE_LABEL = "platform-wide"
#: GitHub rejects comment bodies longer than this (characters).
GITHUB_LIMIT = 65_536
#: Lines of one object's diff a PR comment shows (the rest: `platform diff` locally).
MAX_LINES = 60
#: Found by the CI workflow to update its one comment in place.
MARKER = "<!-- platform-diff -->"
_SIGN = {"added": "+", "removed": "-", "changed": "~"}
_COLORS = {"+": "\x1b[32m", "-": "\x1b[31m", "~": "\x1b[33m", "@": "\x1b[36m", "!": "\x1b[1m"}
_RESET = "\x1b[0m"


def render(result: Diff, fmt: str, *, color: bool = False, limit: int = GITHUB_LIMIT) -> str:
    """The diff in ``fmt`` (text, markdown or json)."""
    if fmt == "json":
        return json.dumps(as_json(result), indent=2, sort_keys=True, default=str) + "\n"
    if fmt == "markdown":
        return markdown(result, limit)
    return text(result, color=color)


def invalid(
    diagnostics: Sequence[Diagnostic], files: int, fmt: str, *, limit: int = GITHUB_LIMIT
) -> str | None:
    """What a diff in ``fmt`` says when the working tree's specs do not validate.

    Markdown: the counts and as many problems as fit in a table (the annotations on the
    pull request show each at its line); JSON: every diagnostic. None for text, which
    the command line prints as `platform validate` does.
    """
    errors = sum(d.level is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    if fmt == "json":
        document = {
            "valid": False,
            "errors": errors,
            "warnings": warnings,
            "files": files,
            "diagnostics": [d.to_dict() for d in diagnostics],
        }
        return json.dumps(document, indent=2, sort_keys=True) + "\n"
    if fmt != "markdown":
        return None
    counts = (
        f"{_count(errors, 'error')} and {_count(warnings, 'warning')} in {_count(files, 'file')}"
    )
    if all(d.code.id in PULL_REQUEST_RULES for d in diagnostics):
        # The specs are valid: a comparison found them (validate annotates none of these).
        summary = (
            f"> **This change breaks a rule of pull requests: {_count(errors, 'error')}.** "
            "Nothing was compared. `platform diff` prints each at its line "
            "(docs/pull-requests.md)."
        )
    else:
        summary = f"> **The specs do not validate: {counts}.** Nothing was compared. {_ANNOTATED}"
    head = [
        MARKER,
        "## Platform diff",
        "",
        summary,
        "",
        "| where | code | problem |",
        "|---|---|---|",
    ]
    rows = [
        f"| `{d.location.file}:{d.location.line}:{d.location.col}` | {d.code.id} "
        f"| {_cell(d.text)} |"
        for d in diagnostics
    ]
    out = "\n".join(head) + "\n"
    for shown, row in enumerate(rows):
        rest = len(rows) - shown
        if len(out) + len(row) + 1 + len(_more(rest)) > limit:
            return out + _more(rest)
        out += row + "\n"
    return out


#: What only a comparison with the base finds, the specs being valid on their own.
PULL_REQUEST_RULES = frozenset({codes.LIFECYCLE_JUMP.id, codes.PROMOTION_NOT_ALONE.id})

_ANNOTATED = (
    "Each problem is annotated at its line in the pull request's files; "
    "`platform validate` lists them."
)


def _more(rest: int) -> str:
    return f"\n_… and {rest} more: run `platform validate` for every one._\n"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' if n != 1 else ''}"


def _cell(text_: str) -> str:
    """Text safe in a Markdown table cell: one line, no column breaks, at most 300 characters."""
    flat = " ".join(text_.split()).replace("|", "\\|")
    return flat if len(flat) <= 300 else flat[:299] + "…"


def label(environment: str) -> str:
    """An environment's name; platform-wide files (CI workflows) have none."""
    return environment or PLATFORM_WIDE_LABEL


def _shown_environments(result: Diff) -> list[str]:
    """The environments asked for; the platform-wide files only when they changed."""
    return [e for e in result.environments if e != PLATFORM_WIDE or result.changes.of(e)]


def _counts(changes: Sequence[ObjectChange]) -> dict[str, int]:
    counts = {"added": 0, "removed": 0, "changed": 0}
    for change in changes:
        counts[change.status] += 1
    return counts


def _cpu(value: Decimal) -> str:
    return f"{value.normalize():+f}" if value else "0"


def _memory(value: Decimal) -> str:
    if not value:
        return "0"
    mib = value / (1024 * 1024)
    return f"{mib:+.0f}Mi"


def _requests_cell(result: Diff, env: str) -> str:
    before, after = result.requests.get(env, (impact.Requests(), impact.Requests()))
    cpu, memory = after.cpu - before.cpu, after.memory - before.memory
    return f"CPU {_cpu(cpu)}, memory {_memory(memory)}"


def _value(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str)
    return json.dumps(value) if isinstance(value, str) else str(value)


def _field_lines(change: FieldChange) -> Iterator[str]:
    """A field change as diff lines: `@ path`, then `-`/`+` (or the text's own hunks)."""
    yield f"@@ {change.path} @@"
    if change.lines:
        yield from change.lines
        return
    if change.old is not None:
        yield f"- {_value(change.old)}"
    if change.new is not None:
        yield f"+ {_value(change.new)}"


def _object_lines(change: ObjectChange) -> list[str]:
    """What changed in an object; an added object in full (secret values masked)."""
    if change.status == "changed":
        return [line for f in change.fields for line in _field_lines(f)]
    if change.status == "added" and change.new is not None:
        shown = public(change.new)
        if change.key.kind == "File":
            content = shown["content"]
            text_ = content if isinstance(content, str) else json.dumps(content, indent=2)
        else:
            text_ = dump(shown)
        return [f"+ {line}" for line in text_.splitlines()]
    return []


def _apps(changes: Sequence[ObjectChange]) -> dict[str, list[ObjectChange]]:
    apps: dict[str, list[ObjectChange]] = {}
    for change in changes:
        apps.setdefault(change.key.app, []).append(change)
    return apps


def _header(result: Diff) -> list[str]:
    lines = [f"base: {result.base.label}", f"head: {result.head.label}"]
    if result.base.errors:
        lines.append(f"note: {_base_invalid(result)}")
    return lines


def _base_invalid(result: Diff) -> str:
    errors = result.base.errors
    first = errors[0]
    where = f"{first.location.file}:{first.location.line}:{first.location.col}"
    count = f"{len(errors)} error" + ("s" if len(errors) > 1 else "")
    return (
        f"The base does not validate ({count}; first: {where}: {first.message}); every "
        "object is shown as added"
    )


def text(result: Diff, *, color: bool = False) -> str:
    """Plain text, coloured on a terminal."""

    def paint(line: str) -> str:
        code = _COLORS.get(line.lstrip()[:1]) if color else None
        return f"{code}{line}{_RESET}" if code else line

    out = _header(result)
    if result.empty:
        out.append("No changes.")
        return "\n".join(out) + "\n"
    if result.findings:
        out += ["", "Impact:"]
        out += [
            f"! [{label(f.environment)}] {impact.CATEGORIES[f.category]}: {f.text}"
            for f in result.findings
        ]
    cost = costs.lines(result.cost, "  ", label, bold=False)
    if cost:
        out += ["", "Cost (a month, at each environment's prices):", *cost]
    out += ["", "Summary:"]
    for env in _shown_environments(result):
        counts = _counts(result.changes.of(env))
        out.append(
            f"  {label(env)}: {counts['added']} added, {counts['removed']} removed, "
            f"{counts['changed']} changed; requests {_requests_cell(result, env)}"
        )
    for env in result.changes.environments():
        for app, changes in sorted(_apps(result.changes.of(env)).items()):
            out += ["", f"== {label(env)} / {app}"]
            for change in changes:
                out.append(f"{_SIGN[change.status]} {change.key.title()} ({change.status})")
                out += [f"    {line}" for line in _object_lines(change)]
    return "\n".join(paint(line) for line in out) + "\n"


def markdown(result: Diff, limit: int = GITHUB_LIMIT) -> str:
    """A PR comment: impact and summary first, one collapsible section per app."""
    head = [MARKER, "## Platform diff", "", f"`{result.base.label}` → {result.head.label}", ""]
    if result.base.errors:
        head += [f"> **{_base_invalid(result)}**", ""]
    if result.empty:
        return "\n".join([*head, "No changes to the rendered output."]) + "\n"
    if result.findings:
        head += ["### Impact", ""]
        head += _bounded(
            [
                f"- **{impact.CATEGORIES[f.category]}** ({label(f.environment)}): {f.text}"
                for f in result.findings
            ],
            limit // 2,  # the rest of the comment is for the summary and the objects
            "findings (`platform diff --format json` lists them all)",
        )
        head.append("")
    cost = costs.lines(result.cost, "- ", label, bold=True)
    if cost:
        head += ["### Cost", ""]
        head += _bounded(cost, limit // 8, "cost changes (`platform cost` gives them all)")
        head.append("")
    head += [
        "### Summary",
        "",
        "| environment | added | removed | changed | requests (CPU cores, memory) |",
        "|---|---:|---:|---:|---|",
    ]
    for env in _shown_environments(result):
        counts = _counts(result.changes.of(env))
        head.append(
            f"| {label(env)} | {counts['added']} | {counts['removed']} | {counts['changed']} | "
            f"{_requests_cell(result, env)} |"
        )
    head.append("")
    sections = [
        (f"{label(env)} / {app}", _section(label(env), app, changes))
        for env in result.changes.environments()
        for app, changes in sorted(_apps(result.changes.of(env)).items())
    ]
    return _fit(head, sections, limit)


def _bounded(lines: list[str], budget: int, what: str) -> list[str]:
    """As many of ``lines`` as fit in ``budget`` characters, then how many were left out."""
    out: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        used += len(line) + 1
        if used > budget:
            return [*out, f"- _… and {len(lines) - i:,} more {what}_"]
        out.append(line)
    return out


def _section(env: str, app: str, changes: Sequence[ObjectChange]) -> str:
    counts = _counts(changes)
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    lines = ["<details>", f"<summary><b>{env} / {app}</b>: {summary}</summary>", ""]
    for change in changes:
        lines.append(f"#### {_SIGN[change.status]} {change.key.title()} ({change.status})")
        body = _object_lines(change)
        if len(body) > MAX_LINES:  # a dashboard's JSON: the start, and how much more
            body = [*body[:MAX_LINES], f"… {len(body) - MAX_LINES} more lines (platform diff)"]
        if body:
            fence = "````" if any("```" in line for line in body) else "```"
            lines += ["", f"{fence}diff", *body, fence]
        lines.append("")
    lines += ["</details>", ""]
    return "\n".join(lines)


def _fit(head: list[str], sections: list[tuple[str, str]], limit: int) -> str:
    """The comment, with as many sections as fit; the rest named under a notice."""
    text_ = "\n".join(head) + "\n"
    names = [name for name, _ in sections]
    for i, (_, body) in enumerate(sections):
        # This section fits if, after it, the notice for those still to come fits too.
        if len(text_) + len(body) + len(_notice(names[i + 1 :])) > limit:
            return _clip(text_ + _notice(names[i:]), limit)
        text_ += body
    return text_


def _notice(names: Sequence[str]) -> str:
    if not names:
        return ""
    per_env: dict[str, int] = {}
    for name in names:
        env = name.split(" / ")[0]
        per_env[env] = per_env.get(env, 0) + 1
    counts = ", ".join(f"{env}: {n}" for env, n in per_env.items())
    shown = ", ".join(f"`{n}`" for n in names[:20])
    more = f", and {len(names) - 20} more" if len(names) > 20 else ""
    return (
        f"> **Truncated:** this comment stops before GitHub's {GITHUB_LIMIT:,}-character "
        f"limit. {len(names)} apps not shown ({counts}): {shown}{more}. Run `platform diff` "
        "locally or read the CI job log for the full diff.\n"
    )


def _clip(text_: str, limit: int) -> str:
    if len(text_) <= limit:
        return text_
    cut = "\n\n> **Truncated** at GitHub's comment limit.\n"
    return text_[: limit - len(cut)] + cut


def as_json(result: Diff) -> dict[str, Any]:
    """Everything, as data (secret values masked as in the other formats)."""
    environments = {}
    for env in _shown_environments(result):
        before, after = result.requests[env]
        environments[label(env)] = {
            **_counts(result.changes.of(env)),
            "requests": {
                "cpu": str(after.cpu - before.cpu),
                "memory": str(after.memory - before.memory),
            },
        }
    return {
        "base": {
            "label": result.base.label,
            "commit": result.base.commit,
            "errors": [d.to_dict() for d in result.base.errors],
        },
        "head": {"label": result.head.label},
        "environments": environments,
        "impact": [vars(f) for f in result.findings],
        "cost": costs.as_json(result.cost, label),
        "changes": [_change_json(c) for c in result.changes.changes],
    }


def _change_json(change: ObjectChange) -> dict[str, Any]:
    key = change.key
    out: dict[str, Any] = {
        "environment": label(key.environment),
        "app": key.app,
        "kind": key.kind,
        "namespace": key.namespace,
        "name": key.name,
        "status": change.status,
    }
    if change.status == "added" and change.new is not None:
        out["object"] = public(change.new)
    fields = []
    for f in change.fields:
        item: dict[str, Any] = {"path": f.path, "old": f.old, "new": f.new}
        if f.lines:
            item["lines"] = list(f.lines)
        fields.append(item)
    out["fields"] = fields
    return out
