"""`platform promote`: a service's pinned image copied one environment up the chain, rendered.

The source environment's pin is what runs there only if the committed rendered tree
says so: a promotion copies what was reviewed and synced, never a pin still waiting
for its own pull request. Nothing is left changed when the result does not validate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


def promote(root: Path, service: str, source: str, target: str, *, skip: bool = False) -> Promotion:
    """Pin ``service`` in ``target`` to what runs in ``source``, validate, render, diff.

    Raises:
        UsageError: outside git, an unknown service or environment, a promotion down the chain or
            past an environment the service runs in (without ``skip``), a target it
            does not run in, or a source whose pin is not what its rendered tree runs.
        SpecErrors: the platform has errors, before or after (nothing is changed).
    """
    if git.open_repository(root) is None:  # the diff needs HEAD: refuse before writing
        raise UsageError(
            message=f"{root} is not in a git repository",
            hint="run `platform promote` inside the platform repository's clone",
        )
    validation = validate_platform(root, stages=MODEL)
    validation.require_valid("Nothing was promoted: fix the errors above first.")
    platform = validation.platform
    _known(platform, service, source, target)
    envs = {name: env for name, (_, env) in platform.environments.items()}
    low, high = envs[source].spec.order, envs[target].spec.order
    if high <= low:
        raise UsageError(
            message=f"{target} comes before {source} in the promotion chain",
            hint="promote up the chain (a lower `order` to a higher); to go back, "
            f"`platform rollback {service} --to REV`",
        )
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
    previous = envs[target].spec.images.get(service)
    done = Promotion(service, source, target, tag, previous)
    if previous == tag:
        return done
    path = root / "environments" / f"{target}.yaml"
    saved = path.read_bytes()
    data = roundtrip.load(path)
    # Quoted, as a tag is text (`1.10` is not the number 1.1).
    roundtrip.set_in(data, ("spec", "images", service), DoubleQuotedScalarString(tag))
    roundtrip.write(path, roundtrip.dump(data))
    outcome = render_to_disk(root)
    if outcome.errors:
        path.write_bytes(saved)
        render_to_disk(root)  # the tree as it was
        raise SpecErrors(
            diagnostics=outcome.diagnostics,
            files=outcome.specs,
            root=root,
            message=f"Nothing was promoted: {service} {tag} does not validate in {target}.",
        )
    done.diff = compare(root, "HEAD", [target])
    return done


def _known(platform: Platform, service: str, *environments: str) -> None:
    if service not in platform.services:
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
