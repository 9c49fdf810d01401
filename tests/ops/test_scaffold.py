"""Service templates with default answers: the specs and skeletons they write (golden),
and that the specs validate, render and pass the conformance checks on a real platform."""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pygit2
import pytest
from ruamel.yaml import YAML

from generators.ops import scaffold as sc
from generators.pipeline import render_platform, validate_platform
from tests.conftest import BASE, REPO, copy_base
from tests.targets.test_conformance import assert_valid, checkov_binary, run_checkov

TEMPLATES = REPO / sc.TEMPLATES_DIR
#: The service each template makes in the tests.
SERVICES = {"database": "orders-db", "go-api": "orders", "nextjs": "shopfront", "worker": "mailer"}
#: Warnings a new service has until its first image is pinned in an environment.
EXPECTED_WARNINGS = {"PL605"}


@cache
def facts() -> sc.PlatformFacts:
    return sc.facts_from(validate_platform(BASE).platform)


def answered(template: str, *pairs: str) -> sc.Scaffold:
    base = (f"name={SERVICES[template]}", "team=shop")
    result = sc.scaffold(
        sc.load_template(TEMPLATES, template), sc.answers_from_set(base + pairs), facts()
    )
    assert result.diagnostics == ()
    return result


@pytest.mark.parametrize("template", sorted(SERVICES))
def test_default_answers_golden(template: str, snapshot: Any) -> None:
    result = answered(template)
    assert {"specs": result.specs, "skeleton": sorted(result.skeleton)} == snapshot


def _objects(tree: dict[str, bytes], service: str) -> list[dict[str, Any]]:
    yaml = YAML(typ="safe", pure=False)
    found = []
    for path, content in tree.items():
        if not path.endswith(".yaml"):
            continue
        for obj in yaml.load_all(content):
            labels = (obj.get("metadata") or {}).get("labels") or {}
            if f"/{service}/" in path or labels.get("app.kubernetes.io/name") == service:
                found.append(obj)
    return found


VARIANTS = [
    ("database", ()),
    ("database", ("passwordSecret=api-db", "resources=M", "storage=20Gi")),
    ("go-api", ()),
    ("go-api", ("public=true", "dependencies=api", "integrations=stripe", "resources=L")),
    ("nextjs", ()),
    ("nextjs", ("public=true", "dependencies=api", "cpu=200m", "memory=384Mi")),
    ("worker", ()),
    ("worker", ("dependencies=api", "queue=mail:outbox", "maxAttempts=8")),
]


@pytest.mark.parametrize(
    ("template", "pairs"), VARIANTS, ids=[f"{t}-{len(p)}" for t, p in VARIANTS]
)
def test_specs_validate_render_and_conform(
    template: str, pairs: tuple[str, ...], tmp_path: Path
) -> None:
    root = copy_base(tmp_path / "repo")
    result = answered(template, *pairs)
    for path, text in result.specs.items():
        assert not (root / path).exists()
        (root / path).write_text(text)
    validation = validate_platform(root)
    assert validation.errors == 0, [d.to_dict() for d in validation.diagnostics]
    assert {d.code.id for d in validation.diagnostics} <= EXPECTED_WARNINGS
    rendering = render_platform(root)
    objects = _objects(rendering.tree, SERVICES[template])
    kinds = {o["kind"] for o in objects}
    assert "Deployment" in kinds
    for obj in objects:
        assert_valid(obj)


def test_new_services_start_in_unprotected_environments_only() -> None:
    for template in SERVICES:
        [spec] = answered(template).specs.values()
        assert "lifecycle: development" in spec  # the base's only unprotected environment


def test_the_answers_file_replays(tmp_path: Path) -> None:
    first = answered("go-api", "port=9000", "dependencies=api", "public=true")
    replay = tmp_path / sc.ANSWERS_FILE
    replay.write_bytes(first.skeleton[sc.ANSWERS_FILE])
    raw, problems = sc.answers_from_file(replay, sc.ANSWERS_FILE)
    assert problems == []
    assert raw is not None
    again = sc.scaffold(first.template, raw, facts())
    assert again.diagnostics == ()
    assert (again.specs, again.skeleton) == (first.specs, first.skeleton)


def test_rendering_is_deterministic() -> None:
    for template in SERVICES:
        one, two = answered(template), answered(template)
        assert (one.specs, one.skeleton) == (two.specs, two.skeleton)


def test_a_skeleton_goes_into_a_new_repository_with_a_pinned_commit(tmp_path: Path) -> None:
    files = answered("worker").skeleton
    who = pygit2.Signature("Platform Test", "test@example.com", 1764288000, 0)
    ids = [
        sc.write_repository(
            tmp_path / name,
            files,
            message="mailer: from the worker template",
            author=who,
            committer=who,
        )
        for name in ("one", "two")
    ]
    assert ids[0] == ids[1]
    repo = pygit2.Repository(str(tmp_path / "one"))
    head = repo.head.peel(pygit2.Commit)
    assert str(head.id) == ids[0]
    assert head.parents == []
    assert repo.head.shorthand == "main"
    listed = sorted(_walk(head.tree))
    assert listed == sorted(files)
    assert repo.status() == {}


