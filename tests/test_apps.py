"""Golden applications (tests/cases/apps/): real application shapes, rendered as recorded.

`harbor-shop` is a twelve-service gRPC shop with a Redis cache, a load-balanced web
front end and a load generator, written for these tests. It exercises every workload
field of the Service spec (issue 13's table, row by row below), renders strictly valid
Kubernetes, and its rendered tree is a snapshot: any change to it is reviewed as code.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
import yaml

from generators import pipeline
from generators.spec import KINDS
from tests.conftest import CASES
from tests.targets.test_conformance import assert_valid
from tests.test_example import used_fields

SHOP = CASES / "apps" / "harbor-shop"
#: The workload fields issue 13 added: the golden application uses each of them.
NEW_FIELDS = {
    "spec.ports.servicePort",
    "spec.ports.nodePort",
    "spec.ports.appProtocol",
    "spec.probes.readiness.http.headers",
    "spec.probes.liveness.http.scheme",
    "spec.volumes.name",
    "spec.volumes.path",
    "spec.volumes.readOnly",
    "spec.volumes.emptyDir.sizeLimit",
    "spec.volumes.claim.size",
    "spec.volumes.claim.storageClass",
    "spec.volumes.claim.accessMode",
    "spec.volumes.configMap.name",
    "spec.volumes.configMap.items",
    "spec.volumes.configMap.optional",
    "spec.initContainers.name",
    "spec.initContainers.image",
    "spec.initContainers.command",
    "spec.initContainers.args",
    "spec.initContainers.env",
    "spec.initContainers.volumes",
    "spec.initContainers.resources",
    "spec.pod.labels",
    "spec.pod.annotations",
    "spec.pod.terminationGracePeriodSeconds",
    "spec.pod.containerName",
    "spec.expose.type",
    "spec.expose.externalTrafficPolicy",
    "spec.expose.loadBalancerSourceRanges",
    "spec.expose.serviceAnnotations",
    "spec.patches.target",
    "spec.patches.target.kind",
    "spec.patches.merge",
    "spec.patches.reason",
}


@cache
def rendering() -> pipeline.Rendering:
    return pipeline.render_platform(SHOP)


def objects(env: str, service: str) -> dict[tuple[str, str], dict[str, Any]]:
    text = rendering().tree[f"{env}/{service}/manifests.yaml"]
    return {(o["kind"], o["metadata"]["name"]): o for o in yaml.safe_load_all(text)}


def pod(env: str, service: str) -> dict[str, Any]:
    spec: dict[str, Any] = objects(env, service)[("Deployment", service)]["spec"]["template"]
    return spec


def container(env: str, service: str) -> dict[str, Any]:
    found: dict[str, Any] = pod(env, service)["spec"]["containers"][0]
    return found


def test_the_shop_validates_strictly_with_nothing_to_report() -> None:
    assert rendering().validation.diagnostics == ()
    assert len({p.split("/")[1] for p in rendering().tree if p.startswith("dev/")}) == 14


def test_the_shop_uses_every_new_workload_field() -> None:
    model = KINDS["Service"].model
    used: set[str] = set()
    for path in sorted((SHOP / "platform" / "services").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        used |= used_fields(model, data)
        for block in data["spec"].get("environments", {}).values():
            used |= {f"spec.{p}" for p in used_fields(model.model_fields["spec"].annotation, block)}
    assert sorted(NEW_FIELDS - used) == []


def test_the_shop_renders_as_recorded(snapshot) -> None:
    assert {path: content.decode() for path, content in rendering().tree.items()} == snapshot


def _all_objects() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{path}#{obj['kind']}/{obj['metadata']['name']}", obj)
        for path, content in rendering().tree.items()
        if path.endswith(".yaml")
        for obj in yaml.safe_load_all(content)
    ]


@pytest.mark.parametrize(("path", "obj"), _all_objects(), ids=[p for p, _ in _all_objects()])
def test_every_object_is_strictly_valid(path: str, obj: dict[str, Any]) -> None:
    assert_valid(obj)


# Issue 13's table, row by row: what the application needs, as rendered.


def test_a_service_port_in_front_of_another_container_port() -> None:
    [port] = objects("production", "mailer")[("Service", "mailer")]["spec"]["ports"]
    assert (port["port"], port["targetPort"]) == (5000, "grpc")
    assert container("production", "mailer")["ports"][0]["containerPort"] == 8080
    # Callers get the Service's port; the network policy opens the container's.
    env = {e["name"]: e["value"] for e in container("production", "checkout")["env"]}
    assert env["MAILER_ADDR"] == "mailer:5000"
    policy = objects("production", "mailer")[("NetworkPolicy", "mailer")]
    assert policy["spec"]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 8080}]


def test_extra_volumes_scratch_claims_and_configmaps() -> None:
    cache = pod("production", "basket-cache")["spec"]
    assert {"name": "vol-data", "emptyDir": {"sizeLimit": "1Gi"}} in cache["volumes"]
    assert {"name": "vol-data", "mountPath": "/data"} in cache["containers"][0]["volumeMounts"]
    catalog = objects("production", "catalog")
    claim = catalog[("PersistentVolumeClaim", "catalog-snapshots")]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert claim["metadata"]["annotations"]["argocd.argoproj.io/sync-options"] == "Prune=false"
    volumes = pod("production", "catalog")["spec"]["volumes"]
    assert {
        "name": "vol-snapshots",
        "persistentVolumeClaim": {"claimName": "catalog-snapshots"},
    } in volumes
    promotions = pod("production", "promotions")["spec"]
    banners = {"name": "promo-banners", "items": [{"key": "banners.json", "path": "banners.json"}]}
    assert {"name": "vol-banners", "configMap": banners | {"optional": True}} in promotions[
        "volumes"
    ]
    mount = {"name": "vol-banners", "mountPath": "/etc/promotions", "readOnly": True}
    assert mount in promotions["containers"][0]["volumeMounts"]


def test_init_containers_run_first_with_the_same_hardening() -> None:
    spec = pod("production", "basket")["spec"]
    [init] = spec["initContainers"]
    assert init["name"] == "wait-for-cache"
    assert init["image"] == "busybox:1.36"
    assert init["securityContext"] == spec["containers"][0]["securityContext"]
    assert init["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    env = {e["name"]: e["value"] for e in init["env"]}
    assert env == {
        "CACHE_HOST": "basket-cache.shop-production.svc.cluster.local",
        "CACHE_PORT": "6379",
    }


def test_termination_grace_and_probe_headers() -> None:
    assert pod("production", "basket-cache")["spec"]["terminationGracePeriodSeconds"] == 10
    probe = container("production", "storefront")["readinessProbe"]["httpGet"]
    assert probe["httpHeaders"] == [
        {"name": "Cookie", "value": "shop-session-id=x-readiness-probe"}
    ]


def test_load_balancer_and_node_port_exposure_by_environment() -> None:
    production = objects("production", "storefront")[("Service", "storefront")]
    assert production["spec"]["type"] == "LoadBalancer"
    assert production["spec"]["externalTrafficPolicy"] == "Local"
    assert production["metadata"]["annotations"] == {
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb"
    }
    dev = objects("dev", "storefront")[("Service", "storefront")]
    assert dev["spec"]["type"] == "NodePort"
    assert dev["spec"]["ports"][0]["nodePort"] == 30080
    assert "loadBalancerSourceRanges" not in dev["spec"]
    # Clients from outside the cluster reach the pods: the policy admits any address.
    policy = objects("production", "storefront")[("NetworkPolicy", "storefront")]
    assert {"ipBlock": {"cidr": "0.0.0.0/0"}} in policy["spec"]["ingress"][-1]["from"]


def test_pod_template_metadata_stays_on_the_pod_template() -> None:
    deployment = objects("production", "storefront")[("Deployment", "storefront")]
    template = deployment["spec"]["template"]["metadata"]
    assert template["annotations"]["sidecar.istio.io/rewriteAppHTTPProbers"] == "true"
    assert "annotations" not in deployment["metadata"]
    labels = pod("production", "promotions")["metadata"]["labels"]
    assert labels["harbor.example.com/feature"] == "promotions"
    assert labels["app.kubernetes.io/name"] == "promotions"


def test_the_container_name_and_the_short_address() -> None:
    assert container("production", "recommend")["name"] == "server"
    env = {e["name"]: e["value"] for e in container("production", "storefront")["env"]}
    assert env["CATALOG_ADDR"] == "catalog:3550"
    assert env["SHIPPING_ADDR"] == "shipping:50051"


def test_a_read_only_root_with_a_writable_data_directory() -> None:
    redis = container("production", "basket-cache")
    assert redis["name"] == "redis"
    assert redis["securityContext"]["readOnlyRootFilesystem"] is True
    assert "/data" in {m["mountPath"] for m in redis["volumeMounts"]}


def test_patches_reach_the_rendered_objects_per_environment() -> None:
    dev = pod("dev", "loadgen")
    production = pod("production", "loadgen")
    assert (
        dev["spec"]["nodeSelector"] == production["spec"]["nodeSelector"] == {"workload": "batch"}
    )
    assert "harbor.example.com/instance" not in dev["metadata"]["labels"]
    assert production["metadata"]["labels"]["harbor.example.com/instance"] == "loadgen-production"
