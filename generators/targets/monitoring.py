"""Monitoring per service and environment: monitors, PrometheusRule, Grafana dashboard.

The rule groups: the default alerts of the workload type (thresholds from the spec), the
spec's custom alerts, and for each SLO the three groups Sloth generates
(generators/domain/monitoring/). Every alert carries team, service, environment and
severity labels, which Alertmanager routes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generators.domain.layout import OBSERVABILITY_APP, app_path
from generators.domain.monitoring import dashboards, slo
from generators.domain.monitoring.rules import sloth_slo, workload_defaults
from generators.emit import dump
from generators.targets.base import Output, Target, environment_metadata, metadata, selector_labels
from generators.targets.context import Deployed, EnvContext

MONITORING_API = "monitoring.coreos.com/v1"
LOKI_CLASS_LABEL = "retention_class"


class MonitoringTarget(Target):
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
            "metadata": environment_metadata(
                context, f"loki-overrides-{context.name}", store.namespace
            ),
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
