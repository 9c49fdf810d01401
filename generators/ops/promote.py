"""`platform promote`: a service's pinned image copied one environment up the chain, rendered.

The source environment's pin is what runs there only if the committed rendered tree
says so: a promotion copies what was reviewed and synced, never a pin still waiting
for its own pull request. Named overrides of the service's block for the source
environment (`--with env.FEATURE_X`) are copied into its block for the target. Nothing
is left changed when the result does not validate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from generators.diagnostics import SpecErrors
from generators.diagnostics.suggest import did_you_mean
from generators.diff.compare import Diff, compare
from generators.domain.layout import OUTPUT_DIR, app_path
from generators.errors import UsageError
from generators.model.naming import image_reference
from generators.model.platform import Platform
from generators.ops import roundtrip
from generators.output.writer import render_to_disk
from generators.pipeline import MODEL, validate_platform
from generators.source import git


@dataclass
class Promotion:
    """What a promotion pinned, and the diff against HEAD it makes (None: nothing to do)."""

    service: str
    source: str
    target: str
    tag: str
    #: The target's pin before (None: it had none).
    previous: str | None
    diff: Diff | None = None
    #: The overrides copied from the source's block (dotted paths in it).
    overrides: tuple[str, ...] = ()


def promote(
    root: Path,
    service: str,
    source: str,
    target: str,
    *,
    skip: bool = False,
    overrides: Sequence[str] = (),
) -> Promotion:
    """Pin ``service`` in ``target`` to what runs in ``source``, validate, render, diff.

    ``overrides`` are dotted paths in the service's block for ``source``
    (`spec.environments.<source>`), e.g. ``env.FEATURE_X``, copied into its block for
    ``target`` with the image.

    Raises:
        UsageError: outside git, an unknown service or environment, a promotion down
            the chain or past an environment the service runs in (without ``skip``), a
            target it does not run in, or a source whose pin is not what its rendered
            tree runs.
        SpecErrors: the platform has errors, before or after (nothing is changed).
    """
    platform = _platform(root)
    _known(platform, service, source, target)
    _direction(platform, source, target)
    done = _plan(root, platform, service, source, target, skip)
    copied = _overrides(platform, service, source, target, overrides)
    done.overrides = tuple(".".join(path) for path in copied)
    if done.previous != done.tag or copied:
        file = platform.services[service][0].source.file
        done.diff = _apply(root, target, {service: done.tag}, {file: (source, copied)})
    return done


def _overrides(
    platform: Platform, service: str, source: str, target: str, wanted: Sequence[str]
) -> list[tuple[str, ...]]:
    """The override paths to copy: each present in the source's block, new to the target's.

    Raises:
        UsageError: a path the service's block for ``source`` does not set.
    """
    doc = platform.services[service][0]
    blocks = doc.source.data.get("spec", {}).get("environments") or {}
    given, there = blocks.get(source) or {}, blocks.get(target) or {}
    out = []
    for dotted_path in wanted:
        path = tuple(dotted_path.split("."))
        value = _get(given, path)
        if value is _MISSING:
            known = sorted(_paths(given))
            raise UsageError(
                message=f"{service}'s block for {source} in {doc.source.file} sets no "
                f"{dotted_path!r}",
                hint=did_you_mean(dotted_path, known, what="overrides")
                or (
                    f"it sets: {', '.join(known)}"
                    if known
                    else f"it has no `spec.environments.{source}` overrides to copy"
                ),
            )
        if _get(there, path) != value and path not in out:
            out.append(path)
    return out


_MISSING = object()


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data


def _paths(data: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Every dotted path of a block, its mappings' and their keys' (two levels)."""
    out = []
    for key, value in data.items():
        out.append(prefix + key)
        if isinstance(value, dict) and not prefix:
            out += _paths(value, f"{key}.")
    return out


@dataclass
class Train:
    """A release train: every service's promotion, or why it stayed, and the diff."""

    source: str
    target: str
    promoted: list[Promotion] = field(default_factory=list)
    #: (service, why it was not promoted), for services that run in both.
    stayed: list[tuple[str, str]] = field(default_factory=list)
    diff: Diff | None = None


def promote_all(root: Path, source: str, target: str, *, skip: bool = False) -> Train:
    """Promote every service that runs in both environments, in one change.

    A service whose promotion would be refused (a pin not yet rendered, a skip) stays,
    with the reason; the others are pinned together, validated and rendered once.
    """
    platform = _platform(root)
    _known(platform, None, source, target)
    _direction(platform, source, target)
    train = Train(source, target)
    for name in sorted(platform.services):
        if not (platform.deploys(name, source) and platform.deploys(name, target)):
            continue
        if platform.services[name][1].metadata.lifecycle == "retired":
            train.stayed.append((name, "retired (at zero replicas until it goes)"))
            continue
        try:
            planned = _plan(root, platform, name, source, target, skip)
        except UsageError as refused:
            train.stayed.append((name, refused.message))
            continue
        if planned.previous == planned.tag:
            train.stayed.append((name, f"already runs {planned.tag}"))
        else:
            train.promoted.append(planned)
    if train.promoted:
        train.diff = _apply(root, target, {p.service: p.tag for p in train.promoted})
    return train


def train_table(train: Train) -> str:
    """What a release train moved, and why the others stayed: a table."""
    rows = [(p.service, p.previous or "-", p.tag, "promoted") for p in train.promoted]
    rows += [(name, "", "", f"stayed: {why}") for name, why in train.stayed]
    rows.sort()
    head = ("service", "before", "after", "")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in [head, *rows]
    ]
    title = f"Release train {train.source} → {train.target}:"
    done = f"{len(train.promoted)} promoted, {len(train.stayed)} stayed"
    return "\n".join(line.rstrip() for line in [title, *lines, done]) + "\n"


