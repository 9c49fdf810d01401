"""A machine-local cache of loaded spec data, keyed by each file's bytes (loading's cost).

Reading YAML is most of what a run spends before its models. A file's plain data
depends on its bytes alone, so it is stored under their SHA-256 and read back when the
same bytes are loaded again: by the next `validate`, by `platform new`'s checks, by a
diff's base revision (mostly the same files as its head).

Where: ``$PLATFORM_CACHE_DIR`` (``off`` turns the cache off), else
``$XDG_CACHE_HOME/platform-compiler``, else ``~/.cache/platform-compiler``. Never inside
the repository: a cache that a pull request could commit would let it render data its
reviewers did not see. For the same reason the directory must be this user's alone: one
owned by another user, or that others may write to (a shared /tmp), is not used, and
the cache creates its directories for the user only (whoever can write entries decides
what is rendered). Entries are pickles read back by an unpickler that refuses every
class but the dates and times YAML has (plain data needs no other, so no code can run),
in a store named after what loading depends on (the loader's code, ruamel.yaml's and
Python's versions): a new compiler never reads an old one's entries; a store no
compiler has opened for 30 days is removed. Only documents that loaded without a
problem are stored; anything unreadable is a miss.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import pickle
import shutil
import stat
import sys
import tempfile
import time
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import generators

#: The environment variable naming the cache directory (``off``: no cache).
CACHE_ENV = "PLATFORM_CACHE_DIR"
#: The loader modules: a change to any of them changes what loading returns.
_LOADER = ("cache.py", "compose.py", "load.py", "located.py", "syntax.py")
#: The parser's distributions: a new version may read some YAML differently.
_PARSER = ("ruamel.yaml", "ruamel.yaml.clib")
#: A store no compiler opened for this long is removed (another version's, say).
_UNUSED = 30 * 86_400


#: The only classes an entry may name: what YAML timestamps load as.
_ALLOWED = {("datetime", c.__name__): c for c in (dt.date, dt.datetime, dt.timezone, dt.timedelta)}


class _Unpickler(pickle.Unpickler):
    """Plain data and dates only: any other class is refused (the entry is a miss)."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def directory() -> Path | None:
    """The cache's directory, or None when it is turned off."""
    chosen = os.environ.get(CACHE_ENV, "")
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home directory (a bare container): no cache
            return None
    return Path(base) / "platform-compiler"


@cache
def fingerprint() -> str:
    """What the stored data depends on besides a file's bytes: the loader's code."""
    digest = hashlib.sha256(f"{generators.__version__} {sys.version}".encode())
    for name in _PARSER:
        try:
            digest.update(f" {name} {metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f" {name} -".encode())
    here = Path(__file__).parent
    for name in _LOADER:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def _store() -> Path | None:
    top = directory()
    return None if top is None else _open(top)


@cache
def _open(top: Path) -> Path | None:
    """This compiler's store under ``top`` (once per process), or None if it is unsafe.

    Marks the store as used, and removes the stores no compiler has used for a while.
    """
    store = top / f"loads-{fingerprint()}"
    try:
        store.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not (_private(top) and _private(store)):
            return None
        os.utime(store)
        stale = time.time() - _UNUSED
        for old in top.glob("loads-*"):
            if old != store and old.is_dir() and old.stat().st_mtime < stale:
                shutil.rmtree(old, ignore_errors=True)
    except OSError:
        return None  # a cache that cannot be written is no cache: every load is a miss
    return store


def _private(path: Path) -> bool:
    """Whether ``path`` is this user's directory, which no one else may write to."""
    info = path.lstat()
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISDIR(info.st_mode) and mine and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def key(raw: bytes) -> str:
    """The store key of a file's bytes."""
    return hashlib.sha256(raw).hexdigest()


def get(digest: str) -> Any | None:
    """The data stored for ``digest``, or None (no entry, unreadable, turned off)."""
    store = _store()
    if store is None:
        return None
    try:
        blob = (store / digest[:2] / digest[2:]).read_bytes()
        stored, data = _Unpickler(io.BytesIO(blob)).load()
    except Exception:  # noqa: BLE001 - a missing or damaged entry is a miss, never an error
        return None
    return data if stored == digest else None


def put(digest: str, data: Any) -> None:
    """Store ``data`` for ``digest`` (atomically; a failure only costs the next load)."""
    store = _store()
    if store is None:
        return
    blob = pickle.dumps((digest, data), protocol=pickle.HIGHEST_PROTOCOL)
    folder = store / digest[:2]
    temporary = None
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(blob)
        os.replace(temporary, folder / digest[2:])
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
