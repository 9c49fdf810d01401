"""`platform hydrate`, `history` and `rollback` on real git repositories (pinned time)."""

from __future__ import annotations

import json
from pathlib import Path

import pygit2
import pytest

from tests import gitrepo
from tests.conftest import copy_base, invoke

HYDRATE = ("--env", "dev", "--branch", "hydrated/dev")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The base platform rendered and committed (day 0), the worker bumped (day 1)."""
    root = copy_base(tmp_path / "repo")
    repository = gitrepo.init(root)
    (root / ".gitignore").write_text(".platform-cache/\n")
    assert invoke("render", "--root", str(root)).exit_code == 0
    gitrepo.commit(repository, "Base platform")
    worker = root / "platform/services/worker.yaml"
    worker.write_text(worker.read_text().replace("worker:1.2.3", "worker:1.3.0"))
    assert invoke("render", "--root", str(root)).exit_code == 0
    gitrepo.commit(repository, "Bump the worker to 1.3.0", day=1)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.parts
    }


def test_hydrate_commits_the_environment_into_a_branch_without_touching_the_work(
    repo: Path,
) -> None:
    git = pygit2.Repository(str(repo))
    head, before = git.head.target, snapshot(repo)
    done = invoke("hydrate", "--root", str(repo), *HYDRATE)
    assert done.exit_code == 0, done.stdout + done.stderr
    assert "hydrated/dev: committed" in done.stdout
    commit = git.references["refs/heads/hydrated/dev"].peel(pygit2.Commit)
    files = sorted(_paths(commit.tree))
    assert "README.md" in files
    assert "hydrator.metadata" in files
    assert "dev/worker/manifests.yaml" in files
    assert not any(f.startswith(("production/", "_argocd/")) for f in files)
    # The branch holds exactly what `render` wrote for dev.
    for path in files:
        if path.startswith("dev/"):
            assert git.get(commit.tree[path].id).data == (repo / "rendered" / path).read_bytes()
    metadata = json.loads(git.get(commit.tree["hydrator.metadata"].id).data)
    assert metadata["drySha"] == str(head)
    assert metadata["compiler"].startswith("platform ")
    assert f"Source: {head}" in commit.message
    assert commit.message.startswith(f"Hydrate dev from {str(head)[:12]}")
    # Untouched: HEAD, the index, the working tree.
    assert git.head.target == head
    assert not git.status()
    assert snapshot(repo) == before


def test_hydrate_is_idempotent_and_commits_only_changes(repo: Path) -> None:
    git = pygit2.Repository(str(repo))
    assert invoke("hydrate", "--root", str(repo), *HYDRATE).exit_code == 0
    first = git.references["refs/heads/hydrated/dev"].target
    again = invoke("hydrate", "--root", str(repo), *HYDRATE)
    assert again.exit_code == 0
    assert "is up to date" in again.stdout
    assert git.references["refs/heads/hydrated/dev"].target == first
    # A new source commit that changes dev's output: one more commit on the branch.
    worker = repo / "platform/services/worker.yaml"
    worker.write_text(worker.read_text().replace("worker:1.3.0", "worker:1.4.0"))
    gitrepo.commit(git, "Bump the worker to 1.4.0", day=2)
    assert invoke("hydrate", "--root", str(repo), *HYDRATE).exit_code == 0
    second = git.references["refs/heads/hydrated/dev"].peel(pygit2.Commit)
    assert second.parents[0].id == first
    # Hydrating an older source again goes back (a new commit, same tree as the first).
    assert invoke("hydrate", "--root", str(repo), *HYDRATE, "--source", "HEAD~1").exit_code == 0
    third = git.references["refs/heads/hydrated/dev"].peel(pygit2.Commit)
    assert third.tree.id == git.get(first).peel(pygit2.Commit).tree.id


def test_hydrate_in_a_ci_clone_builds_on_the_remote_branch(repo: Path, tmp_path: Path) -> None:
    assert invoke("hydrate", "--root", str(repo), *HYDRATE).exit_code == 0
    origin = pygit2.Repository(str(repo)).references["refs/heads/hydrated/dev"].target
    clone = pygit2.clone_repository(str(repo), str(tmp_path / "clone"))
    assert "refs/heads/hydrated/dev" not in clone.references  # remote-tracking only
    done = invoke("hydrate", "--root", str(tmp_path / "clone"), *HYDRATE)
    assert "is up to date" in done.stdout
    worker = tmp_path / "clone/platform/services/worker.yaml"
    worker.write_text(worker.read_text().replace("worker:1.3.0", "worker:1.5.0"))
    gitrepo.commit(clone, "Bump the worker to 1.5.0", day=3)
    assert "committed" in invoke("hydrate", "--root", str(tmp_path / "clone"), *HYDRATE).stdout
    tip = clone.references["refs/heads/hydrated/dev"].peel(pygit2.Commit)
    assert tip.parents[0].id == origin  # a fast-forward for `git push`


def test_hydrate_refuses_the_checked_out_branch_and_invalid_sources(repo: Path) -> None:
    done = invoke("hydrate", "--root", str(repo), "--env", "dev", "--branch", "main")
    assert done.exit_code == 3
    assert "is checked out here" in done.stderr
    done = invoke("hydrate", "--root", str(repo), "--env", "dev")
    assert done.exit_code == 3
    assert "has no `gitops.hydrateBranch`" in done.stderr
    worker = repo / "platform/services/worker.yaml"
    worker.write_text(worker.read_text().replace("team: shop", "team: shp"))
    gitrepo.commit(pygit2.Repository(str(repo)), "Break it", day=2)
    done = invoke("hydrate", "--root", str(repo), *HYDRATE)
    assert done.exit_code == 1
    assert "error[PL301]" in done.stdout
    assert "Nothing was committed" in done.stdout


def _paths(tree: pygit2.Tree, prefix: str = "") -> list[str]:
    out = []
    for entry in tree:
        if isinstance(entry, pygit2.Tree):
            out += _paths(entry, f"{prefix}{entry.name}/")
        else:
            out.append(f"{prefix}{entry.name}")
    return out


def test_history_lists_the_commits_that_changed_a_service(repo: Path) -> None:
    git = pygit2.Repository(str(repo))
    (repo / "README.md").write_text("unrelated\n")
    gitrepo.commit(git, "Unrelated change", day=2)
    done = invoke("history", "worker", "--root", str(repo), "--format", "json")
    assert done.exit_code == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [r["summary"] for r in rows] == ["Bump the worker to 1.3.0", "Base platform"]
    assert rows[0]["spec"] is True
    assert rows[0]["rendered"] == ["dev"]
    assert rows[0]["author"] == "Ada Admin"
    assert rows[0]["date"] == "2026-09-22T14:13:20+00:00"
    table = invoke("history", "worker", "--root", str(repo), "--limit", "1").stdout
    assert table.splitlines()[0].split() == ["COMMIT", "DATE", "AUTHOR", "CHANGED", "SUMMARY"]
    assert "2026-09-22" in table
    assert "spec, rendered (dev)" in table
    assert "Base platform" not in table


def test_rollback_restores_spec_and_pins_renders_and_prints_the_diff(repo: Path) -> None:
    git = pygit2.Repository(str(repo))
    production = repo / "environments/production.yaml"
    text = production.read_text()
    assert "images:" in text
    # Day 2: the API moves on (spec and production pin); then roll it back to day 1.
    api = repo / "platform/services/api.yaml"
    api.write_text(api.read_text().replace("cpu: 100m", "cpu: 300m"))
    pinned = text.split("images:")[1].splitlines()[1]
    production.write_text(text.replace(pinned, pinned.rsplit(":", 1)[0] + ': "9.9.9"'))
    assert invoke("render", "--root", str(repo)).exit_code == 0
    gitrepo.commit(git, "Move the API on", day=2)
    done = invoke("rollback", "api", "--root", str(repo), "--to", "HEAD~1", "--format", "json")
    assert done.exit_code == 0, done.stdout + done.stderr
    assert "Restored from" in done.stderr
    assert "platform/services/api.yaml" in done.stderr
    assert "environments/production.yaml" in done.stderr
    assert (
        api.read_bytes()
        == git.get(
            git.revparse_single("HEAD~1").peel(pygit2.Commit).tree["platform/services/api.yaml"].id
        ).data
    )
    assert production.read_text() == text  # the pin, and the file's comments, as they were
    data = json.loads(done.stdout)
    assert data["changes"], "the diff against HEAD shows what the rollback changes"
    # Rendered too: `render --check` is clean, so the pull request is complete.
    assert invoke("render", "--root", str(repo), "--check").exit_code == 0
    # Round trip: rolling forward to HEAD restores what HEAD had.
    forward = invoke("rollback", "api", "--root", str(repo), "--to", "HEAD")
    assert forward.exit_code == 0, forward.stdout
    assert git.status() == {}, "the working tree is HEAD again, output included"


def test_rollback_that_does_not_validate_changes_nothing(repo: Path) -> None:
    git = pygit2.Repository(str(repo))
    # Day 2: the API is retired, the worker no longer calls it; the day-1 worker does.
    (repo / "platform/services/api.yaml").unlink()
    worker = repo / "platform/services/worker.yaml"
    worker.write_text(
        worker.read_text()
        .replace("  env:\n    API_URL: ${services.api.url}\n", "")
        .replace("  dependsOn: [api]\n", "")
    )
    for env in ("dev", "production"):
        path = repo / f"environments/{env}.yaml"
        path.write_text(path.read_text().replace('  images:\n    api: "1.0.0"\n', ""))
    rendered = invoke("render", "--root", str(repo))
    assert rendered.exit_code == 0, rendered.stdout
    gitrepo.commit(git, "Retire the API", day=2)
    before = snapshot(repo)
    done = invoke("rollback", "worker", "--root", str(repo), "--to", "HEAD~1")
    assert done.exit_code == 1
    assert "error[PL302]" in done.stdout  # dependsOn: [api], which is gone
    assert "Nothing was changed" in done.stdout
    assert snapshot(repo) == before


def test_rollback_to_a_revision_without_the_service_is_a_usage_error(repo: Path) -> None:
    (repo / "platform/services/mailer.yaml").write_text(
        (repo / "platform/services/worker.yaml").read_text().replace("name: worker", "name: mailer")
    )
    done = invoke("rollback", "mailer", "--root", str(repo), "--to", "HEAD")
    assert done.exit_code == 3
    assert "platform/services/mailer.yaml does not exist at HEAD" in done.stderr
    assert "platform history mailer" in done.stderr
