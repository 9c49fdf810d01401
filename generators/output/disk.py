"""Putting bytes on disk: many new files a few threads at once, one file atomically."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

#: Threads that create the staged files: creating a file or directory waits on the
#: disk far longer than it uses a core, so a few at once finish sooner (measured: 3,000
#: files in 0.31 s with four, 0.53 s with one).
WRITE_THREADS = 4


def write_files(root: Path, directories: Mapping[str, list[tuple[str, bytes]]]) -> None:
    """Create each directory under ``root`` with its files, a few directories at once."""

    def fill(directory: str) -> None:
        base = f"{root}/{directory}" if directory else str(root)
        os.makedirs(base, exist_ok=True)  # safe when two threads make a parent at once
        for name, content in directories[directory]:
            create(f"{base}/{name}", content)

    if len(directories) < 2 * WRITE_THREADS:
        for directory in directories:
            fill(directory)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(WRITE_THREADS) as pool:
        for _ in pool.map(fill, sorted(directories)):  # re-raises the first error
            pass


def create(path: str, content: bytes) -> None:
    """Write one new file (every staged file goes through here)."""
    with open(path, "wb") as handle:
        handle.write(content)


def atomic_write(path: Path, content: bytes) -> None:
    """Replace ``path`` with ``content`` in one rename, after the bytes are on disk."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
