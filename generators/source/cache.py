"""A machine-local cache of loaded spec data, keyed by each file's bytes (loading's cost).

Reading YAML is most of what a run spends before its models. A file's plain data
depends on its bytes alone, so it is stored under their SHA-256 and read back when the
same bytes are loaded again: by the next `validate`, by `platform new`'s checks, by a
diff's base revision (mostly the same files as its head).

Where: ``$PLATFORM_CACHE_DIR`` (``off`` turns the cache off), else
``$XDG_CACHE_HOME/platform-compiler``, else ``~/.cache/platform-compiler``. Never inside
the repository: a cache that a pull request could commit would let it render data its
reviewers did not see. Entries are pickles read back by an unpickler that refuses every
class but the dates and times YAML has (plain data needs no other, and so no code can
run), in a directory named after the compiler's loader code and the Python version: a
new compiler never reads an old one's entries (and removes them). Only documents that
loaded without a problem are stored; anything unreadable is a miss.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import pickle
import shutil
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import generators

#: The environment variable naming the cache directory (``off``: no cache).
CACHE_ENV = "PLATFORM_CACHE_DIR"
#: The loader modules: a change to any of them changes what loading returns.
_LOADER = ("cache.py", "compose.py", "load.py", "located.py", "syntax.py")


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
    here = Path(__file__).parent
    for name in _LOADER:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def _store() -> Path | None:
    top = directory()
    if top is None:
        return None
    store = top / f"loads-{fingerprint()}"
    if not store.is_dir():
        _start(top, store)
    return store


def _start(top: Path, store: Path) -> None:
    """Create the store; remove the stores of other compilers (they are never read)."""
    try:
        store.mkdir(parents=True, exist_ok=True)
        for old in top.glob("loads-*"):
            if old != store and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass  # a cache that cannot be written is no cache: every load is a miss


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
        folder.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(blob)
        os.replace(temporary, folder / digest[2:])
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
