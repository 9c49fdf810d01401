"""Delivery strategies: a Deployment's own, or an Argo Rollouts Rollout with its analysis.

A canary or blue-green service renders a `Rollout` in place of its Deployment (the same
pod template), a second Service the controller points at the new version (`-canary`
or `-preview`), and an `AnalysisTemplate` that reads the service's own HTTP metrics
in Prometheus: error ratio and p99 latency, judged against its alert thresholds
unless `delivery.analysis` says otherwise. A failed analysis aborts the rollout and
the stable version keeps (or gets back) all traffic.
"""

from __future__ import annotations

from typing import Any

from generators.domain.monitoring.defaults import Thresholds
from generators.spec.delivery import Delivery, Step
from generators.targets.base import metadata
from generators.targets.context import Deployed, EnvContext

API_VERSION = "argoproj.io/v1alpha1"
#: The Gateway API traffic router, as registered in the controller's `argo-rollouts-config`.
GATEWAY_PLUGIN = "argoproj-labs/gatewayAPI"
#: The managed route an A/B test adds to the HTTPRoute (and Argo CD leaves alone).
AB_ROUTE = "ab-test"
#: Prometheus' `rate()` window of the analysis queries: two scrapes at the default 1m.
WINDOW = "2m"


def strategy(delivery: Delivery) -> dict[str, Any] | None:
    """A Deployment's `spec.strategy`: Recreate, or RollingUpdate at the spec's pace.

    None when the spec sets no pace: Kubernetes' own (25% surge, 25% unavailable).
    """
    if delivery.strategy == "recreate":
        return {"type": "Recreate"}
    rolling = delivery.rolling
    pace = {
        name: value
        for name, value in (
            ("maxSurge", rolling.maxSurge),
            ("maxUnavailable", rolling.maxUnavailable),
        )
        if value is not None
    }
    return {"type": "RollingUpdate", "rollingUpdate": pace} if pace else None


def analysis_name(service: Deployed) -> str:
    """The service's AnalysisTemplate."""
    return f"{service.name}-analysis"


def second_service(service: Deployed) -> str:
    """The Service the controller points at the new version: `-canary` or `-preview`."""
    suffix = "-preview" if service.workload.delivery.strategy == "blueGreen" else "-canary"
    return f"{service.name}{suffix}"


def rollout(context: EnvContext, deployment: dict[str, Any], service: Deployed) -> dict[str, Any]:
    """The Deployment as a Rollout: same metadata, replicas, selector and pod template."""
    spec = {k: v for k, v in deployment["spec"].items() if k != "strategy"}
    delivery = service.workload.delivery
    web = service.workload.type == "web"
    if delivery.strategy == "canary":
        spec["strategy"] = {"canary": _canary(context, service, web)}
    elif delivery.strategy == "abTest":
        spec["strategy"] = {"canary": _ab_test(context, service)}
    else:
        spec["strategy"] = {"blueGreen": _blue_green(service)}
    return {
        "apiVersion": API_VERSION,
        "kind": "Rollout",
        "metadata": deployment["metadata"],
        "spec": spec,
    }


def _canary(context: EnvContext, service: Deployed, web: bool) -> dict[str, Any]:
    canary = service.workload.delivery.canary
    out: dict[str, Any] = {}
    if web:  # a worker has no Services: its weights are shares of its pods
        out["canaryService"] = second_service(service)
        out["stableService"] = service.name
    out["maxSurge"] = canary.maxSurge
    out["maxUnavailable"] = canary.maxUnavailable
    if web and service.workload.expose.visibility == "public":
        routing = context.spec.routing
        if routing.kind == "gateway":
            out["trafficRouting"] = {
                "plugins": {
                    GATEWAY_PLUGIN: {"httpRoute": service.name, "namespace": service.namespace}
                }
            }
        else:
            out["trafficRouting"] = {"nginx": {"stableIngress": service.name}}
    out["steps"] = [_step(service, step) for step in canary.steps]
    return out


