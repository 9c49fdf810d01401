"""`platform hydrate`: commit an environment's rendered tree into a branch, with pygit2.

The source is a commit (default HEAD), compiled from git's object database like a
diff's base, so what is committed is exactly what that commit renders, and the
working tree, the index and HEAD are never touched. The branch holds
``<env>/<app>/manifests.yaml`` (the layout Argo CD's Applications sync when the
environment sets ``gitops.hydrateBranch``) and, at its root, ``hydrator.metadata`` and
``README.md``: provenance in files no Application reads (Argo CD's directory apps load
`.yaml`, `.yml` and `.json` files, and only below ``<env>/<app>``).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pygit2

from generators import __version__
from generators.diagnostics.suggest import did_you_mean
from generators.errors import UsageError
from generators.pipeline import render_platform
from generators.source import git
from generators.source.discover import SOURCE_TOPS

METADATA = "hydrator.metadata"
README = "README.md"


@dataclass(frozen=True)
class Hydrated:
    """What one environment's hydration did."""

    environment: str
    branch: str
    source: str
    #: The new commit, or None when the branch already held this tree.
    commit: str | None
    files: int

    def summary(self) -> str:
        """One line: what was committed, or that the branch is up to date."""
        if self.commit is None:
            return f"{self.branch}: {self.environment} is up to date with {self.source[:12]}"
        return (
            f"{self.branch}: committed {self.commit[:12]} ({self.environment} from "
            f"{self.source[:12]}, {self.files} files)"
        )


def hydrate(
    root: Path, environments: tuple[str, ...] = (), branch: str | None = None, source: str = "HEAD"
) -> list[Hydrated]:
    """Hydrate the environments named (default: every one with ``gitops.hydrateBranch``).

    Raises:
        UsageError: outside git, for an unknown environment or revision, a missing or
            checked-out branch.
        SpecErrors: when the source commit's specs have errors.
    """
    opened = git.open_repository(root)
    if opened is None:
        raise UsageError(message=f"{root} is not in a git repository", hint="run it in a clone")
    repo, prefix = opened
    commit = git.resolve(repo, source)
    with tempfile.TemporaryDirectory(prefix="platform-hydrate-") as tmp:
        git.export(repo, commit, prefix, SOURCE_TOPS, Path(tmp))
        rendering = render_platform(Path(tmp), prefix=prefix)
    rendering.validation.require_valid(
        f"Nothing was committed: the specs at {source} have errors.", shown_at=root
    )
    platform = rendering.validation.platform
    known = sorted(platform.environments)
    targets: list[tuple[str, str, str]] = []
    for env in environments or known:
        if env not in platform.environments:
            raise UsageError(
                message=f"unknown environment {env!r}",
                hint=did_you_mean(env, known, what="environments"),
            )
        gitops = platform.environments[env][1].spec.gitops
        configured = gitops.hydrateBranch if gitops is not None else None
        chosen = branch or configured
        if chosen is None:
            if environments:
                raise UsageError(
                    message=f"environment {env!r} has no `gitops.hydrateBranch`",
                    hint="pass --branch NAME, or set it in environments/" + env + ".yaml",
                )
            continue
        targets.append((env, chosen, gitops.repoURL if gitops is not None else ""))
    if not targets:
        raise UsageError(
            message="no environment sets `gitops.hydrateBranch`",
            hint="name one with --env ENV --branch NAME",
        )
    return [_commit(repo, commit, env, name, url, rendering.tree) for env, name, url in targets]


def _commit(
    repo: pygit2.Repository,
    source: pygit2.Commit,
    env: str,
    branch: str,
    url: str,
    tree: Mapping[str, bytes],
) -> Hydrated:
    ref = f"refs/heads/{branch}"
    if not pygit2.reference_is_valid_name(ref):
        raise UsageError(
            message=f"{branch!r} is not a valid branch name", hint="e.g. hydrated/production"
        )
    if not repo.head_is_detached and repo.head.name == ref:
        raise UsageError(
            message=f"{branch!r} is checked out here; hydrating it would leave the working "
            "tree behind",
            hint="check out another branch first (hydrate never touches the working tree)",
        )
    files = {path: data for path, data in tree.items() if path.startswith(f"{env}/")}
    sha = str(source.id)
    metadata = {
        "repoURL": url,  # the environment's gitops.repoURL: the same from every clone
        "drySha": sha,
        "environment": env,
        "compiler": f"platform {__version__}",
        "commands": [f"platform hydrate --env {env} --branch {branch} --source {sha[:12]}"],
        "author": f"{source.author.name} <{source.author.email}>",
        "subject": source.message.splitlines()[0] if source.message else "",
    }
    files[METADATA] = (json.dumps(metadata, indent=2) + "\n").encode()
    files[README] = _readme(env, sha, branch).encode()
    new_tree = _tree(repo, files)
    # The branch's tip here, else where the clone last saw it on origin (a CI checkout
    # has remote-tracking branches only): the new commit goes on top, never beside.
    parent = None
    for name in (ref, f"refs/remotes/origin/{branch}"):
        if name in repo.references:
            parent = repo.references[name].peel(pygit2.Commit)
            break
    if parent is not None and parent.tree.id == new_tree:
        return Hydrated(env, branch, sha, None, len(files))
    # The source commit's committer and time: the same source hydrates identically.
    who = pygit2.Signature(
        source.committer.name, source.committer.email, source.committer.time,
        source.committer.offset,
    )  # fmt: skip
    message = (
        f"Hydrate {env} from {sha[:12]}\n\n"
        f"Source: {sha}\nCompiler: platform {__version__}\n"
        f"Subject: {metadata['subject']}\n"
    )
    parents = [parent.id] if parent is not None else []
    new = repo.create_commit(ref, who, who, message, new_tree, parents)
    return Hydrated(env, branch, sha, str(new), len(files))


def _tree(repo: pygit2.Repository, files: dict[str, bytes]) -> pygit2.Oid:
    """A tree of ``files`` built from blobs (no index, no working tree)."""
    nested: dict[str, object] = {}
    for path, data in files.items():
        node = nested
        *dirs, name = path.split("/")
        for part in dirs:
            node = node.setdefault(part, {})  # type: ignore[assignment]
        node[name] = data
    return _build(repo, nested)


def _build(repo: pygit2.Repository, node: dict[str, object]) -> pygit2.Oid:
    builder = repo.TreeBuilder()
    for name in sorted(node):
        value = node[name]
        if isinstance(value, dict):
            builder.insert(name, _build(repo, value), pygit2.enums.FileMode.TREE)
        else:
            assert isinstance(value, bytes)
            builder.insert(name, repo.create_blob(value), pygit2.enums.FileMode.BLOB)
    return builder.write()


def _readme(env: str, sha: str, branch: str) -> str:
    return (
        f"# Hydrated manifests: {env}\n\n"
        f"Rendered by `platform` from commit `{sha}` of the platform repository; do not\n"
        f"edit: the next `platform hydrate` replaces this branch's tree. Argo CD syncs\n"
        f"`{env}/<app>/` from `{branch}`. To reproduce:\n\n"
        f"```sh\ngit checkout {sha}\nplatform render --env {env}\n```\n"
    )
