"""Cost estimates (generators/domain/cost.py), `platform cost`, budgets and the diff's delta."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from generators import pipeline
from generators.diff import compare
from generators.domain.cost import estimate, team_totals
from tests import gitrepo
from tests.conftest import copy_base, invoke

# Base: api autoscales 2..4 in dev (3..10 in production) at 100m/128Mi; worker is fixed.
WORKER = """\
apiVersion: platform/v1
kind: Service
metadata:
  name: worker
  team: shop
  lifecycle: production
spec:
  type: worker
  image: ghcr.io/example/worker:1.2.3
  env:
    API_URL: ${services.api.url}
  dependsOn: [api]
  resources:
    requests: {cpu: "1", memory: 2Gi}
  scaling: {replicas: 2}
  volumes:
    - {name: spool, path: /var/spool/worker, claim: {size: 10Gi}}
"""
PRICES = """\
  cost:
    currency: EUR
    cpuHour: 0.05
    memoryGiBHour: 0.005
    storageGiBMonth: 0.1
    integrations:
      stripe: {standard: 25}
"""


def platform_root(tmp_path: Path, worker: str = WORKER) -> Path:
    root = copy_base(tmp_path / "repo")
    (root / "platform/services/worker.yaml").write_text(worker)
    env = root / "environments/production.yaml"
    env.write_text(env.read_text() + PRICES)
    stripe = root / "platform/integrations/stripe.yaml"
    stripe.write_text(stripe.read_text().replace("spec:\n", "spec:\n  plan: standard\n", 1))
    return root


def lines(root: Path) -> dict[tuple[str, str], object]:
    result = pipeline.validate_platform(root)
    assert result.errors == 0, result.diagnostics
    return {(line.environment, line.name): line for line in estimate(result.platform)}


def test_requests_times_replicas_at_the_environments_prices(tmp_path: Path) -> None:
    found = lines(platform_root(tmp_path))
    worker = found[("production", "worker")]
    # 2 replicas × (1 vCPU × 0.05 + 2 GiB × 0.005) × 730 h, plus 10 GiB × 0.1.
    compute = Decimal(2) * (Decimal("0.05") + 2 * Decimal("0.005")) * 730
    assert worker.parts == (
        ("compute", compute, compute),
        ("storage", Decimal("1.00"), Decimal("1.00")),
    )
    assert (worker.low, worker.high, worker.currency) == (compute + 1, compute + 1, "EUR")
    # The bundled defaults (AWS us-east-1) where an environment sets none.
    dev = found[("dev", "worker")]
    assert dev.currency == "USD"
    assert dev.parts[0][1] == (2 * (Decimal("0.04048") + 2 * Decimal("0.004445")) * 730).quantize(
        Decimal("0.01")
    )


def test_autoscaling_is_a_range_and_jobs_are_left_out(tmp_path: Path) -> None:
    found = lines(platform_root(tmp_path))
    api = found[("production", "api")]
    per_replica = (Decimal("0.1") * Decimal("0.05") + Decimal("0.125") * Decimal("0.005")) * 730
    assert (api.low, api.high) == (
        (3 * per_replica).quantize(Decimal("0.01")),
        (10 * per_replica).quantize(Decimal("0.01")),
    )
    nightly = found[("dev", "nightly")]  # in development: dev only
    assert (nightly.low, nightly.note) == (0, "a cron: its runs are not estimated")


def test_an_integration_costs_its_plan_where_it_is_used(tmp_path: Path) -> None:
    found = lines(platform_root(tmp_path))
    stripe = found[("production", "stripe")]
    assert (stripe.kind, stripe.low, stripe.note) == (
        "integration",
        Decimal("25.00"),
        "plan standard: used by api",
    )
    # dev has no price for the plan: a warning says so (PL607), and the line says why.
    assert found[("dev", "stripe")].note == "plan 'standard' has no price here: used by api"
    result = pipeline.validate_platform(platform_root(tmp_path / "again"))
    [warning] = [d for d in result.diagnostics if d.code.id == "PL607"]
    assert warning.key_path == "spec.plan"
    assert warning.environments == ("dev",)
    assert "cost.integrations.stripe.standard" in warning.hint


def test_a_team_over_its_budget_is_warned_at_the_budget(tmp_path: Path) -> None:
    root = platform_root(tmp_path)
    team = root / "platform/teams/shop.yaml"
    team.write_text(team.read_text() + "  budget: {monthly: 100, currency: EUR}\n")
    result = pipeline.validate_platform(root)
    [found] = [d for d in result.diagnostics if d.code.id == "PL606"]
    assert found.key_path == "spec.budget.monthly"
    assert "team 'shop' may cost up to" in found.message
    assert "worker in production" in found.hint  # the biggest line first
    assert result.exit_code(strict=True) == 1
    totals = team_totals(estimate(result.platform))
    assert totals[("shop", "EUR")][1] > 100


def test_platform_cost_by_team_as_table_json_and_csv(tmp_path: Path) -> None:
    root = platform_root(tmp_path)
    table = invoke("cost", "--root", str(root), "--by", "team")
    assert table.exit_code == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == [
        "team",
        "low",
        "/month",
        "high",
        "/month",
        "note",
    ]
    data = json.loads(invoke("cost", "--root", str(root), "--format", "json").stdout)
    rows = {(r["environment"], r["name"]): r for r in data["rows"]}
    assert rows[("production", "worker")]["currency"] == "EUR"
    assert set(data["totals"]) == {"EUR", "USD"}  # never summed across currencies
    text = invoke("cost", "--root", str(root), "--env", "production", "--format", "csv").stdout
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert {r["environment"] for r in parsed} == {"production"}
    assert Decimal(next(r for r in parsed if r["name"] == "worker")["low"]) > 0


def test_platform_cost_on_an_unknown_environment_says_which_exist(tmp_path: Path) -> None:
    done = invoke("cost", "--root", str(platform_root(tmp_path)), "--env", "prod")
    assert done.exit_code == 3
    assert "unknown environment 'prod'" in done.stderr
    assert "production" in done.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = platform_root(tmp_path)
    gitrepo.commit(gitrepo.init(root), "Base platform")
    return root


def test_the_diff_shows_the_cost_delta_and_a_budget_crossed(repo: Path) -> None:
    worker = repo / "platform/services/worker.yaml"
    worker.write_text(
        worker.read_text().replace("scaling: {replicas: 2}", "scaling: {replicas: 4}")
    )
    team = repo / "platform/teams/shop.yaml"
    team.write_text(team.read_text() + "  budget: {monthly: 200, currency: EUR}\n")
    result = compare.compare(repo, "main")
    deltas = {(d.environment, d.name): d for d in result.cost.deltas}
    assert set(deltas) == {("dev", "worker"), ("production", "worker")}
    per_replica = (Decimal("0.05") + 2 * Decimal("0.005")) * 730
    assert deltas[("production", "worker")].change == (2 * per_replica, 2 * per_replica)
    [crossing] = result.cost.crossings
    assert (crossing.team, crossing.currency) == ("shop", "EUR")
    done = invoke("diff", "--root", str(repo), "--base", "main", "--format", "markdown")
    assert done.exit_code == 0, done.stderr
    text = done.stdout
    assert text.index("### Cost") < text.index("### Summary")  # at the top
    assert f"production / worker: +{2 * per_replica:,.2f} EUR" in text
    assert "**Over budget**: team shop" in text
    data = json.loads(
        invoke("diff", "--root", str(repo), "--base", "main", "--format", "json").stdout
    )
    assert data["cost"]["overBudget"][0]["team"] == "shop"


def test_platform_cost_reads_the_model_without_rendering_patched_services(tmp_path: Path) -> None:
    root = platform_root(tmp_path)
    worker = root / "platform/services/worker.yaml"
    broken = "  patches:\n    p:\n      target: {kind: Nothing}\n      merge: {}\n"
    worker.write_text(worker.read_text() + broken)
    assert invoke("validate", "--root", str(root)).exit_code == 1  # PL516: validate checks it
    done = invoke("cost", "--root", str(root), "--by", "environment")
    assert done.exit_code == 0, done.stderr  # the estimate does not read patches