def _ab_test(context: EnvContext, service: Deployed) -> dict[str, Any]:
    """A canary that sends only matching requests to the new version, for a while.

    Behind the Gateway API plugin, a managed header route (`setHeaderRoute`) that the
    rollout adds and removes; behind ingress-nginx, the canary Ingress's static
    `canary-by-header` or `canary-by-cookie` annotations (NGINX has no header routes).
    """
    test = service.workload.delivery.abTest
    assert test is not None  # the model requires it with the strategy
    match = test.match
    out: dict[str, Any] = {"canaryService": second_service(service), "stableService": service.name}
    steps: list[dict[str, Any]] = [{"setCanaryScale": {"replicas": test.replicas}}]
    if context.spec.routing.kind == "gateway":
        plugin = {"httpRoutes": [{"name": service.name, "useHeaderRoutes": True}]}
        out["trafficRouting"] = {
            "managedRoutes": [{"name": AB_ROUTE}],
            "plugins": {GATEWAY_PLUGIN: {**plugin, "namespace": service.namespace}},
        }
        if match.header is not None:
            rule = {"headerName": match.header, "headerValue": {"exact": match.value}}
        else:  # a cookie is a part of the Cookie header
            pattern = f"(^|;\\s*){match.cookie}={match.value}(;|$)"
            rule = {"headerName": "Cookie", "headerValue": {"regex": pattern}}
        steps.append({"setHeaderRoute": {"name": AB_ROUTE, "match": [rule]}})
        steps.append({"pause": {"duration": test.duration}})
        steps.append({"setHeaderRoute": {"name": AB_ROUTE}})  # the route ends with the test
    else:
        annotations = (
            {"canary-by-header": match.header, "canary-by-header-value": match.value}
            if match.header is not None
            else {"canary-by-cookie": str(match.cookie)}
        )
        out["trafficRouting"] = {
            "nginx": {"stableIngress": service.name, "additionalIngressAnnotations": annotations}
        }
        steps.append({"pause": {"duration": test.duration}})
    if test.then == "wait":
        steps.append({"pause": {}})
    out["steps"] = steps
    return out


def _step(service: Deployed, step: Step) -> dict[str, Any]:
    if step.setWeight is not None:
        return {"setWeight": step.setWeight}
    if step.pause is not None:
        return {"pause": {} if step.pause == "manual" else {"duration": step.pause}}
    return {"analysis": _analysis_ref(service, second_service(service))}


def _analysis_ref(service: Deployed, target: str) -> dict[str, Any]:
    return {
        "templates": [{"templateName": analysis_name(service)}],
        "args": [{"name": "service", "value": target}],
    }


def _blue_green(service: Deployed) -> dict[str, Any]:
    blue_green = service.workload.delivery.blueGreen
    out: dict[str, Any] = {
        "activeService": service.name,
        "previewService": second_service(service),
        "autoPromotionEnabled": blue_green.autoPromotion,
    }
    if blue_green.autoPromotion and blue_green.autoPromotionSeconds is not None:
        out["autoPromotionSeconds"] = blue_green.autoPromotionSeconds
    if blue_green.previewReplicas is not None:
        out["previewReplicaCount"] = blue_green.previewReplicas
    out["scaleDownDelaySeconds"] = blue_green.scaleDownDelaySeconds
    if blue_green.prePromotionAnalysis:
        out["prePromotionAnalysis"] = _analysis_ref(service, second_service(service))
    if blue_green.postPromotionAnalysis:
        out["postPromotionAnalysis"] = _analysis_ref(service, service.name)
    return out


def analysis_template(context: EnvContext, service: Deployed) -> dict[str, Any]:
    """The error ratio and p99 latency of the Service named by the `service` argument.

    The service's ServiceMonitor scrapes through each of its Services, so Prometheus
    labels the new version's requests with the `-canary` or `-preview` Service's name.
    No request at all reads as an error ratio of 0 and no latency: a version nobody
    calls passes (give it traffic, or a manual pause).
    """
    analysis = service.workload.delivery.analysis
    thresholds = service.workload.alerts.thresholds
    defaults = Thresholds()
    ratio = analysis.errorRatio or thresholds.errorRatio or defaults.error_ratio
    latency = (
        analysis.latencyP99Seconds or thresholds.latencyP99Seconds or defaults.latency_p99_seconds
    )
    selector = f'namespace="{service.namespace}",service="{{{{args.service}}}}"'
    requests = f"sum(rate(http_requests_total{{{selector}}}[{WINDOW}]))"
    errors = f'sum(rate(http_requests_total{{{selector},code=~"5.."}}[{WINDOW}]))'
    buckets = f"rate(http_request_duration_seconds_bucket{{{selector}}}[{WINDOW}])"
    common = {
        "interval": analysis.interval,
        "count": analysis.count,
        "failureLimit": analysis.failureLimit,
    }
    address = context.spec.monitoring.prometheus
    return {
        "apiVersion": API_VERSION,
        "kind": "AnalysisTemplate",
        "metadata": metadata(service, context.name, analysis_name(service)),
        "spec": {
            "args": [{"name": "service"}],
            "metrics": [
                {
                    "name": "error-ratio",
                    **common,
                    "successCondition": f"result[0] <= {ratio}",
                    "provider": {
                        "prometheus": {
                            "address": address,
                            "query": f"({errors} or vector(0))\n/\n"
                            f"clamp_min({requests} or vector(0), 1e-9)\n",
                        }
                    },
                },
                {
                    "name": "latency-p99",
                    **common,
                    "successCondition": f"result[0] <= {latency}",
                    "provider": {
                        "prometheus": {
                            "address": address,
                            "query": f"(histogram_quantile(0.99, sum by (le) ({buckets})) >= 0)\n"
                            "or vector(0)\n",
                        }
                    },
                },
            ],
        },
    }
