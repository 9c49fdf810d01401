"""This repository's own CI workflows and pre-commit hooks: pinned, and wired to our commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from generators.diff import report
from generators.domain.ci.actions import PINS
from tests.conftest import REPO, invoke

WORKFLOWS = sorted((REPO / ".github/workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def runs(workflow: dict, job: str) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow, job))


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path: Path) -> None:
    text = path.read_text()
    uses = re.findall(r"uses: (\S+)(.*)", text)
    assert uses
    for action, comment in uses:
        assert PINNED.match(action), f"{path.name}: {action} is not pinned to a commit"
        assert re.search(r"# v\d+\.\d+\.\d+", comment), f"{path.name}: {action} lacks # vX.Y.Z"
        # One set of pins for the whole repository: the generated workflows' (Node 24).
        name, sha = action.split("@")
        pins = "generators/domain/ci/actions.py"
        assert PINS[name][0] == sha, f"{path.name}: {name} differs from {pins}"
        assert comment.strip() == f"# {PINS[name][1]}"


def test_pull_requests_get_annotations_sarif_stale_checks_and_one_diff_comment() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/platform.yml").read_text())
    assert workflow["permissions"] == {"contents": "read"}
    job = workflow["jobs"]["pull-request"]
    assert job["permissions"]["pull-requests"] == "write"
    assert job["permissions"]["security-events"] == "write"
    assert steps(workflow, "pull-request")[0]["with"]["fetch-depth"] == 0
    script = runs(workflow, "pull-request")
    for command in (
        "platform validate --format github",
        "platform validate --format sarif",
        "platform schema --check",
        "platform render --check",
        'platform diff --base "origin/$BASE_REF" --format markdown > diff.md',
    ):
        assert command in script
    assert report.MARKER in script  # the comment is found again by its marker
    # A refused change (exit 1: PL313, PL314, invalid specs) still comments, then fails.
    last = steps(workflow, "pull-request")[-1]
    assert last["if"] == "always() && steps.diff.outputs.status == '1'"
    assert "exit 1" in last["run"]
    assert "--method PATCH" in script
    assert any("upload-sarif" in step.get("uses", "") for step in steps(workflow, "pull-request"))


def test_each_job_loads_through_a_cache_of_its_own() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/platform.yml").read_text())
    for job in workflow["jobs"]:
        script = runs(workflow, job)
        line = 'echo "PLATFORM_CACHE_DIR=$RUNNER_TEMP/platform-cache" >> "$GITHUB_ENV"'
        assert line in script, job
        # set before the first `platform` command of the job
        assert script.index(line) < script.index("platform ")


def test_main_renders_and_hydrates_and_pushes_what_it_committed() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/platform.yml").read_text())
    assert workflow["jobs"]["main"]["permissions"] == {"contents": "write"}
    script = runs(workflow, "main")
    assert "platform render --check" in script
    assert "platform hydrate" in script
    assert "grep ': committed' hydrate.log" in script
    assert 'git push origin "refs/heads/$branch:refs/heads/$branch"' in script


def test_pre_commit_hooks_run_real_commands() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"platform-validate", "platform-render-check"}
    for hook in hooks:
        assert hook["language"] == "python"  # pre-commit installs this package
        assert hook["pass_filenames"] is False  # the checks are platform-wide
        assert re.compile(hook["files"]).match("platform/services/web.yaml")
        command = hook["entry"].split()
        assert command[0] == "platform"
        assert invoke(*command[1:], "--help").exit_code == 0


def test_this_repositorys_workflows_pass_actionlint() -> None:
    from tests.targets.test_ci import actionlint, lint

    run = lint(actionlint(), REPO)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"Checking {len(WORKFLOWS)} workflow file(s)" in run.stdout
