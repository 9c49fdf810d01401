"""Monitoring per service and environment: monitors, PrometheusRule, Grafana dashboard.

The rule groups: the default alerts of the workload type (generators/alert_defaults.py,
thresholds from the spec), the spec's custom alerts, and for each SLO the three groups
Sloth generates (generators/slo.py). Every alert carries team, service, environment and
severity labels, which Alertmanager routes on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from generators import dashboards, slo
from generators.alert_defaults import Thresholds, default_rules
from generators.context import Deployed, EnvContext
from generators.cron import interval_seconds
from generators.emit import dump
from generators.spec.observability import SLOSpec
from generators.spec.observability import Thresholds as ThresholdSpec
from generators.spec.service import Workload
from generators.targets.base import MANAGED_BY, Output, app_path, metadata, selector_labels

MONITORING_API = "monitoring.coreos.com/v1"
#: Environment-wide observability objects (the log store's limits).
OBSERVABILITY_APP = "_observability"
LOKI_CLASS_LABEL = "retention_class"
_THRESHOLDS = {
    "errorRatio": "error_ratio",
    "latencyP99Seconds": "latency_p99_seconds",
    "saturation": "saturation",
    "crashLoopRestarts": "crash_loop_restarts",
    "notReadyFor": "not_ready_for",
    "hpaAtMaxFor": "hpa_at_max_for",
    "cronMissedGrace": "cron_missed_grace",
}


class MonitoringTarget:
    """Renders the scraping and alerting objects of one environment."""

    name = "monitoring"

    def render(self, context: EnvContext) -> Iterator[Output]:
        """Per service its monitor and rules; per environment the log store's limits."""
        if context.services:
            yield app_path(context.name, OBSERVABILITY_APP), self.loki_overrides(context)
        for service in context.services:
            path = app_path(context.name, service.name)
            monitor = self.monitor(context, service)
            if monitor is not None:
                yield path, monitor
            yield path, self.prometheus_rule(context, service)
            yield path, self.dashboard(context, service)

    def loki_overrides(self, context: EnvContext) -> dict[str, Any]:
        """Loki's runtime config for the environment's tenant: retention per class.

        Streams carry the class as the `retention_class` label (the shipper maps the
        pods' `platform/log-retention` label to it); `standard` is the tenant default.
        """
        store = context.spec.logs
        retention = store.retention
        overrides = {
            "overrides": {
                store.tenant or context.name: {
                    "retention_period": retention.standard,
                    "retention_stream": [
                        {
                            "selector": f'{{{LOKI_CLASS_LABEL}="{name}"}}',
                            "priority": 1,
                            "period": getattr(retention, name),
                        }
                        for name in ("short", "long")
                    ],
                }
            }
        }
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": f"loki-overrides-{context.name}",
                "namespace": store.namespace,
                "labels": {
                    "app.kubernetes.io/managed-by": MANAGED_BY,
                    "platform/environment": context.name,
                },
            },
            "data": {"runtime-config.yaml": dump(overrides)},
        }

    def dashboard(self, context: EnvContext, service: Deployed) -> dict[str, Any]:
        """The service's Grafana dashboard, in a ConfigMap the Grafana sidecar loads."""
        model = dashboards.dashboard(
            service=service.name,
            namespace=service.namespace,
            environment=context.name,
            team=service.team,
            workload=service.workload.type,
            slos=[objective.name for objective in service.workload.slos],
        )
        label, value = dashboards.SIDECAR_LABEL
        meta = metadata(
            service,
            context.name,
            dashboards.config_map_name(service.name),
            annotations={dashboards.FOLDER_ANNOTATION: service.team},
        )
        meta["labels"] = {**meta["labels"], label: value}
        # One file per key in the sidecar's folder: named so two environments never clash.
        key = f"{context.name}-{service.name}.json"
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta,
            "data": {key: dashboards.dashboard_json(model)},
        }

    def alert_labels(self, context: EnvContext, service: Deployed) -> dict[str, str]:
        """What every alert of the service carries (routing keys)."""
        return {"team": service.team, "service": service.name, "environment": context.name}

    def monitor(self, context: EnvContext, service: Deployed) -> dict[str, Any] | None:
        """A ServiceMonitor for a web service, a PodMonitor for the others."""
        metrics = service.workload.metrics
        if metrics is None:
            return None
        endpoint = {"port": metrics.port, "path": metrics.path, "interval": metrics.interval}
        meta = metadata(service, context.name)
        meta["labels"] = {**meta["labels"], **context.spec.monitoring.monitorLabels}
        if service.workload.type == "web":
            return {
                "apiVersion": MONITORING_API,
                "kind": "ServiceMonitor",
                "metadata": meta,
                "spec": {
                    "selector": {"matchLabels": selector_labels(service)},
                    "endpoints": [endpoint],
                },
            }
        return {
            "apiVersion": MONITORING_API,
            "kind": "PodMonitor",
            "metadata": meta,
            "spec": {
                "selector": {"matchLabels": selector_labels(service)},
                "podMetricsEndpoints": [endpoint],
            },
        }

    def prometheus_rule(self, context: EnvContext, service: Deployed) -> dict[str, Any]:
        """Default, custom and SLO rules in one PrometheusRule."""
        workload = service.workload
        labels = self.alert_labels(context, service)
        defaults = [
            rule
            for rule in workload_defaults(service.name, service.namespace, workload, labels)
            if rule["alert"] not in workload.alerts.disabled
        ]
        groups: list[dict[str, Any]] = []
        if defaults:
            groups.append({"name": f"{service.name}.defaults", "rules": defaults})
        if workload.alerts.custom:
            groups.append(
                {
                    "name": f"{service.name}.custom",
                    "rules": [self.custom_rule(alert, labels) for alert in workload.alerts.custom],
                }
            )
        for objective in workload.slos:
            groups += slo.rule_groups(sloth_slo(service.name, service.namespace, objective, labels))
        meta = metadata(service, context.name)
        meta["labels"] = {**meta["labels"], **context.spec.monitoring.ruleLabels}
        return {
            "apiVersion": MONITORING_API,
            "kind": "PrometheusRule",
            "metadata": meta,
            "spec": {"groups": groups},
        }

    def custom_rule(self, alert: Any, labels: dict[str, str]) -> dict[str, Any]:
        """A custom alert with the routing labels; business alerts say so."""
        rule_labels = {**labels, "severity": alert.severity}
        if alert.business:
            rule_labels["category"] = "business"
        annotations = {"summary": alert.summary}
        if alert.description:
            annotations["description"] = alert.description
        if alert.runbook:
            annotations["runbook_url"] = alert.runbook
        return {
            "alert": alert.name,
            "expr": alert.expr,
            "for": alert.for_,
            "labels": rule_labels,
            "annotations": annotations,
        }


