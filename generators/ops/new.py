"""`platform new`: a service from a template, checked on a copy, then written whole.

The answers come from `--set` pairs, an answers file, or the wizard's questions. The
new spec, and its first image pin in each environment it starts in (a round-trip edit
that keeps the environment file's comments), are validated with the rest of the
platform first, in memory: with an error nothing is written. The starter code
goes into a directory, or a new git repository with one commit.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pygit2
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from generators.diagnostics import Diagnostic, Location, SpecErrors
from generators.domain.cost import Line, estimate
from generators.ops import roundtrip
from generators.ops.scaffold import (
    TEMPLATES_DIR,
    PlatformFacts,
    RawAnswers,
    Scaffold,
    answers_from_file,
    answers_from_set,
    facts_from,
    load_template,
    scaffold,
    write_repository,
)
from generators.pipeline import INDEX, Memo, validate_platform

#: The image tag a new service starts with in each environment it is placed in.
FIRST_TAG = "0.1.0"


@dataclass(frozen=True)
class Created:
    """What `platform new` wrote, or would write (a dry run)."""

    service: str
    #: Every file of the platform written: path -> its new text (new or edited).
    files: dict[str, str]
    #: The unified diff of those files against the platform as it was.
    diff: str
    #: The new service's monthly estimate, a line per environment it starts in.
    cost: tuple[Line, ...]
    #: Warnings the validation of the result printed (errors stop it).
    warnings: tuple[Diagnostic, ...] = ()
    #: The starter code's files, and where they went (None: not written).
    skeleton: tuple[str, ...] = ()
    skeleton_at: Path | None = None
    commit: str | None = None
    written: bool = False
    environments: tuple[str, ...] = field(default_factory=tuple)


def combine(file_answers: RawAnswers | None, set_answers: RawAnswers) -> RawAnswers:
    """An answers file's answers, with `--set` pairs replacing them key by key."""
    if file_answers is None:
        return set_answers
    given = dict(file_answers.values)
    given.update(set_answers.values)

    def locate(path: tuple[str | int, ...], key: bool) -> Location:
        chosen = set_answers if path and path[0] in set_answers.values else file_answers
        return chosen.locate(path, key)

    # A file's values are typed YAML, `--set` ones text: read as text, the checks take
    # text for a number, a flag or a list, and a typed value as it is.
    return RawAnswers(given, locate, bool(set_answers.values), file_answers.origin)


def platform_facts(root: Path, memo: Memo | None = None) -> PlatformFacts:
    """What answers are checked against: the platform's specs, read and indexed.

    The index is enough to check the answers: the platform with the new service is
    validated whole in :func:`create`, which reports any error the platform had already.
    ``memo`` keeps what was parsed, for :func:`create` to parse only what it changes.
    """
    return facts_from(validate_platform(root, stages=INDEX, memo=memo).platform)


def answered(
    root: Path,
    template_name: str,
    sets: Sequence[str],
    answers_file: Path | None,
    flags: Mapping[str, str] | None = None,
    facts: PlatformFacts | None = None,
) -> Scaffold:
    """The template answered against the platform at ``root``.

    ``flags`` are answers given by options of their own (`--name`, `--team`); ``facts``
    the platform's, when the caller has them already (the wizard asked with them).

    Raises:
        SpecErrors: the platform has errors, or an answer is wrong (nothing written).
        UsageError: no such template, an unreadable answers file, a bad `--set` pair.
    """
    facts = facts or platform_facts(root)
    template = load_template(root / TEMPLATES_DIR, template_name)
    from_file: RawAnswers | None = None
    if answers_file is not None:
        from_file, problems = answers_from_file(answers_file, str(answers_file))
        if problems:
            raise SpecErrors(
                diagnostics=problems, files=1, root=Path.cwd(), message="Nothing was written."
            )
    result = scaffold(template, combine(from_file, answers_from_set(sets, flags)), facts)
    if not result.ok:
        raise SpecErrors(
            diagnostics=result.diagnostics,
            files=1,
            root=Path.cwd() if answers_file is not None else root,
            message="Nothing was written.",
        )
    if not result.answers.get("environments"):  # the default: every unprotected one
        result = replace(result, answers={**result.answers, "environments": facts.unprotected})
    return result


