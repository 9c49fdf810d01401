"""Writing a render to disk: rendered/ and the repository's workflows, under one lock.

Both directories are written atomically (generators/output/tree.py), one after the other while
the render lock is held; an interruption between them leaves rendered/ new and the
workflows old, which `render --check` reports and the next render finishes. The stat
caches of the last complete render let an unchanged one return at once.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from generators import __version__
from generators.diagnostics import Diagnostic, Severity
from generators.domain.layout import OUTPUT_DIR
from generators.errors import UsageError
from generators.model.clock import today
from generators.output import repository, tree
from generators.output.tree import MANIFEST, Drift
from generators.source.discover import discover

#: The stat cache of the last complete render (machine-local, git-ignored).
CACHE_FILE = ".platform-cache/render.json"


@dataclass(frozen=True)
class RenderOutcome:
    """What `platform render` did (or, with ``check``, would do)."""

    environments: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    #: Spec files read, and files in the rendered tree.
    specs: int
    files: int
    drift: tree.Drift
    #: True when nothing was rendered because nothing changed since the last render.
    cached: bool = False
    #: The same for the repository's generated workflows (generators/output/repository.py).
    workflows: tree.Drift = field(default_factory=tree.Drift)
    workflow_files: int = 0
    #: How messages name the workflows' directory.
    workflows_label: str = ".github/workflows"

    @property
    def errors(self) -> int:
        """Number of error diagnostics (nothing is written when there are any)."""
        return sum(d.level is Severity.ERROR for d in self.diagnostics)

    @property
    def stale(self) -> bool:
        """Whether anything differs (or, after a write, differed) from the render."""
        return bool(self.drift or self.workflows)


def render_to_disk(
    root: Path, environments: Sequence[str] = (), *, check: bool = False
) -> RenderOutcome:
    """Render into ``<root>/rendered`` (or, with ``check``, compare with it).

    A complete render also writes the services' workflows into the repository's
    ``.github/workflows/`` (generators/output/repository.py), under the same lock. A
    complete render whose inputs (every spec file and the compiler version) are those
    of the last one, with every file it wrote untouched, returns at once.
    """
    out = root / OUTPUT_DIR
    cache = tree.StatCache.load(root / CACHE_FILE)
    stats = repository.cache(root)
    label = repository.label(root)
    specs = discover(root)
    inputs = fingerprint(root, specs)
    if (
        not environments
        and cache.fresh(out, inputs)
        and stats.fresh(repository.directory(root), inputs, exclusive=True)
        and (cached := _cached_report(cache))
    ):
        diagnostics = cached[1]
        return RenderOutcome(
            tuple(sorted({p.split("/")[0] for p in cache.files or {} if not p.startswith("_")})),
            diagnostics,
            len(specs),
            len(cache.files or {}),
            tree.Drift(),
            cached=True,
            workflow_files=len(stats.files or {}),
            workflows_label=label,
        )
    from generators.pipeline import render_platform  # not loaded when nothing changed

    rendering = render_platform(root, environments, specs)
    diagnostics = rendering.validation.diagnostics
    if rendering.validation.errors:
        return RenderOutcome(rendering.environments, diagnostics, len(specs), 0, tree.Drift())
    workflows = tree.Drift()
    try:
        if check:
            drift = tree.compare(out, rendering.tree, rendering.scope, cache)
        else:
            cache_dir = (root / CACHE_FILE).parent
            lock = cache_dir / "render.lock" if not cache_dir.is_file() else None
            out.mkdir(parents=True, exist_ok=True)  # what is in the way fails before the lock
            with tree.locked(lock or out.with_name(f".{out.name}.lock")):
                if not rendering.partial:  # a workflow in the way stops the render early
                    repository.refuse_conflicts(root, rendering.workflows, stats)
                drift = tree.write_locked(out, rendering.tree, rendering.scope, cache)
                if not rendering.partial:
                    workflows = repository.sync(root, rendering.workflows, check=False, stats=stats)
    except OSError as exc:
        raise UsageError(
            message=f"cannot write {OUTPUT_DIR}/: {exc.strerror or exc} ({exc.filename})",
            hint=f"make {OUTPUT_DIR}/ a writable directory and move what is in the way; "
            "an interrupted write is finished by the next render",
        ) from None
    if check and not rendering.partial:
        workflows = repository.sync(root, rendering.workflows, check=True, stats=stats)
    if not check and not environments:
        # The cache only saves time; without it the next render reads the files.
        with contextlib.suppress(OSError):
            cache.save(out, rendering.tree, inputs, [d.to_dict() for d in diagnostics])
        repository.save(root, stats, rendering.workflows, inputs)
    return RenderOutcome(
        rendering.environments,
        diagnostics,
        len(specs),
        len(rendering.tree),
        drift,
        workflows=workflows,
        workflow_files=len(rendering.workflows),
        workflows_label=label,
    )


def _cached_report(cache: tree.StatCache) -> tuple[bool, tuple[Diagnostic, ...]] | None:
    try:
        return True, tuple(Diagnostic.from_dict(d) for d in cache.report)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # a damaged cache: render for real


@cache
def compiler_digest() -> str:
    """The compiler's version and source: an edited checkout renders anew."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).parents[1]  # generators/
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0")
        digest.update(source.read_bytes())
    return digest.hexdigest()


