"""Which files of a platform are specs, where it sits in its repository, and loading them all."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from generators import workers
from generators.diagnostics import Diagnostic
from generators.source.located import SourceDoc

#: Where spec files live, relative to the platform root.
SPEC_DIRS = ("platform", "environments", "templates/integrations")
SPEC_SUFFIXES = (".yaml", ".yml")
#: The top directories a revision of the platform needs (the spec directories' first parts).
SOURCE_TOPS = tuple(sorted({top.split("/")[0] for top in SPEC_DIRS}))
#: Below this many files, reading in one process is faster than starting workers.
PARALLEL_FROM = 200


def discover(root: Path) -> list[str]:
    """List spec files under ``root`` as sorted POSIX paths relative to it.

    Hidden files and directories are skipped, and so are symlinks that lead outside
    the root (a spec must be part of the repository to be reviewed).
    """
    found: list[str] = []
    resolved_root = root.resolve()
    for top in SPEC_DIRS:
        base = root / top
        if not base.is_dir():
            continue
        # Directory symlinks are not followed (as Path.rglob does not), so a file leads
        # outside the root only if it is a symlink, or the top directory is one.
        inside = base.resolve().is_relative_to(resolved_root)
        todo = [(str(base), top)]
        while todo:
            directory, rel_dir = todo.pop()
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    rel = f"{rel_dir}/{entry.name}"
                    if entry.is_dir(follow_symlinks=False):
                        todo.append((entry.path, rel))
                    elif _spec_file(entry, inside, resolved_root):
                        found.append(rel)
    return sorted(found)


def _spec_file(entry: os.DirEntry[str], inside: bool, root: Path) -> bool:
    """Whether a directory entry is a spec file: YAML, a file, and within the root."""
    if os.path.splitext(entry.name)[1].lower() not in SPEC_SUFFIXES or not entry.is_file():
        return False
    return Path(entry.path).resolve().is_relative_to(root) if entry.is_symlink() else inside


def load_all(root: Path, files: Sequence[str]) -> list[tuple[SourceDoc | None, list[Diagnostic]]]:
    """Load every file: from the cache where its bytes loaded before, else from its YAML.

    Files are independent and loading is most of a validation: many files not in the
    cache (generators/source/cache.py) are read in worker processes. Workers are forked
    (generators/workers.py), so they start in milliseconds with the compiler loaded;
    they return plain located data, and the models are built here.
    """
    from generators.source.load import load_cached, load_file  # ruamel: only to load

    found: dict[str, tuple[SourceDoc | None, list[Diagnostic]]] = {}
    for rel in files:
        if (doc := load_cached(root, rel)) is not None:
            found[rel] = (doc, [])
    missing = [rel for rel in files if rel not in found]
    loaded = None
    if len(missing) >= PARALLEL_FROM and workers.cores() > 1:
        loaded = workers.fork_map(load_file, root, missing, processes=4, chunksize=64)
    if loaded is None:
        loaded = [load_file(root, rel) for rel in missing]
    found.update(zip(missing, loaded, strict=True))
    return [found[rel] for rel in files]


def repository_root(root: Path) -> Path:
    """The top of the git repository holding ``root`` (``root`` itself outside one)."""
    resolved = root.resolve()
    for candidate in (resolved, *resolved.parents):
        if (candidate / ".git").exists():
            return candidate
    return resolved


def repository_path(root: Path) -> str:
    """``root`` relative to its git repository, with a trailing slash (``""`` at the top).

    Argo CD's source paths and a workflow's paths are relative to the repository, not
    to the platform root.
    """
    relative = root.resolve().relative_to(repository_root(root)).as_posix()
    return "" if relative == "." else relative + "/"
