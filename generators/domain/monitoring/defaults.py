"""Default Prometheus alerts for one service in one environment, chosen by its workload type."""

# Metric and label names, as checked in kubernetes/kube-state-metrics (KSM):
# - docs/metrics/workload/pod-metrics.md: kube_pod_labels {namespace, pod, label_*},
#   kube_pod_status_ready {condition=true|false|unknown}, kube_pod_status_phase {phase},
#   kube_pod_container_status_restarts_total (counter), kube_pod_container_status_waiting_reason
#   {reason} (both per namespace, pod, container), kube_pod_container_resource_limits {resource}.
# - docs/metrics/workload/horizontalpodautoscaler-metrics.md: kube_horizontalpodautoscaler_
#   status_current_replicas and _spec_max_replicas {namespace, horizontalpodautoscaler}.
# - docs/metrics/workload/job-metrics.md, internal/store/job.go: kube_job_status_failed {namespace,
#   job_name, reason} (failed pods, or once the Job failed a 0/1 series per known reason),
#   kube_job_complete {condition}, kube_job_status_start_time, kube_job_owner {owner_kind, _name}.
# - docs/metrics/workload/cronjob-metrics.md, internal/store/cronjob.go: kube_cronjob_status_
#   last_successful_time {namespace, cronjob} exists only after a first success (until then the
#   creation time, kube_cronjob_created, stands in); kube_cronjob_spec_suspend.
# - docs/developer/cli-arguments.md: kube_pod_labels has no Kubernetes label unless allowed, here
#   by --metric-labels-allowlist=pods=[app.kubernetes.io/name]; internal/store/utils.go names it
#   label_app_kubernetes_io_name ("label_" + the key with [^a-zA-Z0-9_] replaced by "_").
# cAdvisor: container_cpu_usage_seconds_total {namespace, pod, container}; image="" marks cgroup
# totals (kubernetes-monitoring/kubernetes-mixin rules/apps.libsonnet drops them the same way).
# prometheus-operator pkg/prometheus/promcfg.go: a ServiceMonitor target gets `namespace` and
# `service` (the Service's name) labels, so the application's http_* series select on both.
#
# Pods belong to the service by their app.kubernetes.io/name label (the Kubernetes target sets it
# on every pod template), joined through kube_pod_labels rather than a pod-name regex, which for
# `checkout-.*` would also match checkout-worker's pods. Without the KSM flag the join is empty and
# the pod alerts stay silent. Every expression keeps `namespace` (an AlertmanagerConfig only sees
# its namespace's alerts, formats.md 6.3) and aggregates to named labels, so the scrape's own
# labels (KSM's pod) neither mislead nor re-fire alerts when KSM restarts. Rule labels override
# series labels, so `service` is always set (KSM series carry KSM's own Service name). Annotations
# see series labels only, hence the literal service and namespace in their text.

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generators.domain.monitoring.slo import go_float

WORKLOADS = ("web", "worker", "cron", "job")
RUNBOOK = "https://github.com/acme/platform/blob/main/docs/observability.md"
POD_LABEL = "label_app_kubernetes_io_name"
KSM_FLAG = "--metric-labels-allowlist=pods=[app.kubernetes.io/name]"
# Critical (pages): users are failing now, or pods cannot run at all. Everything else is a
# warning (a ticket): signs that precede trouble, and failures of batch work that can be rerun.
CRITICAL = frozenset({"ServiceHighErrorRatio", "ServiceCrashLooping"})
_PODS = ("ServiceCrashLooping", "ServicePodNotReady")
_HTTP = ("ServiceHighErrorRatio", "ServiceHighLatency")
#: The default alerts of each workload type, in output order. ServiceAutoscalerAtMax only when
#: autoscaled; the Kubernetes target renders HPAs for web and worker only.
ALERTS: Mapping[str, tuple[str, ...]] = {
    "web": (*_HTTP, "ServiceCPUSaturation", *_PODS, "ServiceAutoscalerAtMax"),
    "worker": ("ServiceCPUSaturation", *_PODS, "ServiceAutoscalerAtMax"),
    "cron": ("ServiceCronJobFailed", "ServiceCronJobMissedRun", *_PODS),
    "job": ("ServiceJobFailed", *_PODS),
}
_DURATION = re.compile(r"(?:\d+(?:ms|[smhdwy]))+")
_DURATION_PART = re.compile(r"(\d+)(ms|[smhdwy])")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")  # needs no quoting in PromQL
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
# Go templates that Prometheus expands per alert.
_VALUE, _PERCENT = "{{ $value }}", "{{ $value | humanizePercentage }}"
_SPAN = "{{ $value | humanizeDuration }}"
_POD, _CONTAINER, _JOB = "{{ $labels.pod }}", "{{ $labels.container }}", "{{ $labels.job_name }}"


