"""The Grafana dashboard of one service in one environment, as deterministic JSON."""

# Shipped in a ConfigMap the Grafana sidecar loads. kube-prometheus-stack's values.yaml sets
# grafana.sidecar.dashboards label: grafana_dashboard, labelValue: "1", searchNamespace: ALL.
# The folder annotation is not on by default: grafana/helm-charts charts/grafana/values.yaml has
# sidecar.dashboards.folderAnnotation: null, so `grafana_folder` only files the dashboard into a
# folder where the platform sets folderAnnotation: grafana_folder and
# provider.foldersFromFilesStructure: true; elsewhere it is inert and harmless.
#
# The queries use the series and labels of the default alerts (defaults.py, beside this
# module) and of Sloth's rules (slo.py): http_* with `namespace` and `service`; cAdvisor CPU
# over the kube-state-metrics CPU limit, restricted to the service's pods through kube_pod_labels;
# KSM's Job conditions; Sloth's meta recordings selected by sloth_service and sloth_slo.
# Grafana's uid rules (pkg/util shortid): letters, digits, '-' and '_', at most 40 characters.

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Sequence
from typing import Any

from generators.domain.monitoring.defaults import POD_LABEL, WORKLOADS
from generators.domain.monitoring.slo import NAME, SERVICE
from generators.emit import json_document

SIDECAR_LABEL = ("grafana_dashboard", "1")
FOLDER_ANNOTATION = "grafana_folder"
SCHEMA_VERSION = 39
TAG = "platform-compiler"
UID_MAX = 40
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_SLO_NAME = re.compile(r"[a-z][-a-z0-9]*")  # generators/spec/observability.py SLOSpec.name
_DS = {"type": "prometheus", "uid": "${datasource}"}
_RATE = "$__rate_interval"
_5XX, _TRUE = 'code=~"5.."', 'condition="true"'
_WIDTH, _HEIGHT = 24, 8  # Grafana's grid is 24 columns wide
_BUDGET_STEPS = [("red", None), ("orange", 0.1), ("green", 0.25)]
_BURN_STEPS = [("green", None), ("red", 1)]  # above 1 the budget runs out before the period ends


