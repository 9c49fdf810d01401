"""The workflows `platform render` writes into .github/workflows/: owned, never intrusive."""

from __future__ import annotations

import shutil
from pathlib import Path

from generators import pipeline
from generators.output import repository, tree
from tests.conftest import REPO, invoke

HAND_WRITTEN = "name: ours\non: push\njobs: {}\n"
GENERATED = "ledger-reconcile.yml"
#: The protected environments' review gate (generators/domain/ci/review.py).
GATE = "platform.protected.yml"


def copy_repo(target: Path) -> Path:
    """The example with its committed output, in a git repository of its own."""
    for top in ("platform", "environments", "templates", "rendered", ".github"):
        shutil.copytree(REPO / top, target / top)
    (target / ".git").mkdir()
    (target / ".github/workflows/ci.yml").write_text(HAND_WRITTEN)
    return target


def workflows(repo: Path) -> Path:
    return repo / ".github/workflows"


def drop_source(repo: Path, service: str) -> None:
    spec = repo / f"platform/services/{service}.yaml"
    text = spec.read_text()
    spec.write_text(text[: text.index("  source:")])


def unprotect(repo: Path) -> None:
    """Production no longer protected: no review gate is generated."""
    env = repo / "environments/production.yaml"
    env.write_text(env.read_text().replace("  protected: true", "  protected: false"))


def test_the_committed_workflows_are_fresh() -> None:
    rendering = pipeline.render_platform(REPO)
    drift = tree.compare(repository.directory(REPO), rendering.workflows, (), exclusive=True)
    assert not drift, f".github/workflows/ is stale: run `platform render` ({drift})"


def test_render_writes_its_workflow_and_leaves_others_alone(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    shutil.rmtree(workflows(repo))
    workflows(repo).mkdir(parents=True)
    (workflows(repo) / "ci.yml").write_text(HAND_WRITTEN)
    result = invoke("render", "--root", str(repo))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Workflows in .github/workflows/ (2): 2 added, 0 changed, 0 removed." in result.stdout
    for name in (GENERATED, GATE):
        assert (workflows(repo) / name).read_bytes() == (
            REPO / ".github/workflows" / name
        ).read_bytes()
    assert (workflows(repo) / tree.MANIFEST).read_text().splitlines()[1:] == [GENERATED, GATE]
    assert (workflows(repo) / "ci.yml").read_text() == HAND_WRITTEN
    assert invoke("render", "--check", "--root", str(repo)).exit_code == 0


def test_a_workflow_no_longer_wanted_is_removed_with_the_manifest(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    drop_source(repo, "ledger-reconcile")
    unprotect(repo)
    check = invoke("render", "--check", "--root", str(repo))
    assert check.exit_code == 2
    assert f"extra: .github/workflows/{GENERATED}" in check.stdout
    assert f"extra: .github/workflows/{GATE}" in check.stdout
    assert "and .github/workflows/ are stale" in check.stdout  # rendered/ too: unprotected
    result = invoke("render", "--root", str(repo))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "0 added, 0 changed, 2 removed." in result.stdout
    # The manifest went with the last generated workflow; hand-written ones stay.
    assert sorted(p.name for p in workflows(repo).iterdir()) == ["ci.yml", "platform.yml"]
    assert (workflows(repo) / "ci.yml").read_text() == HAND_WRITTEN
    assert invoke("render", "--check", "--root", str(repo)).exit_code == 0


def test_a_hand_written_workflow_in_the_way_stops_the_render(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    (workflows(repo) / tree.MANIFEST).unlink()  # as if it had never been rendered
    (workflows(repo) / GENERATED).write_text(HAND_WRITTEN)
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    check = invoke("render", "--check", "--root", str(repo))
    assert check.exit_code == 2
    assert (
        f"not written by platform render, in the way: .github/workflows/{GENERATED}" in check.stdout
    )
    result = invoke("render", "--root", str(repo))
    assert result.exit_code == 3
    assert f"error: .github/workflows/{GENERATED} exists, and `platform render` did not" in (
        result.stderr
    )
    after = {
        p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".platform-" not in str(p)
    }
    assert after == {p: c for p, c in before.items() if ".platform-" not in str(p)}


def test_an_identical_file_is_adopted(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    (workflows(repo) / tree.MANIFEST).unlink()  # the file is right; only the record is lost
    check = invoke("render", "--check", "--root", str(repo))
    assert check.exit_code == 2
    assert f"missing: .github/workflows/{tree.MANIFEST}" in check.stdout
    assert invoke("render", "--root", str(repo)).exit_code == 0
    assert GENERATED in (workflows(repo) / tree.MANIFEST).read_text()


def test_check_reports_every_kind_of_workflow_drift(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    (workflows(repo) / GENERATED).write_text("edited: true\n")
    result = invoke("render", "--check", "--root", str(repo))
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"differs: .github/workflows/{GENERATED}",
        ".github/workflows/ is stale: run `platform render` and commit the result.",
    ]
    (workflows(repo) / GENERATED).unlink()
    assert (
        f"missing: .github/workflows/{GENERATED}"
        in invoke("render", "--check", "--root", str(repo)).stdout
    )
    assert invoke("render", "--root", str(repo)).exit_code == 0
    assert invoke("render", "--check", "--root", str(repo)).exit_code == 0


def test_the_cache_notices_a_deleted_workflow(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    assert invoke("render", "--root", str(repo)).exit_code == 0
    again = invoke("render", "--root", str(repo))
    assert again.stdout == "rendered/ is up to date: no spec changed since the last render.\n"
    (workflows(repo) / GENERATED).unlink()
    restored = invoke("render", "--root", str(repo))
    assert "Workflows in .github/workflows/ (2): 1 added" in restored.stdout
    assert (workflows(repo) / GENERATED).is_file()


def test_the_manifest_cannot_reach_outside_the_directory(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    victim = repo / "README.md"
    victim.write_text("keep me\n")
    manifest = workflows(repo) / tree.MANIFEST
    manifest.write_text(manifest.read_text() + "../../README.md\n/etc/hostname\nci.yml/..\n")
    assert invoke("render", "--root", str(repo)).exit_code == 0
    assert victim.read_text() == "keep me\n"
    assert (workflows(repo) / "ci.yml").read_text() == HAND_WRITTEN


def test_a_platform_without_workflows_creates_no_directory(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    shutil.rmtree(repo / ".github")
    drop_source(repo, "ledger-reconcile")
    unprotect(repo)
    result = invoke("render", "--root", str(repo))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Workflows" not in result.stdout
    assert not (repo / ".github").exists()
    assert invoke("render", "--check", "--root", str(repo)).exit_code == 0


def test_an_env_render_leaves_the_workflows_alone(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    (workflows(repo) / GENERATED).write_text("stale: true\n")
    assert invoke("render", "--env", "dev", "--root", str(repo)).exit_code == 0
    assert (workflows(repo) / GENERATED).read_text() == "stale: true\n"
    assert invoke("render", "--env", "dev", "--check", "--root", str(repo)).exit_code == 0


def test_a_nested_platform_writes_at_the_top_of_its_repository(tmp_path: Path) -> None:
    top = tmp_path / "monorepo"
    (top / ".git").mkdir(parents=True)
    platform = top / "infra"
    for part in ("platform", "environments", "templates"):
        shutil.copytree(REPO / part, platform / part)
    result = invoke("render", "--root", str(platform))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (top / ".github/workflows" / GENERATED).is_file()
    assert not (platform / ".github").exists()
    assert f"Workflows in {top / '.github/workflows'}/" in result.stdout
