"""Lifecycle stages: where each stage runs, and retirement with its grace and its leftovers."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from generators import pipeline
from generators.domain.cost import estimate
from tests import gitrepo
from tests.conftest import copy_base, invoke

#: The base platform's environments: dev (order 0) and production (protected).
TODAY = dt.date(2026, 11, 28)


def with_stage(root: Path, service: str, stage: str, extra: str = "") -> Path:
    path = root / f"platform/services/{service}.yaml"
    text = path.read_text()
    if "lifecycle:" in text:
        text = "\n".join(
            f"  lifecycle: {stage}{extra}" if line.startswith("  lifecycle:") else line
            for line in text.splitlines()
        )
    else:
        text = text.replace("  team: shop\n", f"  team: shop\n  lifecycle: {stage}{extra}\n", 1)
    path.write_text(text + ("\n" if not text.endswith("\n") else ""))
    return root


def manifests(root: Path, env: str, app: str) -> dict[tuple[str, str], dict[str, Any]] | None:
    result = pipeline.render_platform(root)
    assert result.validation.errors == 0, result.validation.diagnostics
    text = result.tree.get(f"{env}/{app}/manifests.yaml")
    if text is None:
        return None
    return {(o["kind"], o["metadata"]["name"]): o for o in YAML(typ="safe").load_all(text)}


@pytest.mark.parametrize(
    ("stage", "where"),
    [
        ("planning", set()),
        ("development", {"dev"}),  # the first environment of the promotion chain
        ("staging", {"dev"}),  # every unprotected one
        ("production", {"dev", "production"}),
        ("maintenance", {"dev", "production"}),
        ("retired", set()),
    ],
)
def test_each_stage_runs_where_it_says(tmp_path: Path, stage: str, where: set[str]) -> None:
    root = with_stage(copy_base(tmp_path / "repo"), "api", stage)
    platform = pipeline.validate_platform(root, on=TODAY).platform
    assert {env for env in platform.environments if platform.deploys("api", env)} == where


def without_dependants(root: Path) -> Path:
    """The base platform's worker depends on api: drop that, so api may retire."""
    worker = root / "platform/services/worker.yaml"
    worker.write_text(worker.read_text().replace("  dependsOn: [api]\n", ""))
    return root


def test_a_retired_service_in_its_grace_stays_at_zero_then_goes(tmp_path: Path) -> None:
    root = without_dependants(copy_base(tmp_path / "repo"))
    with_stage(root, "api", "retired", "\n  retireAfter: 2026-12-15")
    result = pipeline.render_platform(root)  # PLATFORM_TODAY is 2026-11-28 in the tests
    assert result.validation.errors == 0, result.validation.diagnostics
    objects = {
        (o["kind"], o["metadata"]["name"]): o
        for o in YAML(typ="safe").load_all(result.tree["production/api/manifests.yaml"])
    }
    assert objects[("Deployment", "api")]["spec"]["replicas"] == 0
    assert ("HorizontalPodAutoscaler", "api") not in objects  # nothing scales it back up
    assert ("PodDisruptionBudget", "api") not in objects
    assert ("Service", "api") in objects  # still there: a rollback is one line
    (line,) = [x for x in estimate(result.validation.platform, ["production"]) if x.name == "api"]
    assert (line.low, line.high) == (Decimal(0), Decimal(0))
    assert line.note == "retired: scaled to zero until 2026-12-15"
    # From its day on, nothing of it is rendered.
    later = pipeline.validate_platform(root, on=dt.date(2026, 12, 15)).platform
    assert not any(later.deploys("api", env) for env in later.environments)


def test_a_retired_cron_job_is_suspended_in_its_grace(tmp_path: Path) -> None:
    root = with_stage(
        copy_base(tmp_path / "repo"), "nightly", "retired", "\n  retireAfter: 2026-12-15"
    )
    objects = manifests(root, "dev", "nightly")
    assert objects is not None
    assert objects[("CronJob", "nightly")]["spec"]["suspend"] is True


