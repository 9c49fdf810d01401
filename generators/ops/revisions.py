"""A service through git history: `platform history` and `platform rollback`.

History walks the commits once (pygit2) and compares blob and tree ids: the service's
spec file, and its app directory under ``rendered/<env>/`` in every environment.
Rollback restores the spec and the environments' image pins of a revision into the
working tree (round-trip edits: the environment files keep their comments), then
validates, renders and diffs against HEAD; a revision that does not validate is put
back as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pygit2

from generators.diagnostics import SpecErrors
from generators.diff.compare import Diff, compare
from generators.domain.layout import OUTPUT_DIR
from generators.errors import UsageError
from generators.ops import roundtrip
from generators.output.writer import render_to_disk
from generators.source import git

SERVICES = "platform/services"
ENVIRONMENTS = "environments"


@dataclass(frozen=True)
class Entry:
    """A commit that changed a service."""

    commit: str
    author: str
    date: dt.datetime
    summary: str
    spec: bool
    #: Environments whose rendered output of the service changed.
    rendered: tuple[str, ...]
    #: Promotions: (from, to, tag), where a pin became what another environment ran.
    promotions: tuple[tuple[str, str, str], ...] = ()

    #: The columns of :meth:`row`.
    HEADINGS: ClassVar[tuple[str, ...]] = ("COMMIT", "DATE", "AUTHOR", "CHANGED", "SUMMARY")

    def row(self) -> tuple[str, ...]:
        """The entry as a table row: short commit, day, author, what changed, subject."""
        parts = (["spec"] if self.spec else []) + (
            [f"rendered ({', '.join(self.rendered)})"] if self.rendered else []
        )
        parts += [f"promotion {a} → {b} ({tag})" for a, b, tag in self.promotions]
        return (
            self.commit[:12],
            f"{self.date:%Y-%m-%d}",
            self.author,
            ", ".join(parts),
            self.summary,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "commit": self.commit,
            "author": self.author,
            "date": self.date.isoformat(),
            "summary": self.summary,
            "spec": self.spec,
            "rendered": list(self.rendered),
            "promotions": [{"from": a, "to": b, "tag": t} for a, b, t in self.promotions],
        }


def history(root: Path, service: str, limit: int | None = None) -> list[Entry]:
    """The commits that changed ``service``'s spec or rendered output, newest first.

    Raises:
        UsageError: outside git.
    """
    repo, prefix = _open(root)
    spec = f"{prefix}{SERVICES}/{service}.yaml"
    rendered = f"{prefix}{OUTPUT_DIR}"
    found: list[Entry] = []
    walker = repo.walk(
        repo.head.target, pygit2.enums.SortMode.TOPOLOGICAL | pygit2.enums.SortMode.TIME
    )
    for commit in walker:
        parent = commit.parents[0] if commit.parents else None
        spec_changed = _id(commit, spec) != (_id(parent, spec) if parent else None)
        now, before = _apps(commit, rendered, service), _apps(parent, rendered, service)
        envs = tuple(sorted(e for e in now.keys() | before.keys() if now.get(e) != before.get(e)))
        if spec_changed or envs:
            found.append(
                Entry(
                    commit=str(commit.id),
                    author=commit.author.name,
                    date=dt.datetime.fromtimestamp(
                        commit.commit_time,
                        dt.timezone(dt.timedelta(minutes=commit.commit_time_offset)),
                    ),
                    summary=commit.message.splitlines()[0] if commit.message else "",
                    spec=spec_changed,
                    rendered=envs,
                    promotions=_promotions(repo, commit, parent, prefix, service),
                )
            )
            if limit is not None and len(found) >= limit:
                break
    return found


def _promotions(
    repo: pygit2.Repository,
    commit: pygit2.Commit,
    parent: pygit2.Commit | None,
    prefix: str,
    service: str,
) -> tuple[tuple[str, str, str], ...]:
    """Pins a commit set to what another environment already ran: promotions, as such."""
    now = dict(_pins(repo, commit, prefix, service))
    before = dict(_pins(repo, parent, prefix, service)) if parent is not None else {}
    out = []
    for env, pin in sorted(now.items()):
        if pin is None or before.get(env) == pin:
            continue
        sources = [o for o, p in sorted(now.items()) if o != env and p == pin == before.get(o)]
        if sources:
            out.append((_env_name(sources[0]), _env_name(env), pin))
    return tuple(out)


def _env_name(rel: str) -> str:
    return rel.removeprefix(f"{ENVIRONMENTS}/").removesuffix(".yaml")


def _open(root: Path) -> tuple[pygit2.Repository, str]:
    opened = git.open_repository(root)
    if opened is None:
        raise UsageError(message=f"{root} is not in a git repository", hint="run it in a clone")
    return opened


def _id(commit: pygit2.Commit | None, path: str) -> pygit2.Oid | None:
    if commit is None:
        return None
    try:
        return commit.tree[path].id
    except KeyError:
        return None


def _apps(commit: pygit2.Commit | None, rendered: str, service: str) -> dict[str, pygit2.Oid]:
    """Environment -> the tree id of ``rendered/<env>/<service>`` at ``commit``."""
    if commit is None:
        return {}
    try:
        top = commit.tree[rendered]
    except KeyError:
        return {}
    out: dict[str, pygit2.Oid] = {}
    if isinstance(top, pygit2.Tree):
        for env in top:
            if isinstance(env, pygit2.Tree) and not (env.name or "_").startswith("_"):
                try:
                    out[env.name or ""] = env[service].id
                except KeyError:
                    continue
    return out


@dataclass
class Rollback:
    """What a rollback restored, and the diff against HEAD it makes (None: nothing to do)."""

    revision: str
    restored: list[str] = field(default_factory=list)
    diff: Diff | None = None


def rollback(root: Path, service: str, revision: str) -> Rollback:
    """Restore ``service``'s spec and image pins as they were at ``revision``, then render.

    Returns:
        What was restored, and the diff of the result against HEAD (for the pull
        request), or no diff when the service already matches ``revision``.

    Raises:
        UsageError: outside git, for a revision not here, or a service it did not have.
        SpecErrors: when the restored service does not validate (everything is put back).
    """
    repo, prefix = _open(root)
    commit = git.resolve(repo, revision)
    rel = f"{SERVICES}/{service}.yaml"
    old = _blob(repo, commit, prefix + rel)
    if old is None:
        raise UsageError(
            message=f"{rel} does not exist at {revision} ({str(commit.id)[:12]})",
            hint=f"`platform history {service}` lists the commits that changed it",
        )
    saved: dict[Path, bytes | None] = {}
    result = Rollback(str(commit.id))

    def put(path: Path, data: bytes) -> None:
        if path not in saved:
            saved[path] = path.read_bytes() if path.exists() else None
        if saved[path] != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            roundtrip.write(path, data.decode("utf-8"))
            result.restored.append(path.relative_to(root).as_posix())

    put(root / rel, old)
    for env_rel, pin in _pins(repo, commit, prefix, service):
        path = root / env_rel
        if not path.exists():
            continue  # the environment is gone: nothing to pin
        data = roundtrip.load(path)
        spec = data.setdefault("spec", roundtrip.CommentedMap())
        images = spec.get("images")
        current = images.get(service) if images is not None else None
        if current == pin:
            continue
        if pin is None:
            del images[service]
            if not images:
                del spec["images"]
        else:
            roundtrip.set_in(data, ("spec", "images", service), pin)
        put(path, roundtrip.dump(data).encode())
    outcome = render_to_disk(root)
    if outcome.errors:
        for path, data in saved.items():  # loses nothing: the working tree as it was
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(data)
        raise SpecErrors(
            diagnostics=outcome.diagnostics,
            files=outcome.specs,
            root=root,
            message=f"Nothing was changed: {service} as of {result.revision[:12]} does not "
            "validate with today's platform (fix the errors above in a follow-up, or pick "
            "another REV).",
        )
    if result.restored:
        result.diff = compare(root, "HEAD")
    return result


def _blob(repo: pygit2.Repository, commit: pygit2.Commit, path: str) -> bytes | None:
    try:
        obj = repo.get(commit.tree[path].id)
    except KeyError:
        return None
    return obj.data if isinstance(obj, pygit2.Blob) else None


def _pins(
    repo: pygit2.Repository, commit: pygit2.Commit, prefix: str, service: str
) -> Iterator[tuple[str, str | None]]:
    """(environment file, the service's image pin at ``commit`` or None) per environment."""
    try:
        envs = commit.tree[prefix + ENVIRONMENTS]
    except KeyError:
        return
    if not isinstance(envs, pygit2.Tree):
        return
    for entry in envs:
        name = entry.name or ""
        if not name.endswith(".yaml"):
            continue
        data = _blob(repo, commit, f"{prefix}{ENVIRONMENTS}/{name}")
        parsed = roundtrip.parse(data.decode("utf-8")) if data is not None else None
        spec = parsed.get("spec") if isinstance(parsed, dict) else None
        images = spec.get("images") if isinstance(spec, dict) else None
        pin = images.get(service) if isinstance(images, dict) else None
        yield f"{ENVIRONMENTS}/{name}", str(pin) if pin is not None else None
