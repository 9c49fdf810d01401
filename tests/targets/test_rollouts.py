"""Delivery strategies (targets/kubernetes/rollouts.py, checks/delivery.py): render and check."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import promql_parser
import pytest
from ruamel.yaml import YAML

from generators import pipeline
from generators.targets.kubernetes.schema import CRD_SCHEMAS
from tests.conftest import REPO, copy_base

SERVICE = """\
apiVersion: platform/v1
kind: Service
metadata:
  name: shop
  team: shop
  lifecycle: production
spec:
  image: ghcr.io/example/shop:1.0.0
  ports:
    - {name: http, port: 8080}
  probes:
    readiness: {http: {path: /readyz}}
  metrics: {port: http}
  scaling: {min: 2, max: 4, targetCPU: 70}
  expose: {visibility: public, hosts: [shop]}
"""


def platform(tmp_path: Path, extra: str, without: tuple[str, ...] = ()) -> Path:
    """The base platform with the `shop` service, its spec's ``without`` keys removed."""
    root = copy_base(tmp_path / "repo")
    lines, skipping = [], False
    for line in SERVICE.splitlines(keepends=True):
        if line.startswith("  ") and not line.startswith("   "):
            skipping = line.strip().split(":")[0] in without
        if not skipping:
            lines.append(line)
    body = "".join(lines) + textwrap.indent(textwrap.dedent(extra), "  ")
    (root / "platform/services/shop.yaml").write_text(body)
    return root


def rendered(root: Path, env: str = "dev") -> dict[tuple[str, str], dict[str, Any]]:
    result = pipeline.render_platform(root)
    assert result.validation.errors == 0, result.validation.diagnostics
    text = result.tree[f"{env}/shop/manifests.yaml"].decode()
    return {(o["kind"], o["metadata"]["name"]): o for o in YAML(typ="safe").load_all(text)}


def crd(kind: str) -> jsonschema.Draft7Validator:
    path = CRD_SCHEMAS / f"{kind.lower()}_argoproj.io_v1alpha1.json"
    return jsonschema.Draft7Validator(json.loads(path.read_text()))


def test_rolling_and_recreate_are_a_deployments_strategy(tmp_path: Path) -> None:
    objects = rendered(platform(tmp_path, "delivery: {rolling: {maxSurge: 1, maxUnavailable: 0}}"))
    assert objects[("Deployment", "shop")]["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
    }
    objects = rendered(platform(tmp_path / "b", "delivery: {strategy: recreate}"))
    assert objects[("Deployment", "shop")]["spec"]["strategy"] == {"type": "Recreate"}
    # Without a pace, Kubernetes' own: no strategy is written.
    assert "strategy" not in rendered(platform(tmp_path / "c", ""))[("Deployment", "shop")]["spec"]


def test_a_canary_is_a_rollout_with_routing_steps_analysis_and_a_second_service(
    tmp_path: Path,
) -> None:
    objects = rendered(platform(tmp_path, "delivery: {strategy: canary}"))
    assert ("Deployment", "shop") not in objects
    rollout = objects[("Rollout", "shop")]
    crd("Rollout").validate(rollout)
    canary = rollout["spec"]["strategy"]["canary"]
    assert canary["canaryService"] == "shop-canary"
    assert canary["stableService"] == "shop"
    assert canary["trafficRouting"] == {"nginx": {"stableIngress": "shop"}}
    assert [next(iter(s)) for s in canary["steps"]] == [
        "setWeight", "pause", "analysis", "setWeight", "pause", "analysis",
    ]  # fmt: skip
    assert canary["steps"][2]["analysis"] == {
        "templates": [{"templateName": "shop-analysis"}],
        "args": [{"name": "service", "value": "shop-canary"}],
    }
    # Same pod template as the Deployment it replaces.
    plain = rendered(platform(tmp_path / "plain", ""))[("Deployment", "shop")]
    assert rollout["spec"]["template"] == plain["spec"]["template"]
    assert rollout["spec"]["selector"] == plain["spec"]["selector"]
    second = objects[("Service", "shop-canary")]
    assert second["spec"]["type"] == "ClusterIP"
    assert second["spec"]["selector"] == objects[("Service", "shop")]["spec"]["selector"]
    hpa = objects[("HorizontalPodAutoscaler", "shop")]
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "name": "shop",
    }


