"""Delivery strategies that cannot run as written: the workload, the steps, what analysis reads."""

from __future__ import annotations

from collections.abc import Iterator

from generators.checks.base import at_resolved
from generators.diagnostics import Diagnostic, codes
from generators.model.platform import Platform, Resolved
from generators.spec.service import Workload


def check_delivery(platform: Platform) -> Iterator[Diagnostic]:
    """Each service's strategy fits its workload, and its analysis has metrics to read."""
    for key in sorted(platform.resolved):
        resolved = platform.resolved[key]
        if resolved.service in platform.services and platform.deploys(*key[::-1]):
            yield from _delivery(platform, resolved)


def _delivery(platform: Platform, resolved: Resolved) -> Iterator[Diagnostic]:
    workload = resolved.workload
    delivery = workload.delivery
    strategy = delivery.strategy
    at = ("delivery", "strategy")
    if strategy != "rolling" and workload.type in ("cron", "job"):
        yield at_resolved(
            resolved,
            at,
            codes.DELIVERY,
            f"a {workload.type} runs to completion: it has no `{strategy}` rollout",
            "remove `delivery`: each run takes the image pinned when it starts",
        )
        return
    if strategy == "blueGreen" and workload.type == "worker":
        yield at_resolved(
            resolved,
            at,
            codes.DELIVERY,
            "blue-green switches a Service between versions, and a worker has none",
            "use `canary` (its weights are shares of the worker's pods) or `recreate`",
        )
        return
    if strategy == "canary":
        yield from _steps(resolved)
    if strategy == "abTest":
        yield from _ab_test(platform, resolved)
    if strategy == "blueGreen" and workload.probes.readiness is None:
        yield at_resolved(
            resolved,
            at,
            codes.DELIVERY,
            "blue-green switches traffic when the preview is ready, and this service has "
            "no readiness probe to say so",
            "add `probes.readiness` (e.g. `http: {path: /readyz}`)",
        )
    if delivery.analysed:
        yield from _analysis(resolved)


def _ab_test(platform: Platform, resolved: Resolved) -> Iterator[Diagnostic]:
    """An A/B test needs public traffic, through a router that can match requests."""
    workload = resolved.workload
    test = workload.delivery.abTest
    assert test is not None
    at = ("delivery", "strategy")
    if workload.type != "web" or workload.expose.visibility != "public":
        yield at_resolved(
            resolved,
            at,
            codes.DELIVERY,
            "an A/B test splits public requests, and this service takes none",
            "expose it (`expose: {visibility: public, hosts: [...]}`), or use `canary`",
        )
        return
    routing = platform.environments[resolved.environment][1].spec.routing
    if routing.kind == "ingress" and routing.ingressClass != "nginx":
        yield at_resolved(
            resolved,
            at,
            codes.DELIVERY,
            f"ingress class {routing.ingressClass!r} cannot route by header or cookie for "
            "Argo Rollouts (only ingress-nginx's canary annotations can)",
            "run the test where routing is ingress-nginx or a Gateway, or use `canary` here",
        )
    elif (
        routing.kind == "ingress" and test.match.cookie is not None and test.match.value != "always"
    ):
        yield at_resolved(
            resolved,
            ("delivery", "abTest", "match", "value"),
            codes.DELIVERY,
            f"ingress-nginx sends a cookie to the canary only when its value is `always`, "
            f"not {test.match.value!r}",
            "set `value: always` (the application sets the cookie so), or match a header",
        )


def _steps(resolved: Resolved) -> Iterator[Diagnostic]:
    weight = 0
    for index, step in enumerate(resolved.workload.delivery.canary.steps):
        if step.setWeight is None:
            continue
        if step.setWeight <= weight:
            yield at_resolved(
                resolved,
                ("delivery", "canary", "steps", index, "setWeight"),
                codes.DELIVERY,
                f"canary weight {step.setWeight}% does not grow (an earlier step set {weight}%)",
                "each `setWeight` must be above the one before; the rollout goes to 100% "
                "after the last step by itself",
            )
        weight = max(weight, step.setWeight)


def _analysis(resolved: Resolved) -> Iterator[Diagnostic]:
    workload = resolved.workload
    where = (
        ("delivery", "canary", "steps", _first_analysis(workload))
        if workload.delivery.strategy == "canary"
        else ("delivery", "blueGreen")
    )
    if workload.type != "web":
        yield at_resolved(
            resolved,
            where,
            codes.DELIVERY,
            "the analysis reads HTTP requests (error ratio, p99 latency), and a worker serves none",
            "drop the analysis steps (pauses and weights still apply), or judge the worker "
            "by hand with a `pause: manual` step",
        )
    elif workload.metrics is None:
        yield at_resolved(
            resolved,
            where,
            codes.DELIVERY,
            "the analysis reads the service's metrics in Prometheus, and it declares none",
            "add `metrics: {port: http}` (the port serving /metrics with "
            "http_requests_total and http_request_duration_seconds), or drop the analysis",
        )


def _first_analysis(workload: Workload) -> int:
    return next(i for i, step in enumerate(workload.delivery.canary.steps) if step.analysis)


def check_update_fits_volumes(platform: Platform) -> Iterator[Diagnostic]:
    """A rolling update of a pod holding a ReadWriteOnce claim cannot start its new pod."""
    for key in sorted(platform.resolved):
        resolved = platform.resolved[key]
        workload = resolved.workload
        if workload.type not in ("web", "worker") or workload.delivery.strategy == "recreate":
            continue
        if resolved.service not in platform.services or not platform.deploys(*key[::-1]):
            continue
        for index, volume in enumerate(workload.volumes):
            claim = volume.claim
            if claim is not None and claim.size is not None and claim.accessMode == "ReadWriteOnce":
                yield at_resolved(
                    resolved,
                    ("volumes", index, "claim", "accessMode"),
                    codes.UPDATE_BLOCKED,
                    f"volume {volume.name!r} is ReadWriteOnce: a {workload.delivery.strategy} "
                    "update's new pod waits for the old one to let go of it, and on another "
                    "node it never does",
                    "set `delivery: {strategy: recreate}` (the old pod stops first), or use "
                    "a ReadWriteMany claim",
                )
                break