@dataclass(frozen=True)
class Thresholds:
    """Where the default alerts fire; each may be overridden per service and environment."""

    error_ratio: float = 0.05  # 5xx share of requests over 5m (web)
    latency_p99_seconds: float = 1.0  # p99 request latency (web)
    saturation: float = 0.9  # CPU usage / CPU limit (web, worker)
    crash_loop_restarts: int = 3  # restarts in 15m
    not_ready_for: str = "15m"
    hpa_at_max_for: str = "30m"
    cron_missed_grace: str = "1h"  # a cron run may be late by this much

    def __post_init__(self) -> None:
        for name in ("error_ratio", "saturation"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"{name} must be above 0 and below 1, got {getattr(self, name)}")
        if not 0 < self.latency_p99_seconds < math.inf:
            raise ValueError(f"latency_p99_seconds must be > 0, got {self.latency_p99_seconds}")
        restarts = self.crash_loop_restarts
        if isinstance(restarts, bool) or not isinstance(restarts, int) or restarts < 1:
            raise ValueError(f"crash_loop_restarts must be a whole number >= 1, got {restarts!r}")
        for name in ("not_ready_for", "hpa_at_max_for", "cron_missed_grace"):
            value = getattr(self, name)
            if not isinstance(value, str) or not _DURATION.fullmatch(value):
                raise ValueError(f"{name} must be a Prometheus duration such as 15m, got {value!r}")


