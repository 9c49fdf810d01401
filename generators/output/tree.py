"""The output tree: built in memory, compared with the disk, written atomically.

Ownership: the compiler owns every file it lists in ``<out>/.platform-manifest`` and
every file inside the app directories it renders (``<env>/<app>/``). It removes stale
files it owns and never touches anything else under the output directory. A directory
it shares with files people write (``.github/workflows/``) is written *exclusively*:
there it owns only the files its manifest lists, refuses to replace any other file,
and keeps no manifest while it has nothing to write.

Atomicity: changed files are first written to ``<out>/.platform-staging/``; only when
all of them are on disk does a journal (``<out>/.platform-journal``) record the moves
and deletions, which are then carried out as renames. An error before that point
leaves the previous tree untouched; an interruption during the renames is finished by
the next run, which replays the journal first.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generators.errors import UsageError
from generators.output import disk

MANIFEST = ".platform-manifest"
STAGING = ".platform-staging"
JOURNAL = ".platform-journal"


@dataclass(frozen=True)
class Drift:
    """How the disk differs from the rendered tree, per relative path."""

    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    differing: tuple[str, ...] = ()
    #: Files in the way that the compiler did not write (exclusive directories only).
    conflicting: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.differing or self.conflicting)


@dataclass
class StatCache:
    """What the last write left on disk: each file's size, mtime and content hash.

    Kept outside the committed tree (``.platform-cache/``), so a file whose size and
    mtime still match need not be read to be compared, and a render whose inputs did
    not change since the last one need not run at all.
    """

    path: Path
    inputs: str = ""
    #: The diagnostics (warnings) of the cached render, as plain data.
    report: list[dict[str, object]] = field(default_factory=list)
    files: dict[str, tuple[int, int, str]] | None = None

    @classmethod
    def load(cls, path: Path) -> StatCache:
        """The cache at ``path``, or an empty one if it is missing or unreadable."""
        try:
            data = json.loads(path.read_text())
            files = {rel: (int(s), int(m), str(h)) for rel, (s, m, h) in data["files"].items()}
            return cls(path, str(data["inputs"]), list(data["report"]), files)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls(path, files={})  # a damaged cache is an empty one

    def unchanged(self, out: Path, rel: str) -> str | None:
        """The content hash of ``out/rel`` if its size and mtime match the cache."""
        entry = (self.files or {}).get(rel)
        if entry is None:
            return None
        try:
            stat = os.stat(f"{out}/{rel}")  # a string path: thousands per render
        except OSError:
            return None
        return entry[2] if (stat.st_size, stat.st_mtime_ns) == entry[:2] else None

    def fresh(self, out: Path, inputs: str, *, exclusive: bool = False) -> bool:
        """Whether the inputs are those of the last write and its files are untouched."""
        if self.files is None or inputs != self.inputs or (out / JOURNAL).exists():
            return False  # another render's inputs, or an unfinished write
        if exclusive:
            # Only the manifest says what is owned: it must list exactly these files.
            if set(_read_manifest(out)) != self.files.keys():
                return False
        elif not self.files or not (out / MANIFEST).is_file():
            return False  # a lost manifest: render for real
        if any(self.unchanged(out, rel) is None for rel in self.files):
            return False
        # A file added by hand to an app directory would be removed by a render.
        return exclusive or _owned(out, dict.fromkeys(self.files, b"")) <= self.files.keys()

    def save(
        self, out: Path, tree: Mapping[str, bytes], inputs: str, report: list[dict[str, object]]
    ) -> None:
        """Record the tree just written (only a complete, unscoped render is cached)."""
        files = {}
        for rel, content in tree.items():
            stat = (out / rel).stat()
            files[rel] = (stat.st_size, stat.st_mtime_ns, _digest(content))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ignore = self.path.parent / ".gitignore"
        if not ignore.exists():  # machine-local: keep it out of every repository
            ignore.write_text("*\n")
        payload = {"inputs": inputs, "report": report, "files": files}
        disk.atomic_write(self.path, json.dumps(payload, sort_keys=True).encode())
        self.inputs, self.report, self.files = inputs, report, files


def compare(
    out: Path,
    tree: Mapping[str, bytes],
    scope: Iterable[str] = (),
    cache: StatCache | None = None,
    *,
    exclusive: bool = False,
) -> Drift:
    """Compare the tree with ``out``; ``scope`` limits it to path prefixes (``--env``).

    With ``exclusive``, only the files the manifest lists are the compiler's: another
    file at a path of the tree is *conflicting* unless it holds exactly that content
    (then the compiler adopts it), and an empty tree wants no manifest at all.
    """
    prefixes = tuple(scope)
    listed = set(_read_manifest(out))
    owned = listed if exclusive else _owned(out, tree)
    owned = {p for p in owned if not prefixes or p.startswith(prefixes)}
    missing: list[str] = []
    differing: list[str] = []
    conflicting: list[str] = []
    present: dict[str, set[str]] = {}  # one directory listing instead of a miss per file
    for rel, content in tree.items():
        directory, _, name = rel.rpartition("/")
        if directory not in present:
            present[directory] = _listing(out / directory)
        if name not in present[directory]:
            missing.append(rel)
            continue
        known = cache.unchanged(out, rel) if cache is not None else None
        if known is not None:
            if known != _digest(content):
                differing.append(rel)
        elif (out / rel).read_bytes() != content:
            (conflicting if exclusive and rel not in listed else differing).append(rel)
    extra = sorted(p for p in owned - tree.keys() if (out / p).is_file())
    try:
        manifest: str | None = (out / MANIFEST).read_text()
    except (FileNotFoundError, NotADirectoryError):
        manifest = None
    wanted = None if exclusive and not tree else _manifest_text(out, tree, scope)
    if manifest != wanted:
        # The manifest says what the compiler owns: a stale one would leave files behind.
        if wanted is None:
            extra.append(MANIFEST)
        else:
            (missing if manifest is None else differing).append(MANIFEST)
    return Drift(tuple(missing), tuple(extra), tuple(differing), tuple(conflicting))


def write(
    out: Path,
    tree: Mapping[str, bytes],
    scope: Iterable[str] = (),
    cache: StatCache | None = None,
    lock: Path | None = None,
    *,
    exclusive: bool = False,
    label: str | None = None,
) -> Drift:
    """Make ``out`` hold exactly the tree (within ``scope``), atomically.

    Args:
        out: the output directory.
        tree: ``{relative path: bytes}``.
        scope: path prefixes this write covers (``--env``); empty for everything.
        cache: the stat cache, to compare without reading unchanged files.
        lock: the lock file, outside ``out`` (default ``.<out>.lock`` beside it).
        exclusive: own only the files the manifest lists (see :func:`compare`).
        label: how messages name ``out`` (default its name).

    Returns:
        What changed: files added, removed and rewritten.

    Raises:
        UsageError: a path leads outside ``out``, or (``exclusive``) a file the
            compiler did not write is in the way; nothing is written then.
    """
    if tree or not exclusive:
        out.mkdir(parents=True, exist_ok=True)  # what is in the way fails before the lock
    with locked(lock or out.with_name(f".{out.name}.lock")):
        return write_locked(out, tree, scope, cache, exclusive=exclusive, label=label)


def write_locked(
    out: Path,
    tree: Mapping[str, bytes],
    scope: Iterable[str] = (),
    cache: StatCache | None = None,
    *,
    exclusive: bool = False,
    label: str | None = None,
) -> Drift:
    """:func:`write`, for a caller that holds the lock (several directories, one lock)."""
    name = label or out.name
    if exclusive and not tree and not out.is_dir():
        return Drift()  # nothing to write, nothing owned: create no directory
    out.mkdir(parents=True, exist_ok=True)
    replay(out)
    drift = compare(out, tree, scope, cache, exclusive=exclusive)
    if not drift:
        return drift
    if drift.conflicting:
        raise UsageError(
            message=f"{name}/{drift.conflicting[0]} exists, and `platform render` did not "
            "write it: it will not replace it",
            hint="move or rename that file (or rename the service), then render again",
        )
    confined = _confinement(out)
    for rel in (*drift.missing, *drift.differing, *drift.extra):
        if not confined(rel):
            raise UsageError(
                message=f"{name}/{rel} leads outside {name}/ (through a symlink?)",
                hint="replace the symlink with a plain directory; the compiler writes only "
                f"inside {name}/",
            )
    staging = out / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    moves: list[tuple[str, str]] = []
    try:
        staging.mkdir()
        # A top-level directory that does not exist yet (a first render, a new
        # environment) is staged whole and moved with one rename.
        new_tops = {rel.split("/", 1)[0] for rel in drift.missing if "/" in rel} - set(
            _listing(out)
        )
        staged: dict[str, list[tuple[str, bytes]]] = {}  # {directory: [(name, bytes)]}
        for rel in drift.missing:
            if rel.split("/", 1)[0] in new_tops:
                directory, _, name = f"tree/{rel}".rpartition("/")
                staged.setdefault(directory, []).append((name, tree[rel]))
        moves += [(f"tree/{top}", top) for top in sorted(new_tops)]
        single = [
            rel
            for rel in (*drift.missing, *drift.differing)
            if rel.split("/", 1)[0] not in new_tops and rel != MANIFEST
        ]
        for index, rel in enumerate(single):
            staged.setdefault("", []).append((f"{index:08d}", tree[rel]))
            moves.append((f"{index:08d}", rel))
        disk.write_files(staging, staged)
        if MANIFEST not in drift.extra:
            (staging / MANIFEST).write_text(_manifest_text(out, tree, scope))
            moves.append((MANIFEST, MANIFEST))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    journal = {"moves": moves, "deletes": list(drift.extra)}
    disk.atomic_write(out / JOURNAL, json.dumps(journal, indent=0).encode())
    replay(out)
    return drift


def replay(out: Path) -> None:
    """Finish an interrupted write: carry out the journal's renames and deletions."""
    journal_path = out / JOURNAL
    if not journal_path.exists():
        shutil.rmtree(out / STAGING, ignore_errors=True)
        return
    journal = json.loads(journal_path.read_text())
    staging = out / STAGING
    for staged, rel in journal["moves"]:
        source = staging / staged
        if source.exists():  # already moved by an earlier, interrupted replay otherwise
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    confined = _confinement(out)
    for rel in journal["deletes"]:
        if not confined(rel):
            continue
        path = out / rel
        path.unlink(missing_ok=True)
        _prune_empty_dirs(out, path.parent)
    journal_path.unlink()
    shutil.rmtree(staging, ignore_errors=True)


