"""The protected environments' review gate (generators/domain/ci/review.py): a real merge."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pygit2
import pytest
import yaml

from generators import pipeline
from generators.domain.ci.review import REVIEW_WORKFLOW
from tests import gitrepo
from tests.conftest import REPO
from tests.targets.test_ci import copy_platform

NAME = REVIEW_WORKFLOW.rsplit("/", 1)[1]


def gate(root: Path) -> dict[str, Any]:
    return yaml.safe_load(pipeline.render_platform(root).workflows[NAME])


def test_a_change_to_production_waits_for_its_reviewers() -> None:
    flow = gate(REPO)
    # Every pull request runs it: a skipped job passes a required check, while a
    # workflow filtered by paths would leave the check pending for ever.
    assert flow["on"] == {"pull_request": {}}
    assert flow["permissions"] == {}
    assert list(flow["jobs"]) == ["changes", "review-production"]
    review = flow["jobs"]["review-production"]
    assert review["name"] == "review production"
    assert review["environment"] == "production-review"
    assert review["needs"] == "changes"
    # Fails closed: a detecting job that fails asks for the review too.
    assert review["if"] == (
        "!cancelled() && (needs.changes.result != 'success' "
        "|| needs.changes.outputs['production'] == 'true')"
    )
    assert review["permissions"] == {}
    changes = flow["jobs"]["changes"]
    assert changes["permissions"] == {"contents": "read"}
    assert changes["outputs"] == {"production": "${{ steps.changed-production.outputs.changed }}"}
    (step,) = (s for s in changes["steps"] if s.get("id") == "changed-production")
    assert step["env"]["ENVIRONMENT"] == "production"
    assert step["env"]["PATHS"].splitlines() == [
        "environments/production.yaml",  # its pins: promotions
        "rendered/production/",  # what any spec change does to it (render --check: fresh)
        "rendered/_argocd/production/",
        "rendered/_silences/production/",
    ]
    assert changes["steps"][0]["with"] == {"fetch-depth": 2, "persist-credentials": False}


def test_every_protected_environment_has_its_own_review(tmp_path: Path) -> None:
    root = copy_platform(tmp_path / "repo")
    staging = root / "environments/staging.yaml"
    staging.write_text(
        staging.read_text().replace("  order: 1\n", "  order: 1\n  protected: true\n")
    )
    flow = gate(root)
    assert list(flow["jobs"]) == ["changes", "review-staging", "review-production"]
    assert flow["jobs"]["review-staging"]["environment"] == "staging-review"


def test_no_protected_environment_no_gate(tmp_path: Path) -> None:
    root = copy_platform(tmp_path / "repo")
    production = root / "environments/production.yaml"
    text = production.read_text()
    assert "  protected: true  #" in text
    production.write_text(text.replace("  protected: true  #", "  protected: false  #"))
    assert NAME not in pipeline.render_platform(root).workflows


def test_a_nested_platform_names_the_file_from_the_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    root = copy_platform(tmp_path / "infra")
    changes = gate(root)["jobs"]["changes"]
    paths = changes["steps"][1]["env"]["PATHS"].splitlines()
    assert paths[:2] == ["infra/environments/production.yaml", "infra/rendered/production/"]


def _merge(repo: pygit2.Repository, branch_tip: str, base_tip: str) -> None:
    """Check out the merge of a pull request into its base, as GitHub's refs/pull/N/merge."""
    when = pygit2.Signature(*gitrepo.AUTHOR, gitrepo.EPOCH + 9 * 86_400, 0)
    index = repo.merge_commits(base_tip, branch_tip)
    tree = index.write_tree(repo)
    merge = repo.create_commit(None, when, when, "Merge", tree, [base_tip, branch_tip])
    repo.checkout_tree(repo.get(merge), strategy=pygit2.enums.CheckoutStrategy.FORCE)
    repo.set_head(merge)


@pytest.mark.parametrize(
    ("rel", "changed"),
    [
        ("environments/production.yaml", "true"),
        # a service's block for production: only its rendered output says so
        ("rendered/production/web/manifests.yaml", "true"),
        ("rendered/_argocd/production/manifests.yaml", "true"),
        ("environments/staging.yaml", "false"),
        ("rendered/staging/web/manifests.yaml", "false"),
    ],
)
def test_the_detecting_step_sees_what_the_merge_changes(
    tmp_path: Path, rel: str, changed: str
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = copy_platform(tmp_path / "repo")
    shutil.copytree(REPO / "rendered", root / "rendered")
    repo = gitrepo.init(root)
    base = gitrepo.commit(repo, "Base")
    branch = repo.branches.local.create("promote", repo.get(base))
    repo.checkout(branch)
    path = root / rel
    assert path.is_file(), rel
    path.write_text(path.read_text() + "# a change\n")
    tip = gitrepo.commit(repo, "The pull request", day=1)
    _merge(repo, tip, base)
    (step,) = (s for s in gate(REPO)["jobs"]["changes"]["steps"] if s.get("id"))
    output = tmp_path / "output"
    output.touch()
    subprocess.run(
        ["bash", "-eo", "pipefail", "-c", step["run"]],
        capture_output=True,
        cwd=root,
        env={**os.environ, **step["env"], "GITHUB_OUTPUT": str(output)},
        check=True,
    )
    assert output.read_text() == f"changed={changed}\n"