def default_rules(
    *,
    service: str,
    namespace: str,
    workload: str,
    labels: Mapping[str, str],
    thresholds: Thresholds,
    autoscaled: bool,
    schedule_seconds: int | None = None,
) -> list[dict[str, Any]]:
    """The default alerting rules of ``service`` in ``namespace`` for its ``workload`` type.

    ``labels`` (team, service, environment) go on every rule, with ``severity``;
    ``schedule_seconds`` is a cron workload's longest interval between runs.
    """
    _validate(service, namespace, workload, labels, schedule_seconds)
    t, ns, where = thresholds, f'namespace="{namespace}"', f"{service} in {namespace}"
    own = {**labels, "service": service}
    # The service's pods; `and on (namespace, pod)` keeps the left side's values and labels.
    pods = _m("kube_pod_labels", ns, f'{POD_LABEL}="{service}"')
    pods = f"max by (namespace, pod) ({pods})"
    rules: list[dict[str, Any]] = []

    def add(alert: str, expr: str, wait: str, summary: str, description: str) -> None:
        severity = "critical" if alert in CRITICAL else "warning"
        rules.append(
            {
                "alert": alert,
                "expr": expr,
                "for": wait,
                "labels": dict(sorted({**own, "severity": severity}.items())),
                "annotations": {
                    "summary": summary,
                    "description": description,
                    "runbook_url": f"{RUNBOOK}#{alert.lower()}",
                },
            }
        )

    if workload == "web":
        http, ratio = (ns, f'service="{service}"'), f"{t.error_ratio * 100:.4g}%"
        requests = _m("http_requests_total", *http)
        errors = _m("http_requests_total", *http, 'code=~"5.."')
        add(
            "ServiceHighErrorRatio",
            f"sum by (namespace, service) (rate({errors}[5m]))\n/\n"
            f"sum by (namespace, service) (rate({requests}[5m]))\n> {go_float(t.error_ratio)}\n",
            "5m",
            f"{service} answers more than {ratio} of requests with a 5xx",
            f"{_PERCENT} of requests to {where} failed with a 5xx over the last 5 minutes "
            f"(threshold {ratio}).",
        )
        latency = go_float(t.latency_p99_seconds)
        add(
            "ServiceHighLatency",
            "histogram_quantile(0.99, sum by (namespace, service, le) (\n"
            f"  rate({_m('http_request_duration_seconds_bucket', *http)}[5m])\n))\n> {latency}\n",
            "10m",
            f"{service} is slow: p99 latency above {latency}s",
            f"The 99th percentile of request latency of {where} is {_SPAN} (threshold {latency}s).",
        )
    if workload in ("web", "worker"):
        usage = _m("container_cpu_usage_seconds_total", ns, 'container!=""', 'image!=""')
        limits = _m("kube_pod_container_resource_limits", ns, 'resource="cpu"')
        add(
            "ServiceCPUSaturation",
            f"(\n  sum by (namespace, pod, container) (rate({usage}[5m]))\n"
            f"  / on (namespace, pod, container)\n  sum by (namespace, pod, container) ({limits})\n"
            f"  > {go_float(t.saturation)}\n)\nand on (namespace, pod)\n{pods}\n",
            "15m",
            f"{service} uses more than {t.saturation * 100:.4g}% of its CPU limit",
            f"Container {_CONTAINER} of pod {_POD} ({where}) uses {_PERCENT} of its CPU limit; "
            "it is being throttled.",
        )
    if workload == "cron":
        cronjob = (ns, f'cronjob="{service}"')
        success = _m("kube_cronjob_status_last_successful_time", *cronjob)
        owned = _m("kube_job_owner", ns, 'owner_kind="CronJob"', f'owner_name="{service}"')
        complete = _m("kube_job_complete", ns, 'condition="true"')
        add(
            "ServiceCronJobFailed",
            # Failed Jobs of this CronJob that did not complete after all, except those that
            # started before its last success (failed Jobs stay in the CronJob's history).
            f"(\n  sum by (namespace, job_name) ({_m('kube_job_status_failed', ns)}) > 0\n"
            f"  unless on (namespace, job_name) {complete} == 1\n"
            f"  and on (namespace, job_name) {owned}\n)\nunless on (namespace, job_name)\n(\n"
            f"  max by (namespace, job_name) ({_m('kube_job_status_start_time', ns)})\n"
            f"  < on (namespace) group_left ()\n  max by (namespace) ({success})\n)\n",
            "15m",
            f"A run of the {service} CronJob failed",
            f"Job {_JOB} of CronJob {where} failed and has not succeeded since.",
        )
        created = f"max by (namespace, cronjob) ({_m('kube_cronjob_created', *cronjob)})"
        grace = go_float(_seconds(t.cron_missed_grace))
        add(
            "ServiceCronJobMissedRun",
            f"time() - (\n  max by (namespace, cronjob) ({success})\n  or\n  {created}\n)\n"
            f"> {schedule_seconds} + {grace}\n"
            f"unless on (namespace, cronjob) {_m('kube_cronjob_spec_suspend', *cronjob)} == 1\n",
            "0s",  # the grace already is the wait
            f"The {service} CronJob missed a run",
            f"CronJob {where} last succeeded {_SPAN} ago (or never, since it was created); "
            f"it runs at least every {schedule_seconds}s, plus {t.cron_missed_grace} of grace.",
        )
    if workload == "job":
        job = (ns, f'job_name="{service}"')
        complete = _m("kube_job_complete", *job, 'condition="true"')
        add(
            "ServiceJobFailed",
            f"sum by (namespace, job_name) ({_m('kube_job_status_failed', *job)}) > 0\n"
            f"unless on (namespace, job_name) {complete} == 1\n",
            "15m",
            f"The {service} Job failed",
            f"Job {where} has failed pods and has not completed.",
        )
    restarts = _m("kube_pod_container_status_restarts_total", ns)
    waiting = _m("kube_pod_container_status_waiting_reason", ns, 'reason="CrashLoopBackOff"')
    add(
        "ServiceCrashLooping",
        f"(\n  sum by (namespace, pod, container) (increase({restarts}[15m]))"
        f" >= {t.crash_loop_restarts}\n  or\n"
        f"  max by (namespace, pod, container) (max_over_time({waiting}[5m])) == 1\n"
        f")\nand on (namespace, pod)\n{pods}\n",
        "10m",  # one crash shows CrashLoopBackOff for one backoff; 10m of it is a loop
        f"{service} is crash looping",
        f"Container {_CONTAINER} of pod {_POD} ({where}) restarted {t.crash_loop_restarts} or more "
        "times in 15 minutes, or keeps waiting in CrashLoopBackOff.",
    )
    # Finished pods (a run that succeeded or failed, an evicted pod) are never ready again.
    finished = _m("kube_pod_status_phase", ns, 'phase=~"Succeeded|Failed"')
    unready = _m("kube_pod_status_ready", ns, 'condition="false"')
    add(
        "ServicePodNotReady",
        f"(\n  max by (namespace, pod) ({unready}) == 1\n"
        f"  unless on (namespace, pod)\n  max by (namespace, pod) ({finished}) == 1\n"
        f")\nand on (namespace, pod)\n{pods}\n",
        t.not_ready_for,
        f"A pod of {service} is not ready",
        f"Pod {_POD} ({where}) has not been ready for {t.not_ready_for}.",
    )
    if autoscaled and workload in ("web", "worker"):
        hpa = (ns, f'horizontalpodautoscaler="{service}"')
        current = _m("kube_horizontalpodautoscaler_status_current_replicas", *hpa)
        most = _m("kube_horizontalpodautoscaler_spec_max_replicas", *hpa)
        add(
            "ServiceAutoscalerAtMax",
            f"max by (namespace, horizontalpodautoscaler) ({current})\n>=\n"
            f"max by (namespace, horizontalpodautoscaler) ({most})\n",
            t.hpa_at_max_for,
            f"{service} runs at its maximum number of replicas",
            f"The autoscaler of {where} has run {_VALUE} replicas, its maximum, for "
            f"{t.hpa_at_max_for}: it cannot add capacity.",
        )
    return rules