def _listing(directory: Path) -> set[str]:
    try:
        return set(os.listdir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return set()


def _owned(out: Path, tree: Mapping[str, bytes]) -> set[str]:
    owned = set(_read_manifest(out))
    app_dirs = {rel.rsplit("/", 1)[0] for rel in tree}
    for directory in app_dirs:
        try:
            entries = os.scandir(f"{out}/{directory}")
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            owned |= {
                f"{directory}/{entry.name}"
                for entry in entries
                if not entry.name.startswith(".") and entry.is_file()
            }
    return owned


def _read_manifest(out: Path) -> list[str]:
    try:
        lines = (out / MANIFEST).read_text().splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return []
    # The manifest is committed, so it is input too: only plain paths inside the tree.
    return [line for line in lines if line and not line.startswith("#") and _plain(line)]


def _plain(rel: str) -> bool:
    parts = rel.split("/")
    return not rel.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def _confinement(out: Path) -> Callable[[str], bool]:
    """Whether ``out/rel`` is a plain relative path that stays inside ``out``.

    Each directory is resolved once, not once per file (thousands per render); a file
    is resolved on its own only when it is a symlink.
    """
    root = out.resolve()
    inside: dict[str, bool] = {}

    def confined(rel: str) -> bool:
        if not _plain(rel):
            return False
        directory = rel.rpartition("/")[0]
        if directory not in inside:
            inside[directory] = (out / directory).resolve().is_relative_to(root)
        path = f"{out}/{rel}"
        if inside[directory] and os.path.islink(path):
            return Path(path).resolve().is_relative_to(root)
        return inside[directory]

    return confined


@contextmanager
def locked(lock: Path) -> Iterator[None]:
    """One writer at a time: a second render waits for the first to finish."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks
        yield
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _manifest_text(out: Path, tree: Mapping[str, bytes], scope: Iterable[str]) -> str:
    prefixes = tuple(scope)
    kept = [p for p in _read_manifest(out) if prefixes and not p.startswith(prefixes)]
    lines = sorted({*kept, *tree})
    header = "# Files written by `platform render`; it removes them when they go stale.\n"
    return header + "".join(f"{line}\n" for line in lines)


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _prune_empty_dirs(out: Path, directory: Path) -> None:
    while (
        directory != out
        and directory.is_relative_to(out)
        and directory.is_dir()
        and not any(directory.iterdir())
    ):
        directory.rmdir()
        directory = directory.parent