def fingerprint(root: Path, specs: Sequence[str]) -> str:
    """A digest of everything a render depends on: the spec files and the compiler.

    The day counts too (secrets' rotation is judged against it), and so do sealing
    certificates kept under ``environments/``.
    """
    digest = hashlib.sha256(compiler_digest().encode())
    digest.update(today().isoformat().encode())
    certs = sorted(p for p in (root / "environments").rglob("*") if p.suffix in (".pem", ".crt"))
    specs = [*specs, *(p.relative_to(root).as_posix() for p in certs)]
    for rel in specs:
        digest.update(rel.encode() + b"\0")
        try:
            digest.update((root / rel).read_bytes())
        except OSError:
            digest.update(b"\0unreadable")
    return digest.hexdigest()


def summary(outcome: RenderOutcome, *, check: bool, out: str = OUTPUT_DIR) -> str:
    """What a render did, or (with ``check``) every file that differs from it.

    The workflows a render writes outside ``out`` (``.github/workflows/``) are named
    with their own directory, and mentioned only when there are any.
    """
    drift, workflows, where = outcome.drift, outcome.workflows, outcome.workflows_label
    if check:
        lines = [
            f"{label}: {directory}/{path}"
            for directory, found in ((out, drift), (where, workflows))
            for label, paths in (
                ("missing", found.missing),
                ("extra", found.extra),
                ("differs", found.differing),
                ("not written by platform render, in the way", found.conflicting),
            )
            for path in paths
        ]
        if outcome.stale:
            stale = [f"{name}/" for name, found in ((out, drift), (where, workflows)) if found]
            verb = "are" if len(stale) > 1 else "is"
            lines.append(
                f"{' and '.join(stale)} {verb} stale: run `platform render` and commit the result."
            )
        elif outcome.workflow_files:
            lines.append(
                f"{out}/ ({outcome.files} files) and {where}/ ({outcome.workflow_files} "
                f"generated) are up to date."
            )
        else:
            lines.append(f"{out}/ is up to date ({outcome.files} files).")
    elif outcome.cached:
        lines = [f"{out}/ is up to date: no spec changed since the last render."]
    else:
        added, changed, removed = _counts(drift)
        lines = [
            (
                f"Rendered {outcome.files} files for {', '.join(outcome.environments)} into "
                f"{out}/: {added} added, {changed} changed, {removed} removed."
            )
        ]
        if workflows:
            added, changed, removed = _counts(workflows)
            lines.append(
                f"Workflows in {where}/ ({outcome.workflow_files}): {added} added, "
                f"{changed} changed, {removed} removed."
            )
    return "\n".join(lines) + "\n"


def _counts(drift: Drift) -> tuple[int, int, int]:
    """Files added, changed and removed; the ownership manifest is bookkeeping."""
    added, changed, removed = (
        sum(p != MANIFEST for p in paths) for paths in (drift.missing, drift.differing, drift.extra)
    )
    return added, changed, removed
