"""A promotion into a protected environment comes as a pull request of its own (PL314).

A promotion sets a pin (`spec.images.<service>`) of a protected environment to what an
earlier environment of the chain already runs (as `platform history` reads one; a pin
going back to an older version is a rollback, and a tag no environment runs yet a new
build), and may copy overrides into the promoted services' blocks for it
(`spec.environments.<env>`: `platform promote --with`). Reviewing it means reviewing
exactly that: so the pull request may change nothing else among the specs, neither
another file, nor that environment's file beyond its pins, nor a promoted service's
spec outside its block for the environment (the rendered tree and workflows follow from
the specs, and are not counted).

The generated CI holds such a pull request for the environment's reviewers
(generators/domain/ci/review.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generators.diagnostics import Diagnostic, codes
from generators.model.naming import tag_version
from generators.model.platform import Platform
from generators.source.located import dotted

#: How many other changed files the message names before it counts the rest.
SHOWN = 3


@dataclass(frozen=True)
class Specs:
    """What the rule compares of one side of a diff."""

    #: Every spec file -> the SHA-256 of its bytes.
    digests: Mapping[str, str] = field(default_factory=dict)
    #: Every environment -> its pins (service -> tag).
    pins: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: Every environment -> its place in the promotion chain (`order`).
    order: Mapping[str, int] = field(default_factory=dict)
    #: The protected environments.
    protected: frozenset[str] = frozenset()
    #: Every environment -> its file's data but its pins, as canonical JSON.
    rest: Mapping[str, str] = field(default_factory=dict)
    #: (service spec file, protected environment) -> the spec but its block for that
    #: environment, as canonical JSON.
    outside: Mapping[tuple[str, str], str] = field(default_factory=dict)


def read(root: Path, files: tuple[str, ...], platform: Platform) -> Specs:
    """One side's specs: the files under ``root`` and the environments of ``platform``."""
    digests = {rel: hashlib.sha256((root / rel).read_bytes()).hexdigest() for rel in files}
    pins = {name: dict(env.spec.images) for name, (_, env) in platform.environments.items()}
    order = {name: env.spec.order for name, (_, env) in platform.environments.items()}
    rest = {
        name: _without_pins(doc.source.data) for name, (doc, _) in platform.environments.items()
    }
    guarded = frozenset(n for n, (_, env) in platform.environments.items() if env.spec.protected)
    outside = {
        (doc.source.file, env): _without_block(doc.source.data, env)
        for doc, _ in platform.services.values()
        for env in guarded
    }
    return Specs(digests, pins, order, guarded, rest, outside)


def _without_pins(data: Mapping[str, object]) -> str:
    spec = data.get("spec")
    kept = {k: v for k, v in spec.items() if k != "images"} if isinstance(spec, dict) else spec
    return json.dumps({**data, "spec": kept}, sort_keys=True, default=str)


def _without_block(data: Mapping[str, object], env: str) -> str:
    spec = data.get("spec")
    blocks = spec.get("environments") if isinstance(spec, dict) else None
    if isinstance(blocks, dict):
        spec = {**spec, "environments": {k: v for k, v in blocks.items() if k != env}}  # type: ignore[dict-item]
    return json.dumps({**data, "spec": spec}, sort_keys=True, default=str)


def _promoted(base: Specs, env: str, service: str, tag: str) -> bool:
    """Whether pinning ``tag`` in ``env`` copies what an earlier environment runs, forward."""
    earlier = [
        other
        for other, at in base.order.items()
        if at < base.order[env] and base.pins[other].get(service) == tag
    ]
    was, now = tag_version(base.pins[env].get(service)), tag_version(tag)
    return bool(earlier) and not (was and now and now < was)  # back: a rollback


def _same_outside(base: Specs, head: Specs, rel: str, env: str) -> bool:
    """Whether a service spec changed only in its block for ``env``."""
    before, after = base.outside.get((rel, env)), head.outside.get((rel, env))
    return before is not None and before == after


def alone(base: Specs, head: Specs, platform: Platform) -> Iterator[Diagnostic]:
    """A promotion into a protected environment that shares its pull request with more."""
    changed = sorted(
        rel
        for rel in base.digests.keys() | head.digests.keys()
        if base.digests.get(rel) != head.digests.get(rel)
    )
    for name, (doc, _) in sorted(platform.environments.items()):
        # Protected on either side: unprotecting it in the same change does not count.
        if name not in base.protected | head.protected or name not in base.pins:
            continue  # (a new environment has nothing to promote over)
        before = base.pins[name]
        moved = {
            s: t
            for s, t in sorted(head.pins[name].items())
            if before.get(s) != t and _promoted(base, name, s, t)
        }
        if not moved:
            continue
        blocks = {platform.services[s][0].source.file for s in moved if s in platform.services}
        others = [
            rel
            for rel in changed
            if rel != doc.source.file
            # a promoted service's own block for this environment (overrides copied)
            and not (rel in blocks and _same_outside(base, head, rel, name))
        ]
        if base.rest[name] != head.rest[name]:
            others.insert(0, f"{doc.source.file} (beyond its pins)")
        if not others:
            continue
        what = ", ".join(
            f"{s} {before[s]} → {t}" if s in before else f"{s} {t}" for s, t in moved.items()
        )
        shown = ", ".join(others[:SHOWN]) + (
            f" and {len(others) - SHOWN} more" if len(others) > SHOWN else ""
        )
        path = ("spec", "images", next(iter(moved)))
        yield Diagnostic(
            codes.PROMOTION_NOT_ALONE,
            f"this change promotes into protected environment {name!r} ({what}) and also "
            f"changes {shown}",
            doc.source.locate(path),
            dotted(path),
            f"open the promotion as a pull request of its own, so its reviewers approve "
            f"exactly that: take the other changes out of this one, or the pins, and "
            f"promote once the rest is merged (`platform promote SERVICE --to {name}`)",
        )
