"""A rendered skeleton on disk: into a new directory, or a new git repository with a commit."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pygit2

from generators.errors import UsageError

#: Who makes the first commit when the caller names no one.
DEFAULT_AUTHOR = ("platform new", "platform@localhost")


def write_directory(target: Path, files: Mapping[str, bytes]) -> list[str]:
    """Write ``files`` into ``target``, which must not exist or be empty; all or nothing.

    The files are written into a sibling temporary directory first, then moved into
    place: an interrupted write leaves no half skeleton.

    Raises:
        UsageError: ``target`` holds files, or a path would leave it.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(
            message=f"{target} exists and is not empty",
            hint="choose a new directory for the service's code",
        )
    for rel in files:
        if rel.startswith("/") or ".." in Path(rel).parts:
            raise UsageError(message=f"the skeleton path {rel!r} leaves the directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for rel, content in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(files)


def write_repository(
    target: Path,
    files: Mapping[str, bytes],
    *,
    message: str,
    author: pygit2.Signature | None = None,
    committer: pygit2.Signature | None = None,
    branch: str = "main",
) -> str:
    """Write ``files`` into a new git repository at ``target`` with one commit; its id.

    ``author`` and ``committer`` default to :data:`DEFAULT_AUTHOR` now; tests pin both
    (name, email, time and offset), so the commit id is reproducible.
    """
    write_directory(target, files)
    repo = pygit2.init_repository(str(target), initial_head=branch)
    index = repo.index
    for rel in sorted(files):
        index.add(rel)
    index.write()
    tree = index.write_tree()
    who = author or pygit2.Signature(*DEFAULT_AUTHOR)
    oid = repo.create_commit(f"refs/heads/{branch}", who, committer or who, message, tree, [])
    return str(oid)