def _m(metric: str, *matchers: str) -> str:
    return f"{metric}{{{', '.join(matchers)}}}"


def _validate(
    service: str,
    namespace: str,
    workload: str,
    labels: Mapping[str, str],
    schedule_seconds: int | None,
) -> None:
    if workload not in WORKLOADS:
        raise ValueError(f"workload must be one of {', '.join(WORKLOADS)}, got {workload!r}")
    for what, name in (("service", service), ("namespace", namespace)):
        if not _DNS_LABEL.fullmatch(name):
            raise ValueError(f"{what} must be a DNS label (lowercase, digits, '-'), got {name!r}")
    bad = [key for key in labels if not _LABEL_NAME.fullmatch(key) or key.startswith("__")]
    if bad:
        raise ValueError(f"labels: invalid name(s) {', '.join(map(repr, bad))}")
    if "severity" in labels:
        raise ValueError("labels: severity is set per rule, not by the caller")
    if labels.get("service", service) != service:
        raise ValueError(f"labels: service is {labels['service']!r}, not {service!r}")
    if workload == "cron" and not (type(schedule_seconds) is int and schedule_seconds >= 1):
        raise ValueError(f"a cron workload needs schedule_seconds >= 1, got {schedule_seconds!r}")


def _seconds(duration: str) -> float:
    return sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART.findall(duration))