def test_the_analysis_reads_the_new_versions_requests_at_the_thresholds(tmp_path: Path) -> None:
    objects = rendered(
        platform(
            tmp_path,
            "delivery: {strategy: canary, analysis: {errorRatio: 0.02, count: 3}}\n"
            "alerts: {thresholds: {latencyP99Seconds: 0.5}}\n",
        )
    )
    template = objects[("AnalysisTemplate", "shop-analysis")]
    crd("AnalysisTemplate").validate(template)
    metrics = {m["name"]: m for m in template["spec"]["metrics"]}
    assert metrics["error-ratio"]["successCondition"] == "result[0] <= 0.02"
    assert metrics["latency-p99"]["successCondition"] == "result[0] <= 0.5"  # the alert's
    assert metrics["error-ratio"]["count"] == 3
    for metric in metrics.values():
        query = metric["provider"]["prometheus"]["query"]
        assert 'namespace="shop-dev",service="{{args.service}}"' in query
        promql_parser.parse(query.replace("{{args.service}}", "shop-canary"))
        assert metric["provider"]["prometheus"]["address"].startswith("http://prometheus")


def test_blue_green_previews_analyses_and_waits_for_a_promote(tmp_path: Path) -> None:
    objects = rendered(
        platform(tmp_path, "delivery: {strategy: blueGreen, blueGreen: {previewReplicas: 1}}")
    )
    rollout = objects[("Rollout", "shop")]
    crd("Rollout").validate(rollout)
    assert rollout["spec"]["strategy"]["blueGreen"] == {
        "activeService": "shop",
        "previewService": "shop-preview",
        "autoPromotionEnabled": False,
        "previewReplicaCount": 1,
        "scaleDownDelaySeconds": 30,
        "prePromotionAnalysis": {
            "templates": [{"templateName": "shop-analysis"}],
            "args": [{"name": "service", "value": "shop-preview"}],
        },
    }
    assert ("Service", "shop-preview") in objects


def test_a_gateway_canary_weights_both_backends_and_argo_cd_leaves_them() -> None:
    result = pipeline.render_platform(REPO)
    yaml = YAML(typ="safe")
    objects = list(yaml.load_all(result.tree["production/checkout-api/manifests.yaml"].decode()))
    route = next(
        o for o in objects if o["kind"] == "HTTPRoute" and o["metadata"]["name"] == "checkout-api"
    )
    assert route["spec"]["rules"][0]["backendRefs"] == [
        {"name": "checkout-api", "port": 8080, "weight": 100},
        {"name": "checkout-api-canary", "port": 8080, "weight": 0},
    ]
    rollout = next(o for o in objects if o["kind"] == "Rollout")
    assert rollout["spec"]["strategy"]["canary"]["trafficRouting"] == {
        "plugins": {
            "argoproj-labs/gatewayAPI": {"httpRoute": "checkout-api", "namespace": "payments"}
        }
    }
    apps = list(yaml.load_all(result.tree["_argocd/production/manifests.yaml"].decode()))
    app = next(a for a in apps if a["metadata"]["name"] == "checkout-api.production")
    assert app["spec"]["ignoreDifferences"] == [
        {
            "group": "gateway.networking.k8s.io",
            "kind": "HTTPRoute",
            "name": "checkout-api",
            "namespace": "payments",
            "jqPathExpressions": [".spec.rules[].backendRefs[].weight"],
        }
    ]
    assert "RespectIgnoreDifferences=true" in app["spec"]["syncPolicy"]["syncOptions"]
    # The webhooks' route stays on the stable Service.
    hooks = next(
        o
        for o in objects
        if o["kind"] == "HTTPRoute" and o["metadata"]["name"] == "checkout-api-webhooks"
    )
    assert hooks["spec"]["rules"][0]["backendRefs"] == [{"name": "checkout-api", "port": 8080}]