def workload_defaults(
    service: str, namespace: str, workload: Workload, labels: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The default alerts of a workload's type, with its thresholds (before `disabled`)."""
    scaling = workload.scaling
    autoscaled = scaling is not None and scaling.min is not None
    return defaults_of(
        service, namespace, workload.type, workload.alerts.thresholds, autoscaled,
        workload.schedule, labels,
    )  # fmt: skip


def defaults_of(
    service: str,
    namespace: str,
    workload: str,
    thresholds: ThresholdSpec,
    autoscaled: bool,
    schedule: str | None,
    labels: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The default alerts of a workload type, from the spec's thresholds."""
    given = thresholds.model_dump(exclude_none=True)
    return default_rules(
        service=service,
        namespace=namespace,
        workload=workload,
        labels=labels,
        thresholds=Thresholds(**{_THRESHOLDS[k]: v for k, v in given.items()}),
        autoscaled=autoscaled,
        schedule_seconds=interval_seconds(schedule) if schedule else None,
    )


def sloth_slo(
    service: str, namespace: str, objective: SLOSpec, labels: Mapping[str, str]
) -> slo.SLO:
    """The Sloth SLO of a spec's objective, with queries over the standard metrics."""
    errors, total = slo_queries(service, namespace, objective)
    camel = "".join(p.capitalize() for p in f"{service}-{objective.name}".split("-"))
    return slo.SLO(
        service=service,
        name=objective.name,
        objective=objective.objective,
        error_query=errors,
        total_query=total,
        alert_name=f"{camel}SLO",
        period_days=int(objective.period.removesuffix("d")),
        labels=dict(labels),
        page_labels={"severity": "critical"},
        ticket_labels={"severity": "warning"},
    )


def slo_queries(service: str, namespace: str, objective: SLOSpec) -> tuple[str, str]:
    """Bad and total event rates over ``{{window}}`` for an SLO (also used by validate)."""
    if objective.events is not None:
        return objective.events.errors, objective.events.total
    match = f'namespace="{namespace}",service="{service}"'
    if objective.availability:
        total = f"sum(rate(http_requests_total{{{match}}}[{{{{window}}}}]))"
        errors = f'sum(rate(http_requests_total{{{match},code=~"5.."}}[{{{{window}}}}]))'
        return errors, total
    bound = format(objective.latencySeconds, "g")
    count = f"sum(rate(http_request_duration_seconds_count{{{match}}}[{{{{window}}}}]))"
    fast = (
        f'sum(rate(http_request_duration_seconds_bucket{{{match},le="{bound}"}}[{{{{window}}}}]))'
    )
    return f"({count} - {fast})", count
