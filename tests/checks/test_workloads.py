"""The pod checks (generators/checks/workloads.py): each mistake, located, with its code."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from generators import pipeline
from tests.conftest import copy_base

WEB = """\
apiVersion: platform/v1
kind: Service
metadata:
  name: cache
  team: shop
  lifecycle: production
spec:
  image: ghcr.io/example/cache:1.0.0
  ports:
    - {name: redis, port: 6379}
  probes:
    readiness: {tcp: {port: redis}}
"""


def diagnostics(tmp_path: Path, extra: str) -> list[tuple[str, str, str]]:
    root = copy_base(tmp_path / "repo")
    spec = textwrap.indent(textwrap.dedent(extra), "  ")
    (root / "platform/services/cache.yaml").write_text(WEB + spec)
    found = pipeline.validate_platform(root).diagnostics
    return [(d.code.id, d.key_path, d.message) for d in found]


@pytest.mark.parametrize(
    ("extra", "code", "key", "words"),
    [
        (
            (
                "volumes:\n  - {name: a, path: /data, emptyDir: {}}\n"
                "  - {name: a, path: /data2, emptyDir: {}}\n"
            ),
            "PL511",
            "spec.volumes[1].name",
            "volume name 'a' is used twice",
        ),
        (
            (
                "configFiles: [{path: /etc/cache.conf, content: x}]\n"
                "volumes: [{name: a, path: /etc/cache.conf, emptyDir: {}}]\n"
            ),
            "PL511",
            "spec.volumes[0].path",
            "already mounted (configFiles[0])",
        ),
        (
            "volumes: [{name: a, path: /data, readOnly: true, emptyDir: {}}]\n",
            "PL511",
            "spec.volumes[0].readOnly",
            "a read-only emptyDir is always empty",
        ),
        (
            "initContainers: [{name: cache, image: 'busybox:1.36'}]\n",
            "PL512",
            "spec.initContainers[0].name",
            "already taken by the service's container",
        ),
        (
            "initContainers: [{name: prep, image: 'busybox:latest'}]\n",
            "PL512",
            "spec.initContainers[0].image",
            "is not pinned ('latest' moves)",
        ),
        (
            "expose: {externalTrafficPolicy: Local}\n",
            "PL513",
            "spec.expose.externalTrafficPolicy",
            "only applies to NodePort and LoadBalancer",
        ),
        (
            "expose: {type: NodePort, loadBalancerSourceRanges: [10.0.0.0/8]}\n",
            "PL513",
            "spec.expose.loadBalancerSourceRanges",
            "only applies to `type: LoadBalancer`",
        ),
        (
            "type: worker\nexpose: {type: LoadBalancer}\n",
            "PL513",
            "spec.expose.type",
            "a worker has no Service to make a LoadBalancer",
        ),
        (
            "pod: {annotations: {checksum/config: abc}}\n",
            "PL515",
            "spec.pod.annotations.checksum/config",
            "written by the platform",
        ),
    ],
    ids=[
        "volume-name",
        "mount-over-config-file",
        "read-only-empty-dir",
        "init-name",
        "init-latest",
        "traffic-policy",
        "source-ranges",
        "worker-load-balancer",
        "reserved-annotation",
    ],
)
def test_each_pod_mistake_is_located(
    tmp_path: Path, extra: str, code: str, key: str, words: str
) -> None:
    found = [d for d in diagnostics(tmp_path, extra) if d[0] != "PL603"]
    assert len(found) == 1, found
    assert found[0][:2] == (code, key)
    assert words in found[0][2]


def test_two_ports_offering_one_service_port_clash(tmp_path: Path) -> None:
    root = copy_base(tmp_path / "repo")
    default = "ports:\n    - {name: redis, port: 6379}\n"
    for second, key in (
        ("{name: b, port: 80}", "spec.ports[1].port"),  # a container port offered as 80
        ("{name: b, port: 8080, servicePort: 80}", "spec.ports[1].servicePort"),
    ):
        ports = f"ports:\n    - {{name: redis, port: 6379, servicePort: 80}}\n    - {second}\n"
        (root / "platform/services/cache.yaml").write_text(WEB.replace(default, ports))
        found = [(d.code.id, d.key_path) for d in pipeline.validate_platform(root).diagnostics]
        assert found == [("PL501", key)]


def test_a_node_port_is_taken_once_per_environment(tmp_path: Path) -> None:
    root = copy_base(tmp_path / "repo")
    ports = "ports:\n    - {name: redis, port: 6379, nodePort: 30100}\n  expose: {type: NodePort}\n"
    for name in ("cache", "cache-two"):
        text = WEB.replace("name: cache", f"name: {name}").replace(
            "ports:\n    - {name: redis, port: 6379}\n", ports
        )
        (root / f"platform/services/{name}.yaml").write_text(text)
    found = pipeline.validate_platform(root).diagnostics
    clashes = [d for d in found if d.code.id == "PL501"]
    assert [(d.location.file, d.key_path) for d in clashes] == [
        ("platform/services/cache-two.yaml", "spec.ports[0].nodePort")
    ]
    assert "already taken by service 'cache'" in clashes[0].message
    assert clashes[0].environments == ()  # both environments: folded into one


def test_the_address_is_short_within_a_namespace_and_qualified_across(tmp_path: Path) -> None:
    root = copy_base(tmp_path / "repo")
    (root / "platform/services/cache.yaml").write_text(WEB)
    (root / "platform/teams/other.yaml").write_text(
        (root / "platform/teams/shop.yaml").read_text().replace("shop", "other")
    )
    caller = WEB.replace("name: cache", "name: near").replace(
        "ports:", "env:\n    CACHE: ${services.cache.address}\n  dependsOn: [cache]\n  ports:"
    )
    (root / "platform/services/near.yaml").write_text(caller)
    far = caller.replace("name: near", "name: far").replace("team: shop", "team: other")
    (root / "platform/services/far.yaml").write_text(far)
    result = pipeline.render_platform(root)
    assert result.validation.errors == 0, result.validation.diagnostics

    def env(service: str) -> dict[str, str]:
        docs = yaml.safe_load_all(result.tree[f"dev/{service}/manifests.yaml"])
        [deployment] = [d for d in docs if d["kind"] == "Deployment"]
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        return {e["name"]: e["value"] for e in container["env"]}

    assert env("near")["CACHE"] == "cache:6379"
    assert env("far")["CACHE"] == "cache.shop-dev:6379"


def test_an_init_container_takes_a_secret_for_itself(tmp_path: Path) -> None:
    init = (
        "initContainers:\n"
        "  - name: migrate\n"
        "    image: ghcr.io/example/cache-migrate:1.0.0\n"
        "    env:\n"
        "      DB_PASSWORD: {secret: api-db, key: password}\n"
        "      DB_HOST: ${services.api.host}\n"
        "dependsOn: [api]\n"
    )
    root = copy_base(tmp_path / "repo")
    spec = textwrap.indent(init, "  ")
    (root / "platform/services/cache.yaml").write_text(WEB + spec)
    result = pipeline.render_platform(root)
    assert result.validation.errors == 0, result.validation.diagnostics
    docs = list(yaml.safe_load_all(result.tree["dev/cache/manifests.yaml"]))
    [deployment] = [d for d in docs if d["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]
    [migrate] = pod["spec"]["initContainers"]
    assert migrate["env"] == [
        {"name": "DB_HOST", "value": "api.shop-dev.svc.cluster.local"},
        {
            "name": "DB_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": "api-db", "key": "password"}},
        },
    ]
    assert "env" not in pod["spec"]["containers"][0]  # the secret is the init container's
    assert "checksum/secrets" in pod["metadata"]["annotations"]  # a reseal rolls the pods
    # A key the secret lacks is located in the init container's env.
    (root / "platform/services/cache.yaml").write_text(
        WEB + spec.replace("key: password", "key: pasword")
    )
    found = {(d.code.id, d.key_path) for d in pipeline.validate_platform(root).diagnostics}
    assert found == {("PL702", "spec.initContainers[0].env.DB_PASSWORD.key")}