def dashboard(
    *,
    service: str,
    namespace: str,
    environment: str,
    team: str,
    workload: str,
    slos: Sequence[str],
) -> dict[str, Any]:
    """The Grafana dashboard model (schema 39) of ``service`` in ``environment``.

    Panels follow the ``workload`` type; each SLO name in ``slos`` adds an error-budget stat
    and a burn-rate graph from Sloth's recording rules.
    """
    _validate(service, namespace, environment, team, workload, slos)
    layout = _Layout()
    for title, unit, targets in _workload_panels(service, namespace, workload):
        layout.add(_panel("timeseries", title, unit, targets), width=_WIDTH // 2)
    for name in slos:
        layout.add({"type": "row", "title": f"SLO {name}", "collapsed": False, "panels": []})
        ids = f'{SERVICE}="{service}", {NAME}="{name}"'
        remaining = [("A", f"slo:period_error_budget_remaining:ratio{{{ids}}}", "remaining")]
        stat = _panel("stat", f"{name}: error budget remaining", "percentunit", remaining)
        layout.add(_thresholds(stat, _BUDGET_STEPS), width=6)
        burn = [
            ("A", f"slo:current_burn_rate:ratio{{{ids}}}", "current (5m)"),
            ("B", f"slo:period_burn_rate:ratio{{{ids}}}", "whole period"),
        ]
        graph = _thresholds(_panel("timeseries", f"{name}: burn rate", "none", burn), _BURN_STEPS)
        graph["fieldConfig"]["defaults"]["custom"] = {"thresholdsStyle": {"mode": "line"}}
        layout.add(graph, width=18)
    return {
        "annotations": {"list": []},
        "description": f"{workload} service {service} in {namespace}; generated, edit the spec.",
        "editable": False,  # provisioned from a ConfigMap: the spec is the source of truth
        "graphTooltip": 1,
        "id": None,
        "links": [],
        "panels": layout.panels,
        "refresh": "1m",
        "schemaVersion": SCHEMA_VERSION,
        "tags": [team, environment, TAG],
        "templating": {"list": [copy.deepcopy(_DATASOURCE_VARIABLE)]},
        "time": {"from": "now-6h", "to": "now"},
        "timezone": "browser",
        "title": f"{service} ({environment})",
        "uid": dashboard_uid(environment, service),
    }


def dashboard_json(model: dict[str, Any]) -> str:
    """``model`` as JSON with sorted keys: the same model always gives the same bytes."""
    return json_document(model)


def config_map_name(service: str) -> str:
    """The name of the ConfigMap that carries the service's dashboard."""
    return f"{service}-dashboard"


def dashboard_uid(environment: str, service: str) -> str:
    """A uid stable per (environment, service); over 40 characters, a cut plus a hash."""
    # '_' is in no DNS label, so it separates the two names unambiguously.
    plain = f"{environment}_{service}"
    if len(plain) <= UID_MAX:
        return plain
    digest = hashlib.sha256(plain.encode()).hexdigest()[:10]
    return f"{plain[: UID_MAX - len(digest) - 1]}-{digest}"


_DATASOURCE_VARIABLE: dict[str, Any] = {
    "current": {},
    "hide": 0,
    "includeAll": False,
    "label": "Data source",
    "multi": False,
    "name": "datasource",
    "options": [],
    "query": "prometheus",
    "refresh": 1,
    "regex": "",
    "skipUrlSync": False,
    "type": "datasource",
}

_Targets = list[tuple[str, str, str]]  # refId, PromQL, legend
_POD = "{{pod}} / {{container}}"


def _workload_panels(service: str, ns: str, workload: str) -> list[tuple[str, str, _Targets]]:
    within = f'namespace="{ns}"'
    pods = _sel("kube_pod_labels", within, f'{POD_LABEL}="{service}"')
    own_pods = f"and on (namespace, pod)\nmax by (namespace, pod) ({pods})"
    panels: list[tuple[str, str, _Targets]] = []
    if workload == "web":
        http = (within, f'service="{service}"')
        requests = f"rate({_sel('http_requests_total', *http)}[{_RATE}])"
        errors = f"rate({_sel('http_requests_total', *http, _5XX)}[{_RATE}])"
        bucket = f"rate({_sel('http_request_duration_seconds_bucket', *http)}[{_RATE}])"
        latency = [
            (ref, f"histogram_quantile({q}, sum by (le) ({bucket}))", f"p{q[2:]}")
            for ref, q in (("A", "0.50"), ("B", "0.90"), ("C", "0.99"))
        ]
        ratio = f"(sum({errors}) or vector(0))\n/\nsum({requests})"  # no 5xx is 0, not no data
        panels += [
            ("Request rate", "reqps", [("A", f"sum by (code) ({requests})", "{{code}}")]),
            ("Error ratio (5xx)", "percentunit", [("A", ratio, "5xx")]),
            ("Latency", "s", latency),
        ]
    if workload in ("web", "worker"):
        usage = _sel("container_cpu_usage_seconds_total", within, 'container!=""', 'image!=""')
        limits = _sel("kube_pod_container_resource_limits", within, 'resource="cpu"')
        saturation = (
            f"sum by (namespace, pod, container) (rate({usage}[{_RATE}]))\n"
            f"/ on (namespace, pod, container)\n"
            f"sum by (namespace, pod, container) ({limits})\n{own_pods}"
        )
        panels.append(("CPU saturation (use / limit)", "percentunit", [("A", saturation, _POD)]))
    if workload == "worker":
        restarts = _sel("kube_pod_container_status_restarts_total", within)
        increase = f"sum by (namespace, pod, container) (increase({restarts}[{_RATE}]))"
        panels.append(("Container restarts", "short", [("A", f"{increase}\n{own_pods}", _POD)]))
    if workload in ("cron", "job"):
        # Jobs KSM still sees, so a CronJob's only as many as its history limits keep.
        mine: tuple[str, ...] = (within, f'job_name="{service}"')
        owned = ""
        if workload == "cron":
            owner = ('owner_kind="CronJob"', f'owner_name="{service}"')
            mine = (within,)
            owned = f" and on (namespace, job_name) {_sel('kube_job_owner', within, *owner)}"
        for title, metric in (
            ("Job successes", "kube_job_complete"),
            ("Job failures", "kube_job_failed"),
        ):
            done = f"{_sel(metric, *mine, _TRUE)} == 1{owned}"
            panels.append((title, "short", [("A", f"count({done}) or vector(0)", "jobs")]))
    return panels


def _panel(kind: str, title: str, unit: str, targets: _Targets) -> dict[str, Any]:
    panel: dict[str, Any] = {
        "datasource": dict(_DS),
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [
            {
                "datasource": dict(_DS),
                "expr": expr,
                "legendFormat": legend,
                "range": True,
                "refId": ref,
            }
            for ref, expr, legend in targets
        ],
        "title": title,
        "type": kind,
    }
    if kind == "stat":
        panel["options"] = {
            "colorMode": "background",
            "graphMode": "area",
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
        }
    else:
        panel["options"] = {
            "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
            "tooltip": {"mode": "multi", "sort": "desc"},
        }
    return panel


def _thresholds(panel: dict[str, Any], steps: Sequence[tuple[str, float | None]]) -> dict[str, Any]:
    listed = [{"color": color, "value": value} for color, value in steps]
    panel["fieldConfig"]["defaults"]["thresholds"] = {"mode": "absolute", "steps": listed}
    return panel


class _Layout:
    """Numbers panels from 1 and places them left to right, top to bottom."""

    def __init__(self) -> None:
        self.panels: list[dict[str, Any]] = []
        self.x = self.y = self.row_height = 0

    def add(self, panel: dict[str, Any], width: int = _WIDTH) -> None:
        height = 1 if panel["type"] == "row" else _HEIGHT
        if self.x + width > _WIDTH or panel["type"] == "row":
            self.x, self.y, self.row_height = 0, self.y + self.row_height, 0
        panel["id"] = len(self.panels) + 1
        panel["gridPos"] = {"h": height, "w": width, "x": self.x, "y": self.y}
        self.panels.append(panel)
        self.x, self.row_height = self.x + width, max(self.row_height, height)


def _sel(metric: str, *matchers: str) -> str:
    return f"{metric}{{{', '.join(matchers)}}}"


def _validate(
    service: str, namespace: str, environment: str, team: str, workload: str, slos: Sequence[str]
) -> None:
    if workload not in WORKLOADS:
        raise ValueError(f"workload must be one of {', '.join(WORKLOADS)}, got {workload!r}")
    names = {"service": service, "namespace": namespace, "environment": environment}
    for what, name in names.items():
        if not _DNS_LABEL.fullmatch(name):
            raise ValueError(f"{what} must be a DNS label (lowercase, digits, '-'), got {name!r}")
    if not team:
        raise ValueError("team is required")
    if isinstance(slos, str):
        raise TypeError("slos must be a sequence of SLO names, not one string")
    for name in slos:
        if not _SLO_NAME.fullmatch(name):
            raise ValueError(f"SLO name must match [a-z][-a-z0-9]*, got {name!r}")
    if len(set(slos)) != len(slos):
        raise ValueError(f"SLO names repeat: {', '.join(slos)}")