def _platform(root: Path) -> Platform:
    if git.open_repository(root) is None:  # the diff needs HEAD: refuse before writing
        raise UsageError(
            message=f"{root} is not in a git repository",
            hint="run `platform promote` inside the platform repository's clone",
        )
    validation = validate_platform(root, stages=MODEL)
    validation.require_valid("Nothing was promoted: fix the errors above first.")
    return validation.platform


def _direction(platform: Platform, source: str, target: str) -> None:
    envs = platform.environments
    if envs[target][1].spec.order <= envs[source][1].spec.order:
        raise UsageError(
            message=f"{target} comes before {source} in the promotion chain",
            hint="promote up the chain (a lower `order` to a higher); to go back, "
            "`platform rollback SERVICE --to REV`",
        )


def _plan(
    root: Path, platform: Platform, service: str, source: str, target: str, skip: bool
) -> Promotion:
    """What promoting one service would pin, or why it may not be promoted."""
    envs = {name: env for name, (_, env) in platform.environments.items()}
    low, high = envs[source].spec.order, envs[target].spec.order
    passed = sorted(
        (env.spec.order, name)
        for name, env in envs.items()
        if low < env.spec.order < high and platform.deploys(service, name)
    )
    if passed and not skip:
        names = ", ".join(name for _, name in passed)
        raise UsageError(
            message=f"promoting {service} from {source} to {target} skips {names}",
            hint=f"promote to {passed[0][1]} first, or pass --skip to go past it on purpose",
        )
    if not platform.deploys(service, target):
        stage = platform.services[service][1].metadata.lifecycle
        raise UsageError(
            message=f"{service} does not run in {target} (lifecycle {stage!r})",
            hint="move its `metadata.lifecycle` on first (one stage per pull request)",
        )
    tag = envs[source].spec.images.get(service)
    if tag is None:
        raise UsageError(
            message=f"{service} has no image pinned in {source}",
            hint=f"pin one in environments/{source}.yaml `spec.images.{service}`",
        )
    _running(root, platform, service, source, tag)
    return Promotion(service, source, target, tag, envs[target].spec.images.get(service))


def _apply(
    root: Path,
    target: str,
    pins: dict[str, str],
    overrides: Mapping[str, tuple[str, list[tuple[str, ...]]]] | None = None,
) -> Diff:
    """Write the pins (and copy the overrides), render; put everything back if it fails.

    ``overrides`` maps a service's spec file to (source, the paths to copy from its
    block for source into its block for ``target``).
    """
    path = root / "environments" / f"{target}.yaml"
    saved = {path: path.read_bytes()}
    data = roundtrip.load(path)
    for service, tag in sorted(pins.items()):
        # Quoted, as a tag is text (`1.10` is not the number 1.1).
        roundtrip.set_in(data, ("spec", "images", service), DoubleQuotedScalarString(tag))
    texts = {path: roundtrip.dump(data)}
    for rel, (source, paths) in sorted((overrides or {}).items()):
        if not paths:
            continue
        spec_file = root / rel
        saved[spec_file] = spec_file.read_bytes()
        spec = roundtrip.load(spec_file)
        blocks = ("spec", "environments")
        for part in paths:  # ruamel's nodes, copied: their comments and layout go along
            roundtrip.copy_entry(spec, (*blocks, source, *part), (*blocks, target, *part))
        texts[spec_file] = roundtrip.dump(spec)
    for file, text in texts.items():
        roundtrip.write(file, text)
    what = ", ".join(f"{s} {t}" for s, t in sorted(pins.items()))
    outcome = render_to_disk(root)
    if outcome.errors:
        _restore(root, saved)
        raise SpecErrors(
            diagnostics=outcome.diagnostics,
            files=outcome.specs,
            root=root,
            message=f"Nothing was promoted: {what} does not validate in {target}.",
        )
    try:
        return compare(root, "HEAD", [target])
    except SpecErrors as refused:  # a rule of pull requests: its own, if target is protected
        _restore(root, saved)
        raise SpecErrors(
            diagnostics=refused.diagnostics,
            files=refused.files,
            root=root,
            message=f"Nothing was promoted: {what} into {target} would share its pull "
            "request with the changes since HEAD; commit or stash those first.",
        ) from None


def _restore(root: Path, saved: Mapping[Path, bytes]) -> None:
    """The files as they were, and the rendered tree with them."""
    for file, data in saved.items():
        file.write_bytes(data)
    render_to_disk(root)


def _known(platform: Platform, service: str | None, *environments: str) -> None:
    if service is not None and service not in platform.services:
        raise UsageError(
            message=f"unknown service {service!r}",
            hint=did_you_mean(service, platform.services, what="services"),
        )
    for env in environments:
        if env not in platform.environments:
            raise UsageError(
                message=f"unknown environment {env!r}",
                hint=did_you_mean(env, platform.environments, what="environments"),
            )


def _running(root: Path, platform: Platform, service: str, source: str, tag: str) -> None:
    """The committed rendered tree of ``source`` runs the image its pin names."""
    rel = f"{OUTPUT_DIR}/{app_path(source, service)}"
    workload = platform.resolved[(source, service)].workload
    wanted = image_reference(workload.image, tag)
    path = root / rel
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if f"image: {wanted}\n" not in text and f'image: "{wanted}"\n' not in text:
        raise UsageError(
            message=f"{rel} does not run {wanted}, which {source} pins",
            hint=f"render and merge {source}'s pin first (`platform render`); a promotion "
            "copies what runs, not a pin still under review",
        )
