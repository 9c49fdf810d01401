"""Files a render owns outside rendered/: the generated workflows in .github/workflows/.

GitHub runs the workflows at the top of a git repository, so a service whose code lives
in the platform repository gets ``<repository>/.github/workflows/<service>.yml``. That
directory also holds workflows people write, so the render writes it *exclusively*
(generators/output/tree.py): it owns the files its own manifest there lists, never replaces or
removes another file, removes the ones it wrote that are no longer wanted, writes
atomically like rendered/, and keeps no manifest while no service needs a workflow there.
A machine-local stat cache (``.platform-cache/workflows.json``) lets an unchanged
render skip the directory as it skips rendered/.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path

from generators.domain.layout import WORKFLOWS_DIR
from generators.errors import UsageError
from generators.output import tree
from generators.source.discover import repository_root

#: The stat cache of the workflows of the last complete render (machine-local).
CACHE_FILE = ".platform-cache/workflows.json"


def directory(root: Path) -> Path:
    """Where the generated workflows go: the repository's ``.github/workflows``."""
    return repository_root(root) / WORKFLOWS_DIR


def label(root: Path) -> str:
    """The directory as messages name it: relative to the platform root when inside it."""
    path = directory(root)
    resolved = root.resolve()
    return path.relative_to(resolved).as_posix() if path.is_relative_to(resolved) else str(path)


def cache(root: Path) -> tree.StatCache:
    """The workflows' stat cache (kept beside the render's, under the platform root)."""
    return tree.StatCache.load(root / CACHE_FILE)


def fresh(root: Path, inputs: str) -> bool:
    """Whether the last complete render wrote these workflows and they are untouched."""
    return cache(root).fresh(directory(root), inputs, exclusive=True)


def sync(
    root: Path,
    files: Mapping[str, bytes],
    *,
    check: bool,
    stats: tree.StatCache | None = None,
) -> tree.Drift:
    """Compare the workflows with the disk, or (not ``check``) write them.

    The caller holds the render lock. Raises UsageError when a file the render did not
    write is in the way, or the directory cannot be written.
    """
    out = directory(root)
    try:
        if check:
            if not files and not out.is_dir():
                return tree.Drift()
            return tree.compare(out, files, (), stats, exclusive=True)
        return tree.write_locked(out, files, (), stats, exclusive=True, label=label(root))
    except OSError as exc:
        raise UsageError(
            message=f"cannot write {label(root)}/: {exc.strerror or exc} ({exc.filename})",
            hint="make it a writable directory; an interrupted write is finished by the "
            "next render",
        ) from None


def refuse_conflicts(root: Path, files: Mapping[str, bytes], stats: tree.StatCache) -> None:
    """Raise UsageError if a file the render did not write is where a workflow goes.

    Checked before anything is written, so such a render writes nothing at all.
    """
    found = sync(root, files, check=True, stats=stats).conflicting
    if found:
        raise UsageError(
            message=f"{label(root)}/{found[0]} exists, and `platform render` did not write "
            "it: it will not replace it",
            hint="move or rename that file (or rename the service), then render again",
        )


def save(root: Path, stats: tree.StatCache, files: Mapping[str, bytes], inputs: str) -> None:
    """Record the workflows just written (the cache only saves time)."""
    with contextlib.suppress(OSError):
        stats.save(directory(root), files, inputs, [])