def test_retire_after_belongs_to_retired_services(tmp_path: Path) -> None:
    root = with_stage(
        copy_base(tmp_path / "repo"), "api", "production", "\n  retireAfter: 2026-12-15"
    )
    (found,) = pipeline.validate_platform(root).diagnostics
    assert found.code.id == "PL205"
    assert "`retireAfter` is for `lifecycle: retired`" in found.message


def test_retiring_a_service_with_a_dependant_is_an_error_there(tmp_path: Path) -> None:
    root = copy_base(tmp_path / "repo")  # its worker depends on api
    with_stage(root, "api", "retired", "\n  retireAfter: 2026-12-15")
    found = [d for d in pipeline.validate_platform(root).diagnostics if d.code.id == "PL306"]
    assert [(d.location.file, d.key_path) for d in found] == [
        ("platform/services/worker.yaml", "spec.dependsOn[0]")
    ]
    assert "depends on 'api', which is retired" in found[0].message


def test_a_secret_only_retired_services_use_is_flagged_for_deletion(tmp_path: Path) -> None:
    root = without_dependants(copy_base(tmp_path / "repo"))
    with_stage(root, "api", "retired", "\n  retireAfter: 2026-12-15")
    found = [d for d in pipeline.validate_platform(root).diagnostics if d.code.id == "PL609"]
    assert [(d.location.file, d.message) for d in found] == [
        (f"platform/secrets/{name}.yaml", f"secret {name!r} is used only by retired services (api)")
        for name in ("api-db", "stripe")  # its env var; its integration and webhook
    ]
    assert "after 2026-12-15, when they are gone" in found[0].hint


def _diff(root: Path) -> tuple[int, str]:
    done = invoke("diff", "--root", str(root), "--format", "markdown")
    return done.exit_code, done.stdout + done.stderr


def test_a_pull_request_moves_a_stage_one_step_or_retires(tmp_path: Path) -> None:
    root = copy_base(tmp_path / "repo")  # nightly: development
    repo = gitrepo.init(root)
    gitrepo.commit(repo, "Base")
    with_stage(root, "nightly", "production")
    code, out = _diff(root)
    assert code == 1
    assert "PL313" in out
    assert "lifecycle moves from 'development' to 'production' in one change, past 'staging'" in out
    with_stage(root, "nightly", "staging")  # one step: fine
    code, out = _diff(root)
    assert code == 0, out
    with_stage(root, "nightly", "retired")  # retiring is one step from anywhere
    code, out = _diff(root)
    assert code == 0, out


def test_a_service_in_maintenance_takes_patch_bumps_and_flags_the_rest(tmp_path: Path) -> None:
    root = with_stage(copy_base(tmp_path / "repo"), "api", "maintenance")
    repo = gitrepo.init(root)
    gitrepo.commit(repo, "Base")
    dev = root / "environments/dev.yaml"

    def maintenance_findings(tag: str) -> list[str]:
        dev.write_text(dev.read_text().replace('api: "1.0.0"', f'api: "{tag}"'))
        done = invoke("diff", "--root", str(root), "--format", "json", "--env", "dev")
        assert done.exit_code == 0, done.stdout + done.stderr
        dev.write_text(dev.read_text().replace(f'api: "{tag}"', 'api: "1.0.0"'))
        data = json.loads(done.stdout)
        return [f["text"] for f in data["impact"] if f["category"] == "maintenance"]

    assert maintenance_findings("1.0.1") == []  # a patch
    flagged = (
        "api: 1.0.0 → 1.1.0 is not a patch-level bump; a service in maintenance takes "
        "fixes only (move it back to production for more)"
    )
    assert maintenance_findings("1.1.0") == [flagged]
    assert "not a version the platform can compare" in maintenance_findings("nightly")[0]