@pytest.mark.parametrize(
    ("extra", "without", "code", "key", "words"),
    [
        (
            "delivery: {strategy: canary, canary: {steps: [{setWeight: 50}, {setWeight: 20}]}}\n",
            (),
            "PL517",
            "spec.delivery.canary.steps[1].setWeight",
            "canary weight 20% does not grow (an earlier step set 50%)",
        ),
        (
            "delivery: {strategy: canary, canary: {steps: [{setWeight: 120}]}}\n",
            (),
            "PL204",
            "spec.delivery.canary.steps[0].setWeight",
            "",
        ),
        (
            "delivery: {strategy: canary, canary: {steps: [{setWeight: 10, pause: 5m}]}}\n",
            (),
            "PL205",
            "spec.delivery.canary.steps[0]",
            "exactly one of setWeight, pause or analysis",
        ),
        (
            "delivery: {strategy: blueGreen}\n",
            ("probes",),
            "PL517",
            "spec.delivery.strategy",
            "no readiness probe",
        ),
        (
            "delivery: {strategy: canary}\n",
            ("metrics",),
            "PL517",
            "spec.delivery.canary.steps[2]",
            "it declares none",
        ),
        (
            "delivery: {strategy: canary, canary: {steps: [{pause: never}]}}\n",
            (),
            "PL204",
            "spec.delivery.canary.steps[0].pause",
            "",
        ),
    ],
)
def test_delivery_mistakes_are_located(
    tmp_path: Path, extra: str, without: tuple[str, ...], code: str, key: str, words: str
) -> None:
    found = pipeline.validate_platform(platform(tmp_path, extra, without)).diagnostics
    errors = [d for d in found if d.code.id != "PL603"]  # no readiness probe: advice too
    assert [(d.code.id, d.key_path) for d in errors] == [(code, key)], found
    assert words in errors[0].message


def test_a_worker_cannot_be_blue_green_nor_analysed(tmp_path: Path) -> None:
    worker = "type: worker\n"
    drop = ("expose", "scaling")
    found = pipeline.validate_platform(
        platform(tmp_path, worker + "delivery: {strategy: blueGreen}\n", drop)
    ).diagnostics
    assert [(d.code.id, "a worker has none" in d.message) for d in found] == [("PL517", True)]
    found = pipeline.validate_platform(
        platform(tmp_path / "b", worker + "delivery: {strategy: canary}\n", drop)
    ).diagnostics
    assert [(d.code.id, "a worker serves none" in d.message) for d in found] == [("PL517", True)]


def test_a_rolling_update_over_a_read_write_once_claim_warns(tmp_path: Path) -> None:
    claim = "volumes: [{name: data, path: /data, claim: {size: 1Gi}}]\n"
    found = pipeline.validate_platform(platform(tmp_path, claim)).diagnostics
    assert [(d.code.id, d.key_path) for d in found] == [
        ("PL608", "spec.volumes[0].claim.accessMode")
    ]
    assert "recreate" in found[0].hint
    fixed = claim + "delivery: {strategy: recreate}\n"
    assert pipeline.validate_platform(platform(tmp_path / "b", fixed)).diagnostics == ()


def test_a_patched_rollout_is_checked_where_it_changed_as_whole(tmp_path: Path) -> None:
    from generators.targets.kubernetes.schema import schema_errors

    rollout = rendered(platform(tmp_path, "delivery: {strategy: canary}"))[("Rollout", "shop")]
    assert schema_errors(rollout) == []
    broken = json.loads(json.dumps(rollout))
    broken["spec"]["strategy"]["canary"]["steps"][0] = {"setWieght": 5}
    broken["spec"]["template"]["metadata"]["labels"]["tier"] = "web"  # fine
    whole, changed = schema_errors(broken), schema_errors(broken, before=rollout)
    assert whole == changed
    assert [path for path, _ in changed] == ["/spec/strategy/canary/steps/0"]


AB = "delivery: {strategy: abTest, abTest: {match: {%s, value: %s}, duration: 72h}}\n"