def _walk(tree: pygit2.Tree, prefix: str = "") -> list[str]:
    out = []
    for entry in tree:
        if isinstance(entry, pygit2.Tree):
            out += _walk(entry, f"{prefix}{entry.name}/")
        else:
            out.append(f"{prefix}{entry.name}")
    return out


def test_a_skeleton_is_not_written_over_files(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    with pytest.raises(sc.UsageError if hasattr(sc, "UsageError") else Exception):
        sc.write_directory(tmp_path / "taken", answered("go-api").skeleton)
    assert sorted(p.name for p in (tmp_path / "taken").iterdir()) == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]  # no staging left behind


def test_a_skeleton_goes_into_a_directory(tmp_path: Path) -> None:
    files = answered("go-api").skeleton
    written = sc.write_directory(tmp_path / "orders", files)
    assert written == sorted(files)
    assert (tmp_path / "orders" / "go.mod").read_text().startswith("module orders\n")


@pytest.fixture(scope="module")
def all_four(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """The base platform with one service of each template, rendered to disk."""
    root = copy_base(tmp_path_factory.mktemp("all") / "repo")
    for template in SERVICES:
        for path, text in answered(template).specs.items():
            (root / path).write_text(text)
    # What each service's first CI build does: pin its image in the first environment.
    dev = root / "environments/dev.yaml"
    pins = "".join(f'    {s}: "0.1.0"\n' for s in SERVICES.values() if s != "orders-db")
    dev.write_text(dev.read_text().replace('    api: "1.0.0"\n', '    api: "1.0.0"\n' + pins))
    assert validate_platform(root).diagnostics == ()
    tree = render_platform(root).tree
    out = tmp_path_factory.mktemp("rendered")
    for path, content in tree.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(content)
    return out, tree


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_kustomize_builds_the_new_services(all_four: tuple[Path, dict[str, bytes]]) -> None:
    out, tree = all_four
    files = [p.removeprefix("dev/") for p in tree if p.startswith("dev/") and p.endswith(".yaml")]
    assert {f"{s}/manifests.yaml" for s in SERVICES.values()} <= set(files)
    (out / "dev" / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
        + "".join(f"  - {f}\n" for f in files)
    )
    built = subprocess.run(
        ["kubectl", "kustomize", str(out / "dev")], capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stderr


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_worker_alerts(
    all_four: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    rules = [o for o in _objects(all_four[1], SERVICES["worker"]) if o["kind"] == "PrometheusRule"]
    alerts = {
        r["alert"] for o in rules for g in o["spec"]["groups"] for r in g["rules"] if "alert" in r
    }
    assert {"MailerQueueBacklog", "MailerDeadLetters"} <= alerts
    for index, obj in enumerate(rules):
        path = tmp_path / f"rules-{index}.yaml"
        path.write_text(json.dumps({"groups": obj["spec"]["groups"]}))
        run = subprocess.run(
            ["promtool", "check", "rules", str(path)], capture_output=True, text=True, check=False
        )
        assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.skipif(
    checkov_binary() is None, reason="checkov is not installed (.ci/run installs it)"
)
def test_checkov_passes_the_new_services(
    all_four: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    out, _ = all_four
    binary = checkov_binary()
    assert binary is not None
    for service in SERVICES.values():
        shutil.copytree(out / "dev" / service, tmp_path / service)
    run = run_checkov(binary, tmp_path)
    assert run.returncode in (0, 1), run.stderr[-2000:]
    report = json.loads(run.stdout) if run.stdout.strip().startswith(("{", "[")) else {}
    reports = report if isinstance(report, list) else [report]
    failed = [
        f"{c['check_id']} {c['resource']}"
        for r in reports
        for c in r.get("results", {}).get("failed_checks", [])
    ]
    assert failed == [], run.stdout[-3000:]


def test_code_in_its_own_repository_gets_the_generated_workflow(tmp_path: Path) -> None:
    root = copy_base(tmp_path / "repo")
    with (root / "environments/dev.yaml").open("a") as env:
        env.write("  gitops:\n    repoURL: https://github.com/example/platform.git\n")
    result = answered("go-api", "repository=example/orders")
    for path, text in result.specs.items():
        (root / path).write_text(text)
    rendering = render_platform(root)
    skeleton = sc.with_workflow(result.skeleton, rendering.tree, "orders")
    assert skeleton[".github/workflows/ci.yml"] == rendering.tree["_ci/orders/ci.yml"]
    assert set(skeleton) - set(result.skeleton) == {".github/workflows/ci.yml"}
    # Code kept in the platform repository is built by the platform's own workflow.
    assert sc.with_workflow(answered("go-api").skeleton, rendering.tree, "other") == (
        answered("go-api").skeleton
    )
