"""`spec.patches`: merged or JSON-patched onto the rendered objects, and checked at validate."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from generators import pipeline
from generators.spec.patches import Patch
from generators.targets.kubernetes.patches import apply_patches, strategic_merge, weakened
from generators.targets.kubernetes.schema import schema_errors
from tests.conftest import copy_base

WORKER = """\
apiVersion: platform/v1
kind: Service
metadata:
  name: worker
  team: shop
  lifecycle: production
spec:
  type: worker
  image: ghcr.io/example/worker:1.2.3
  env:
    API_URL: ${services.api.url}
  dependsOn: [api]
"""


def platform_with(tmp_path: Path, extra: str) -> Path:
    root = copy_base(tmp_path / "repo")
    spec = textwrap.indent(textwrap.dedent(extra), "  ")
    (root / "platform/services/worker.yaml").write_text(WORKER + spec)
    return root


def rendered(root: Path, env: str, service: str) -> dict[tuple[str, str], dict[str, Any]]:
    result = pipeline.render_platform(root)
    assert result.validation.errors == 0, result.validation.diagnostics
    docs = yaml.safe_load_all(result.tree[f"{env}/{service}/manifests.yaml"])
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


def pod(objects: dict[tuple[str, str], dict[str, Any]], name: str) -> dict[str, Any]:
    spec: dict[str, Any] = objects[("Deployment", name)]["spec"]["template"]["spec"]
    return spec


def test_a_merge_patch_adds_fields_and_merges_containers_by_name(tmp_path: Path) -> None:
    root = platform_with(
        tmp_path,
        """\
        patches:
          batch-nodes:
            reason: runs on the batch pool
            target: {kind: Deployment}
            merge:
              spec:
                template:
                  spec:
                    nodeSelector: {workload: batch}
                    containers:
                      - name: worker
                        env:
                          - {name: EXTRA, value: "1"}
        """,
    )
    spec = pod(rendered(root, "dev", "worker"), "worker")
    assert spec["nodeSelector"] == {"workload": "batch"}
    [container] = spec["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["EXTRA"] == "1"
    assert "API_URL" in env  # merged by name, the rest kept
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}


def test_environment_blocks_add_replace_and_remove_patches(tmp_path: Path) -> None:
    root = platform_with(
        tmp_path,
        """\
        patches:
          batch-nodes:
            target: {kind: Deployment}
            jsonPatch:
              - {op: add, path: /spec/template/spec/nodeSelector, value: {workload: batch}}
          grace:
            target: {kind: Deployment}
            jsonPatch:
              - {op: add, path: /spec/minReadySeconds, value: 5}
        environments:
          production:
            patches:
              batch-nodes: null
              grace:
                jsonPatch:
                  - {op: add, path: /spec/minReadySeconds, value: 30}
        """,
    )
    dev = rendered(root, "dev", "worker")[("Deployment", "worker")]
    prod = rendered(root, "production", "worker")[("Deployment", "worker")]
    assert dev["spec"]["template"]["spec"]["nodeSelector"] == {"workload": "batch"}
    assert dev["spec"]["minReadySeconds"] == 5
    assert "nodeSelector" not in prod["spec"]["template"]["spec"]
    assert prod["spec"]["minReadySeconds"] == 30


@pytest.mark.parametrize(
    ("patch", "message", "key"),
    [
        (
            (
                "target: {kind: Deployment, name: worker-x}\n"
                "    jsonPatch: [{op: remove, path: /spec}]"
            ),
            "targets Deployment/worker-x, which the service does not render here",
            "spec.patches.p.target.name",
        ),
        (
            (
                "target: {kind: Deployment}\n    jsonPatch:\n"
                "      - {op: test, path: /kind, value: Deployment}\n"
                "      - {op: replace, path: /spec/replicaz, value: 2}"
            ),
            "operation 1 (replace /spec/replicaz) fails",
            "spec.patches.p.jsonPatch[1]",
        ),
        (
            (
                "target: {kind: Deployment}\n"
                "    jsonPatch: [{op: replace, path: /metadata/name, value: other}]"
            ),
            "changes the object's metadata.name",
            "spec.patches.p.jsonPatch",
        ),
        (
            "target: {kind: Deployment}\n    merge: {spec: {replicas: two}}",
            (
                "Deployment/worker is not valid Kubernetes: /spec/replicas: "
                "'two' is not of type 'integer'"
            ),
            "spec.patches.p",
        ),
        (
            (
                "target: {kind: Deployment}\n"
                "    merge: {spec: {template: {spec: {containers: [{image: x}]}}}}"
            ),
            "item 0 of `containers` has no `name` to merge by",
            "spec.patches.p.merge.spec.template.spec.containers[0]",
        ),
    ],
    ids=["targets-nothing", "failing-operation", "renames", "schema", "merge-key"],
)
def test_a_bad_patch_is_a_located_error(tmp_path: Path, patch: str, message: str, key: str) -> None:
    root = platform_with(tmp_path, "patches:\n  p:\n    " + patch + "\n")
    result = pipeline.validate_platform(root)
    [found] = [d for d in result.diagnostics if d.code.id == "PL516"]
    assert message in found.message, found.message
    assert found.key_path == key
    assert found.location.file == "platform/services/worker.yaml"
    # Folded: the same problem in dev and production is one diagnostic.
    assert found.environments == ()


def test_a_patch_that_weakens_security_warns_at_the_patch(tmp_path: Path) -> None:
    root = platform_with(
        tmp_path,
        """\
        patches:
          host-network:
            reason: needs the node's network for multicast discovery
            target: {kind: Deployment}
            merge: {spec: {template: {spec: {hostNetwork: true}}}}
        """,
    )
    result = pipeline.validate_platform(root)
    [found] = result.diagnostics
    assert (found.code.id, found.level.value) == ("PL604", "warning")
    assert "`hostNetwork: true` shares the node's namespaces" in found.message
    assert found.key_path == "spec.patches.host-network"
    assert found.location.line == WORKER.count("\n") + 2  # the patch's name


def test_patches_are_checked_only_when_the_rest_is_valid(tmp_path: Path) -> None:
    root = platform_with(
        tmp_path,
        """\
        scaling: {min: 5, max: 2, targetCPU: 50}
        patches:
          p:
            target: {kind: Nothing}
            merge: {}
        """,
    )
    codes = [d.code.id for d in pipeline.validate_platform(root).diagnostics]
    assert codes == ["PL504"]


def test_strategic_merge_rules() -> None:
    base = {
        "a": {"b": 1, "c": 2},
        "containers": [{"name": "x", "image": "1"}, {"name": "y", "image": "2"}],
        "ports": [{"containerPort": 80, "name": "http"}],
        "args": ["one"],
    }
    patch = {
        "a": {"c": None, "d": 3},
        "containers": [{"name": "y", "$patch": "delete"}, {"name": "z", "image": "3"}],
        "ports": [{"containerPort": 80, "protocol": "TCP"}],
        "args": ["two"],
    }
    assert strategic_merge(base, patch) == {
        "a": {"b": 1, "d": 3},
        "containers": [{"name": "x", "image": "1"}, {"name": "z", "image": "3"}],
        "ports": [{"containerPort": 80, "name": "http", "protocol": "TCP"}],
        "args": ["two"],
    }
    assert base["containers"][1] == {"name": "y", "image": "2"}  # nothing mutated
    assert strategic_merge({"a": {"b": 1}}, {"a": {"$patch": "replace", "c": 2}}) == {"a": {"c": 2}}


def test_patches_apply_in_name_order_and_each_answers_for_its_step() -> None:
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}}
    patches = {
        "b": Patch.model_validate({"target": {"kind": "Service"}, "merge": {"spec": {"x": 2}}}),
        "a": Patch.model_validate({"target": {"kind": "Service"}, "merge": {"spec": {"x": 1}}}),
    }
    applied = apply_patches("s", patches, [obj])
    assert [s.patch for s in applied.steps] == ["a", "b"]
    assert applied.objects[0]["spec"] == {"x": 2}
    assert applied.steps[1].before["spec"] == {"x": 1}
    assert obj["spec"] == {}


def test_weakened_lists_only_what_the_patch_lowered() -> None:
    def deployment(container: dict[str, Any], **pod: Any) -> dict[str, Any]:
        spec = {
            "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
        }
        spec |= pod | {"containers": [{"name": "c", "securityContext": container}]}
        return {"kind": "Deployment", "spec": {"template": {"spec": spec}}}

    hardened = {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    writable = hardened | {"readOnlyRootFilesystem": False}
    assert weakened(deployment(hardened), deployment(hardened)) == []
    # The spec's own choice (a writable root) is not the patch's doing.
    assert weakened(deployment(writable), deployment(writable | {"privileged": True})) == [
        "container 'c' is privileged"
    ]
    assert weakened(deployment(hardened), deployment(hardened, hostPID=True)) == [
        "`hostPID: true` shares the node's namespaces"
    ]


def test_schema_errors_are_all_reported_and_custom_kinds_are_refused() -> None:
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"ports": [{"port": "eighty"}], "typo": 1},
    }
    assert [p for p, _ in schema_errors(service)] == ["/spec", "/spec/ports/0/port"]
    route = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {}}
    [(_, problem)] = schema_errors(route)
    assert "has no schema the compiler knows" in problem
    # A Rollout is checked against the CRD schema the compiler ships, whole.
    rollout = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "r"},
        "spec": {"strategy": {"canary": {"stepz": []}}, "selector": {}, "template": {}},
    }
    assert (
        "/spec/strategy/canary",
        "Additional properties are not allowed ('stepz' was unexpected)",
    ) in schema_errors(rollout)


def _deployment() -> dict[str, Any]:
    labels = {"app.kubernetes.io/name": "d"}
    container = {"name": "d", "image": "example/d:1", "ports": [{"containerPort": 80}]}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d", "labels": dict(labels)},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
        },
    }


@pytest.mark.parametrize(
    "operations",
    [
        [{"op": "add", "path": "/spec/template/spec/nodeSelectorz", "value": {}}],
        [
            {
                "op": "add",
                "path": "/spec/template/spec/containers/0/ports/0/containerPort",
                "value": "80",
            }
        ],
        [{"op": "add", "path": "/spec/template/spec/containers/-", "value": {"image": "x"}}],
        [{"op": "remove", "path": "/spec/template/spec/containers"}],
        [{"op": "remove", "path": "/spec/selector"}],
        [{"op": "add", "path": "/metadata/labels/team", "value": 7}],
        [{"op": "add", "path": "/spec/template/spec/tolerations", "value": [{"effect": 1}]}],
        [
            {
                "op": "add",
                "path": "/spec/template/spec/dnsConfig",
                "value": {"options": [{"name": "ndots", "value": "2"}]},
            }
        ],
        [
            {
                "op": "replace",
                "path": "/spec/template/spec/containers/0",
                "value": {"name": "d", "img": 1},
            }
        ],
    ],
    ids=[
        "unknown",
        "type",
        "missing-name",
        "required-list",
        "required-map",
        "label",
        "nested",
        "valid",
        "whole-item",
    ],
)
def test_checking_only_what_a_patch_changed_finds_what_a_full_check_finds(
    operations: list[dict[str, Any]],
) -> None:
    import jsonpatch

    before = _deployment()
    assert schema_errors(before) == []
    after = jsonpatch.apply_patch(before, operations)
    assert schema_errors(after, before) == schema_errors(after)


_POINTERS = [
    "/spec",
    "/spec/replicas",
    "/spec/replicas/x",
    "/spec/template/spec/containers/0",
    "/spec/template/spec/containers/-",
    "/spec/template/spec/containers/9",
    "/metadata/labels/a~1b",
    "/",
    "",
    "/spec/template/spec/containers/0/ports/0/containerPort/z",
    "/x/y/z",
]
_VALUES = [None, 1, "x", [], {}, {"name": "worker"}, [1, 2], {"$patch": "delete"}, True]
_KEYS = ["spec", "template", "containers", "ports", "env", "volumes", "name", "$patch", "port"]


def _merge_values() -> Any:
    from hypothesis import strategies as st

    leaves = st.sampled_from([*_VALUES, "replace", "delete"])
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=3)
        ),
        max_leaves=8,
    )


def test_no_patch_crashes_the_check(tmp_path: Path) -> None:
    """Whatever a patch says, applying and checking it reports, never raises."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    root = platform_with(tmp_path, "")
    base = list(rendered(root, "dev", "worker").values())
    operation = st.fixed_dictionaries(
        {
            "op": st.sampled_from(["add", "remove", "replace", "move", "copy", "test"]),
            "path": st.sampled_from(_POINTERS),
        },
        optional={"value": st.sampled_from(_VALUES), "from": st.sampled_from(_POINTERS)},
    )
    raw = st.fixed_dictionaries(
        {"target": st.just({"kind": "Deployment"})},
        optional={
            "jsonPatch": st.lists(operation, min_size=1, max_size=3),
            "merge": _merge_values(),
        },
    )

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
    @given(raw)
    def check(data: dict[str, Any]) -> None:
        try:
            patch = Patch.model_validate(data)
        except ValueError:
            return  # the spec model refuses it with a located PL2xx
        applied = apply_patches("worker", {"p": patch}, base)
        for step in applied.steps:
            schema_errors(step.after, step.before)
            weakened(step.before, step.after)

    check()


def test_a_secret_in_a_patch_is_caught_and_a_secret_name_is_not(tmp_path: Path) -> None:
    root = platform_with(
        tmp_path,
        """\
        patches:
          certs:
            target: {kind: Deployment}
            merge:
              spec:
                template:
                  spec:
                    volumes: [{name: certs, secret: {secretName: worker-client-certificates}}]
                    containers:
                      - name: worker
                        env: [{name: TOKEN, value: ghp_abcdefghijklmnopqrstuvwxyz0123456789}]
        """,
    )
    [found] = pipeline.validate_platform(root).diagnostics
    assert found.code.id == "PL705"
    assert found.key_path.endswith("containers[0].env[0].value")
    assert "ghp_" not in found.message + found.hint  # never printed back