def test_an_ab_test_behind_nginx_is_a_canary_ingress_matching_the_header(tmp_path: Path) -> None:
    objects = rendered(platform(tmp_path, AB % ("header: X-Beta", '"on"')))
    rollout = objects[("Rollout", "shop")]
    crd("Rollout").validate(rollout)
    canary = rollout["spec"]["strategy"]["canary"]
    assert canary["trafficRouting"] == {
        "nginx": {
            "stableIngress": "shop",
            "additionalIngressAnnotations": {
                "canary-by-header": "X-Beta",
                "canary-by-header-value": "on",
            },
        }
    }
    assert canary["steps"] == [
        {"setCanaryScale": {"replicas": 1}},
        {"pause": {"duration": "72h"}},
        {"pause": {}},  # then: wait
    ]
    assert ("AnalysisTemplate", "shop-analysis") not in objects  # a feature test, no judge


def test_an_ab_test_behind_a_gateway_is_a_managed_header_route(tmp_path: Path) -> None:
    root = platform(tmp_path, AB.replace("72h}", "72h, then: promote}") % ("cookie: beta", "yes"))
    for env in ("dev", "production"):  # a cookie is matched by regex: Gateway API only
        path = root / f"environments/{env}.yaml"
        gateway = (
            "  routing:\n    kind: gateway\n    gateway: {name: public, namespace: gateways}\n"
        )
        path.write_text(path.read_text() + gateway)
    prod = root / "environments/production.yaml"
    prod.write_text(
        prod.read_text() + "  gitops: {repoURL: 'https://github.com/acme/platform.git'}\n"
    )
    objects = rendered(root, "production")
    canary = objects[("Rollout", "shop")]["spec"]["strategy"]["canary"]
    assert canary["trafficRouting"] == {
        "managedRoutes": [{"name": "ab-test"}],
        "plugins": {
            "argoproj-labs/gatewayAPI": {
                "httpRoutes": [{"name": "shop", "useHeaderRoutes": True}],
                "namespace": "shop-production",
            }
        },
    }
    header_route = {
        "name": "ab-test",
        "match": [{"headerName": "Cookie", "headerValue": {"regex": "(^|;\\s*)beta=yes(;|$)"}}],
    }
    assert canary["steps"] == [
        {"setCanaryScale": {"replicas": 1}},
        {"setHeaderRoute": header_route},
        {"pause": {"duration": "72h"}},
        {"setHeaderRoute": {"name": "ab-test"}},  # removed when the test ends; then promoted
    ]
    crd("Rollout").validate(objects[("Rollout", "shop")])
    tree = pipeline.render_platform(root).tree
    apps = list(YAML(typ="safe").load_all(tree["_argocd/production/manifests.yaml"].decode()))
    app = next(
        a for a in apps if a["kind"] == "Application" and a["metadata"]["name"] == "shop.production"
    )
    assert app["spec"]["ignoreDifferences"][0]["jqPathExpressions"] == [
        ".spec.rules[].backendRefs[].weight",
        '.spec.rules[] | select((.name // "") | startswith("ab-test"))',
    ]


@pytest.mark.parametrize(
    ("extra", "without", "words"),
    [
        (AB % ("header: X-Beta", "on"), ("expose",), "this service takes none"),
        (AB % ("cookie: beta", "yes"), (), "only when its value is `always`"),
        ("delivery: {strategy: abTest}\n", (), "needs `abTest:"),
        (AB % ("header: X-Beta, cookie: beta", "on"), (), "exactly one of header or cookie"),
    ],
)
def test_ab_test_mistakes(tmp_path: Path, extra: str, without: tuple[str, ...], words: str) -> None:
    found = pipeline.validate_platform(platform(tmp_path, extra, without)).diagnostics
    assert [d.code.id for d in found] in (["PL517"], ["PL205"]), found
    assert words in found[0].message


def test_an_ab_test_needs_an_ingress_that_can_match(tmp_path: Path) -> None:
    root = platform(tmp_path, AB % ("header: X-Beta", "on"))
    dev = root / "environments/dev.yaml"
    dev.write_text(dev.read_text() + "  routing: {ingressClass: traefik}\n")
    (found,) = pipeline.validate_platform(root).diagnostics
    assert found.code.id == "PL517"
    assert found.environments == ("dev",)
    assert "ingress class 'traefik' cannot route by header" in found.message
