"""A service's Prometheus rules as data: its default alerts and its SLOs' Sloth groups.

The targets render them into a PrometheusRule (generators/targets/monitoring.py); the
checks parse every expression they hold before anything is merged
(generators/checks/observability.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generators.domain.cron import interval_seconds
from generators.domain.monitoring import slo
from generators.domain.monitoring.defaults import Thresholds, default_rules
from generators.spec.observability import SLOSpec
from generators.spec.observability import Thresholds as ThresholdSpec
from generators.spec.service import Workload

#: Spec threshold names -> the default rules' parameter names.
_THRESHOLDS = {
    "errorRatio": "error_ratio",
    "latencyP99Seconds": "latency_p99_seconds",
    "saturation": "saturation",
    "crashLoopRestarts": "crash_loop_restarts",
    "notReadyFor": "not_ready_for",
    "hpaAtMaxFor": "hpa_at_max_for",
    "cronMissedGrace": "cron_missed_grace",
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
