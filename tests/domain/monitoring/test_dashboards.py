"""Grafana dashboards per service: panels per workload, SLO panels, PromQL, uid, stable JSON."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest

from generators.domain.monitoring.dashboards import (
    FOLDER_ANNOTATION,
    SIDECAR_LABEL,
    config_map_name,
    dashboard,
    dashboard_json,
    dashboard_uid,
)
from generators.domain.monitoring.defaults import POD_LABEL, WORKLOADS
from generators.domain.monitoring.slo import SLO, check_query, rule_groups

WORKLOAD_PANELS = {
    "web": ["Request rate", "Error ratio (5xx)", "Latency", "CPU saturation (use / limit)"],
    "worker": ["CPU saturation (use / limit)", "Container restarts"],
    "cron": ["Job successes", "Job failures"],
    "job": ["Job successes", "Job failures"],
}
# What Grafana needs of a provisioned dashboard (schema 39): the top-level keys the brief names,
# uids as pkg/util's IsValidShortUID and MaxUIDLength allow, panels on the 24-column grid, each
# query naming its data source and a refId unique within its panel.
_DATASOURCE_REF = {
    "type": "object",
    "required": ["type", "uid"],
    "properties": {"type": {"const": "prometheus"}, "uid": {"const": "${datasource}"}},
}
GRAFANA_MODEL = {
    "type": "object",
    "required": ["title", "uid", "panels", "schemaVersion", "templating", "time"],
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "uid": {"type": "string", "pattern": r"^[a-zA-Z0-9_-]{1,40}$"},
        "schemaVersion": {"const": 39},
        "tags": {"type": "array", "items": {"type": "string"}},
        "time": {
            "type": "object",
            "required": ["from", "to"],
            "properties": {"from": {"const": "now-6h"}, "to": {"const": "now"}},
        },
        "templating": {
            "type": "object",
            "required": ["list"],
            "properties": {
                "list": {
                    "type": "array",
                    "items": {"type": "object", "required": ["name", "type", "query"]},
                }
            },
        },
        "panels": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "type", "title", "gridPos"],
                "properties": {
                    "id": {"type": "integer", "minimum": 1},
                    "type": {"enum": ["row", "stat", "timeseries"]},
                    "title": {"type": "string", "minLength": 1},
                    "gridPos": {
                        "type": "object",
                        "required": ["h", "w", "x", "y"],
                        "properties": {
                            "h": {"type": "integer", "minimum": 1},
                            "w": {"type": "integer", "minimum": 1, "maximum": 24},
                            "x": {"type": "integer", "minimum": 0, "maximum": 23},
                            "y": {"type": "integer", "minimum": 0},
                        },
                    },
                    "datasource": _DATASOURCE_REF,
                    "targets": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["refId", "expr", "datasource"],
                            "properties": {
                                "refId": {"type": "string", "pattern": "^[A-Z]$"},
                                "expr": {"type": "string", "minLength": 1},
                                "datasource": _DATASOURCE_REF,
                            },
                        },
                    },
                },
            },
        },
    },
}


def model(workload: str = "web", slos: tuple[str, ...] = ("availability",), **kw: Any) -> Any:
    args: dict[str, Any] = {
        "service": "checkout",
        "namespace": "shop-prod",
        "environment": "production",
        "team": "payments",
        "workload": workload,
        "slos": slos,
    }
    return dashboard(**{**args, **kw})


def promql(expr: str) -> str:
    """The query Prometheus receives: Grafana substitutes its own variables first."""
    assert "${datasource}" not in expr
    assert "$datasource" not in expr
    return expr.replace("$__rate_interval", "5m")


def exprs(found: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in found["panels"] for t in p.get("targets", [])]


def titles(found: dict[str, Any]) -> list[str]:
    return [p["title"] for p in found["panels"]]


# --- panels ----------------------------------------------------------------------------------


@pytest.mark.parametrize("workload", WORKLOADS)
def test_panels_per_workload_type(workload: str) -> None:
    assert titles(model(workload, slos=())) == WORKLOAD_PANELS[workload]


def test_web_panels_query_the_alerts_series() -> None:
    panels = {p["title"]: p for p in model("web", slos=())["panels"]}
    http = 'namespace="shop-prod", service="checkout"'
    rate = panels["Request rate"]["targets"][0]["expr"]
    assert f"http_requests_total{{{http}}}" in rate
    ratio = panels["Error ratio (5xx)"]["targets"][0]["expr"]
    assert f'http_requests_total{{{http}, code=~"5.."}}' in ratio
    assert panels["Error ratio (5xx)"]["fieldConfig"]["defaults"]["unit"] == "percentunit"
    latency = [t["expr"] for t in panels["Latency"]["targets"]]
    assert [e.split(",")[0] for e in latency] == [
        "histogram_quantile(0.50",
        "histogram_quantile(0.90",
        "histogram_quantile(0.99",
    ]
    assert all(f"http_request_duration_seconds_bucket{{{http}}}" in e for e in latency)
    assert [t["refId"] for t in panels["Latency"]["targets"]] == ["A", "B", "C"]


@pytest.mark.parametrize("workload", ["web", "worker"])
def test_pod_panels_join_the_service_pods(workload: str) -> None:
    pod_panels = [p for p in model(workload, slos=())["panels"] if "{{pod}}" in str(p)]
    assert pod_panels
    for panel in pod_panels:
        expr = panel["targets"][0]["expr"]
        assert f'kube_pod_labels{{namespace="shop-prod", {POD_LABEL}="checkout"}}' in expr
        assert "and on (namespace, pod)" in expr
    saturation = pod_panels[0]["targets"][0]["expr"]
    assert "container_cpu_usage_seconds_total{" in saturation
    assert 'kube_pod_container_resource_limits{namespace="shop-prod", resource="cpu"}' in saturation


def test_batch_panels_select_the_service_jobs() -> None:
    cron, job = exprs(model("cron", slos=())), exprs(model("job", slos=()))
    owner = 'kube_job_owner{namespace="shop-prod", owner_kind="CronJob", owner_name="checkout"}'
    assert all(owner in e for e in cron)
    assert all('job_name="checkout"' in e and "kube_job_owner" not in e for e in job)
    for found in (cron, job):
        assert ["kube_job_complete{" in e for e in found] == [True, False]
        assert ["kube_job_failed{" in e for e in found] == [False, True]


# --- SLO panels ------------------------------------------------------------------------------


def test_slo_panels_per_slo() -> None:
    found = model("web", slos=("availability", "latency"))
    slo_titles = titles(found)[len(WORKLOAD_PANELS["web"]) :]
    assert slo_titles == [
        "SLO availability",
        "availability: error budget remaining",
        "availability: burn rate",
        "SLO latency",
        "latency: error budget remaining",
        "latency: burn rate",
    ]
    panels = {p["title"]: p for p in found["panels"]}
    for name in ("availability", "latency"):
        ids = f'sloth_service="checkout", sloth_slo="{name}"'
        stat = panels[f"{name}: error budget remaining"]
        assert stat["type"] == "stat"
        assert stat["targets"][0]["expr"] == f"slo:period_error_budget_remaining:ratio{{{ids}}}"
        burn = panels[f"{name}: burn rate"]
        assert burn["type"] == "timeseries"
        assert burn["targets"][0]["expr"] == f"slo:current_burn_rate:ratio{{{ids}}}"


@pytest.mark.parametrize("workload", WORKLOADS)
def test_no_slo_no_slo_panels(workload: str) -> None:
    assert not [e for e in exprs(model(workload, slos=())) if "slo:" in e]


def test_slo_panels_read_series_slo_rules_record() -> None:
    # Every slo:* series a panel reads is recorded by generators.slo, with the labels selected.
    slo = SLO(
        service="checkout",
        name="availability",
        objective=99.9,
        error_query='sum(rate(http_requests_total{code=~"5.."}[{{window}}]))',
        total_query="sum(rate(http_requests_total[{{window}}]))",
        alert_name="CheckoutAvailabilitySLO",
    )
    recorded = {
        rule["record"]: rule["labels"]
        for group in rule_groups(slo)
        for rule in group["rules"]
        if "record" in rule
    }
    used = [e for e in exprs(model("web")) if e.startswith("slo:")]
    assert used
    for expr in used:
        metric, _, matchers = expr.partition("{")
        assert metric in recorded, metric
        for name, value in re.findall(r'(\w+)="([^"]*)"', matchers):
            assert recorded[metric][name] == value


# --- PromQL ----------------------------------------------------------------------------------


@pytest.mark.parametrize("workload", WORKLOADS)
def test_every_target_parses(workload: str) -> None:
    found = exprs(model(workload, slos=("availability", "latency")))
    assert found
    for expr in found:
        assert check_query(promql(expr)) is None, expr


def test_substitution_is_needed() -> None:
    # Not a vacuous check: the raw Grafana variable is not PromQL.
    raw = next(e for e in exprs(model("web")) if "$__rate_interval" in e)
    assert check_query(raw) is not None
    assert check_query(promql(raw)) is None


def test_queries_use_grafana_rate_interval_not_fixed_windows() -> None:
    ranged = [e for e in exprs(model("web")) if "rate(" in e]
    assert ranged
    assert all("[$__rate_interval]" in e and "[5m]" not in e for e in ranged)


# --- uid, title, tags, variables -------------------------------------------------------------


def test_uid_stable_readable_and_unique() -> None:
    assert model()["uid"] == model()["uid"] == "production_checkout"
    pairs = [
        ("production", "checkout"),
        ("staging", "checkout"),
        ("production", "checkout-api"),
        ("production-checkout", "api"),  # the same text joined with '-' would collide
        ("production", "checkout-api-" + "x" * 40),
        ("production", "checkout-api-" + "x" * 41),
    ]
    uids = [dashboard_uid(env, svc) for env, svc in pairs]
    assert len(set(uids)) == len(uids)
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]{1,40}", uid) for uid in uids)


def test_long_names_get_a_hashed_uid_of_40() -> None:
    service = "reconciliation-of-ledger-entries-worker"
    uid = model("worker", service=service)["uid"]
    assert len(uid) == 40
    assert uid.startswith("production_reconciliation")
    assert uid == dashboard_uid("production", service)
    assert uid != dashboard_uid("staging", service)


def test_title_tags_time_and_datasource_variable() -> None:
    found = model()
    assert found["title"] == "checkout (production)"
    assert found["tags"] == ["payments", "production", "platform-compiler"]
    assert found["time"] == {"from": "now-6h", "to": "now"}
    assert found["schemaVersion"] == 39
    (variable,) = found["templating"]["list"]
    assert (variable["name"], variable["type"], variable["query"]) == (
        "datasource",
        "datasource",
        "prometheus",
    )


def test_sidecar_contract() -> None:
    assert SIDECAR_LABEL == ("grafana_dashboard", "1")
    assert FOLDER_ANNOTATION == "grafana_folder"
    assert config_map_name("checkout") == "checkout-dashboard"


# --- determinism and shape -------------------------------------------------------------------


@pytest.mark.parametrize("workload", WORKLOADS)
def test_json_is_byte_stable(workload: str) -> None:
    first = dashboard_json(model(workload, slos=("availability", "latency")))
    second = dashboard_json(model(workload, slos=("availability", "latency")))
    assert first == second
    assert first.endswith("}\n")
    assert json.loads(first) == model(workload, slos=("availability", "latency"))
    # Sorted keys: building the dict in another order changes nothing.
    assert dashboard_json(dict(reversed(list(json.loads(first).items())))) == first


def test_json_has_no_timestamps_or_random_ids() -> None:
    text = dashboard_json(model())
    assert not re.search(r"\d{4}-\d{2}-\d{2}T|\b1[6-9]\d{8}\b", text)
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", text)


@pytest.mark.parametrize("workload", WORKLOADS)
def test_matches_grafana_dashboard_model(workload: str) -> None:
    found = json.loads(dashboard_json(model(workload, slos=("availability", "latency"))))
    jsonschema.validate(found, GRAFANA_MODEL)
    panels = found["panels"]
    assert [p["id"] for p in panels] == list(range(1, len(panels) + 1))
    for panel in panels:
        refs = [t["refId"] for t in panel.get("targets", [])]
        assert len(refs) == len(set(refs))
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24
    cells = [
        (x, y)
        for p in panels
        for x in range(p["gridPos"]["x"], p["gridPos"]["x"] + p["gridPos"]["w"])
        for y in range(p["gridPos"]["y"], p["gridPos"]["y"] + p["gridPos"]["h"])
    ]
    assert len(cells) == len(set(cells)), "panels overlap"
    # Top to bottom, left to right: the order Grafana lays them out in.
    positions = [(p["gridPos"]["y"], p["gridPos"]["x"]) for p in panels]
    assert positions == sorted(positions)


def test_grafana_model_schema_rejects_what_grafana_would() -> None:
    found = model()
    for broken in (
        {**found, "uid": "x" * 41},
        {**found, "uid": "prod/checkout"},
        {k: v for k, v in found.items() if k != "templating"},
        {**found, "panels": [{**found["panels"][0], "gridPos": {"h": 8, "w": 25, "x": 0, "y": 0}}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, GRAFANA_MODEL)


def test_models_do_not_share_state() -> None:
    first = model()
    first["templating"]["list"][0]["current"]["value"] = "other"
    first["panels"][0]["datasource"]["uid"] = "other"
    assert dashboard_json(model()) == dashboard_json(model())
    assert "other" not in dashboard_json(model())


# --- input checks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"workload": "daemon"}, "workload must be one of"),
        ({"service": "Checkout"}, "service must be a DNS label"),
        ({"namespace": "shop_prod"}, "namespace must be a DNS label"),
        ({"environment": "prod\n"}, "environment must be a DNS label"),
        ({"team": ""}, "team is required"),
        ({"slos": ("Avail",)}, "SLO name must match"),
        ({"slos": ('x"}',)}, "SLO name must match"),
        ({"slos": ("availability", "availability")}, "SLO names repeat"),
    ],
)
def test_rejects_bad_input(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        model(**kw)


def test_rejects_one_string_for_slos() -> None:
    with pytest.raises(TypeError):
        model(slos="availability")  # type: ignore[arg-type]