def create(
    root: Path,
    result: Scaffold,
    *,
    tag: str = FIRST_TAG,
    repo: Path | None = None,
    dry_run: bool = False,
    signature: pygit2.Signature | None = None,
    memo: Memo | None = None,
) -> Created:
    """Check ``result`` with the platform, then write it (unless ``dry_run``).

    The new and edited files are validated in memory, with every other file from disk
    (``memo``: the parses :func:`platform_facts` made, reused for the files unchanged).

    Raises:
        SpecErrors: the platform with the new service has errors (nothing written).
    """
    name = str(result.answers["name"])
    chosen = result.answers.get("environments")
    placed = tuple(str(e) for e in chosen) if isinstance(chosen, list) else ()
    files = dict(result.specs)
    for env in placed:
        path = f"environments/{env}.yaml"
        data = roundtrip.load(root / path)
        # Quoted, as a tag is text (`1.10` is not the number 1.1).
        roundtrip.set_in(data, ("spec", "images", name), DoubleQuotedScalarString(tag))
        files[path] = roundtrip.dump(data)
    validation = validate_platform(root, overlay=files, memo=memo)
    if validation.errors:
        raise SpecErrors(
            diagnostics=validation.diagnostics,
            files=len(validation.files),
            root=root,
            message="The new service does not validate with the platform: nothing was written.",
            sources=files,  # the lines of the new and edited files, as they would be
        )
    lines = tuple(line for line in estimate(validation.platform) if line.name == name)
    created = Created(
        name,
        files,
        _diff(root, files),
        lines,
        tuple(validation.diagnostics),
        tuple(sorted(result.skeleton)),
        environments=placed,
    )
    return created if dry_run else apply(root, result, created, repo=repo, signature=signature)


def apply(
    root: Path,
    result: Scaffold,
    created: Created,
    *,
    repo: Path | None = None,
    signature: pygit2.Signature | None = None,
) -> Created:
    """Write what :func:`create` checked (its dry run): the files, then the starter code."""
    for path, text in sorted(created.files.items()):
        roundtrip.write(root / path, text)
    commit = None
    if repo is not None and result.skeleton:
        commit = write_repository(
            repo,
            result.skeleton,
            message=f"{created.service}: starter code from the {result.template.name} template",
            author=signature,
            committer=signature,
        )
    return replace(created, written=True, skeleton_at=repo, commit=commit)


def _diff(root: Path, files: Mapping[str, str]) -> str:
    out: list[str] = []
    for path, text in sorted(files.items()):
        old = root / path
        before = old.read_text(encoding="utf-8").splitlines(keepends=True) if old.exists() else []
        out += difflib.unified_diff(
            before,
            text.splitlines(keepends=True),
            fromfile=f"a/{path}" if before else "/dev/null",
            tofile=f"b/{path}",
        )
    return "".join(out)


def summary(created: Created) -> str:
    """The review: the change to the platform's files, and what it costs a month."""
    out = [f"New service {created.service!r}, in {', '.join(created.environments)}:", ""]
    out.append(created.diff.rstrip("\n"))
    out += ["", "Monthly estimate:"]
    for line in created.cost:
        low, high = f"{line.low:,.2f}", f"{line.high:,.2f}"
        amount = low if low == high else f"{low} to {high}"
        out.append(f"  {line.environment}: {amount} {line.currency}")
    for warning in created.warnings:
        where = warning.location
        out.append(f"warning: {where.file}:{where.line}: {warning.message} [{warning.code.id}]")
    return "\n".join(out)


def written(created: Created) -> str:
    """What was written, and what to do next."""
    out = ["Wrote:"]
    out += [f"  {path}" for path in sorted(created.files)]
    if created.skeleton_at is not None:
        out.append(
            f"Starter code: {created.skeleton_at} ({len(created.skeleton)} files, commit "
            f"{(created.commit or '')[:12]})"
        )
    out.append("Next: `platform render`, then open a pull request with the change.")
    return "\n".join(out)
