"""`platform import` round trip: the harbor shop's own manifests, imported and rendered back.

Every field of every input object must come back in the rendered object of the same
kind and name, with the same value, except the documented differences below; and the
rendered objects may add whole fields only where the documented additions allow. The
two lists are also the "Import" section of docs/importing.md (a test keeps them in sync).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from generators import pipeline
from generators.ops import importer
from tests.conftest import CASES, REPO, copy_base

UPSTREAM = CASES / "apps" / "harbor-shop" / "upstream"
ENV = "dev"

Path_ = tuple[str, ...]

#: Input fields that come back changed or not at all: (pattern, reason). A pattern is a
#: path of keys (a named list item is `[its key]`); `*` matches one key, a key that ends
#: or starts with `*` matches by prefix or suffix, and a trailing `**` the rest.
DIFFERENCES: list[tuple[Path_, str]] = [
    (("metadata", "namespace"), "the namespace is the platform's: one per team and environment"),
    (
        ("spec", "selector", "**"),
        "workloads and Services select pods by app.kubernetes.io/name (selectors are immutable)",
    ),
    (
        ("spec", "ports", "*", "targetPort"),
        "a Service port targets the container port by its name",
    ),
]
#: Fields the rendered objects have that the input did not: (pattern, reason).
ADDITIONS: list[tuple[Path_, str]] = [
    (("metadata", "labels", "app.kubernetes.io/*"), "the platform's recommended labels"),
    (("metadata", "labels", "platform/*"), "the platform's team, environment and lifecycle labels"),
    (("spec", "revisionHistoryLimit"), "Deployments keep 5 old ReplicaSets"),
    (("spec", "selector", "**"), "the selector the platform renders"),
    (("spec", "ports", "*", "targetPort"), "a Service port targets the container port by its name"),
    (
        ("spec", "template", "metadata", "labels", "app.kubernetes.io/*"),
        "the platform's recommended labels",
    ),
    (
        ("spec", "template", "metadata", "labels", "platform/*"),
        "the platform's team, environment and log retention labels",
    ),
    (
        ("spec", "template", "metadata", "annotations", "platform/log-format"),
        "the log format the log shipper reads",
    ),
    (
        ("spec", "template", "metadata", "annotations", "fluentbit.io/parser"),
        "the log format the log shipper reads",
    ),
    (
        ("spec", "template", "spec", "automountServiceAccountToken"),
        "the service account token is mounted only when the spec asks",
    ),
    (
        ("spec", "template", "spec", "securityContext", "runAsGroup"),
        "the pod runs as the group of its user",
    ),
    (
        ("spec", "template", "spec", "securityContext", "fsGroup"),
        "volumes belong to the group of its user",
    ),
    (
        ("spec", "template", "spec", "securityContext", "seccompProfile", "**"),
        "the RuntimeDefault seccomp profile (restricted Pod Security Standard)",
    ),
    (
        ("spec", "template", "spec", "*ontainers", "*", "imagePullPolicy"),
        "images are pulled if not present",
    ),
    (("spec", "template", "spec", "*ontainers", "*", "ports", "*", "protocol"), "TCP, written out"),
    (
        ("spec", "template", "spec", "*ontainers", "*", "securityContext", "privileged"),
        "containers are never privileged (restricted Pod Security Standard)",
    ),
    (
        ("spec", "template", "spec", "*ontainers", "*", "volumeMounts", "[/tmp]", "**"),
        "every container gets a writable /tmp",
    ),
    (
        ("spec", "template", "spec", "volumes", "[tmp]", "**"),
        "every container gets a writable /tmp",
    ),
]
#: Objects the platform renders for a service that the input did not have.
EXTRA_KINDS = {
    "NetworkPolicy": "ingress is denied except from the services that depend on it",
    "PodDisruptionBudget": "one pod at a time may go when two or more replicas run",
    "PrometheusRule": "the default alerts of every service",
    "ConfigMap": "the service's Grafana dashboard (`<service>-dashboard`)",
}
#: Lists whose items are matched by a key, not by position.
KEYS = {
    "containers": "name",
    "initContainers": "name",
    "volumes": "name",
    "env": "name",
    "httpHeaders": "name",
    "volumeMounts": "mountPath",
}


def load_all(path: Path) -> list[dict[str, Any]]:
    return [d for d in YAML(typ="safe").load_all(path.read_text()) if d]


def leaves(obj: Any, at: Path_ = ()) -> dict[Path_, Any]:
    """Every leaf of ``obj`` by its path; named list items as ``[key]``."""
    if isinstance(obj, dict) and obj:
        out: dict[Path_, Any] = {}
        for key, value in obj.items():
            out.update(leaves(value, (*at, str(key))))
        return out
    if isinstance(obj, list) and obj:
        key = KEYS.get(at[-1]) if at else None
        if at and at[-1] == "ports":
            key = "containerPort" if "containerPort" in obj[0] else "port"
        out = {}
        for index, item in enumerate(obj):
            label = (
                f"[{item[key]}]" if key and isinstance(item, dict) and key in item else f"[{index}]"
            )
            out.update(leaves(item, (*at, label)))
        return out
    return {at: obj}


def matches(pattern: Path_, path: Path_) -> bool:
    for index, part in enumerate(pattern):
        if part == "**":
            return True
        if index >= len(path):
            return False
        key = path[index]
        if part == "*" or part == key:
            continue
        if not (part.endswith("*") and key.startswith(part[:-1])) and not (
            part.startswith("*") and key.endswith(part[1:])
        ):
            return False
    return len(pattern) == len(path)


#: Renamed on the way, documented among the differences: a volume `data` is `vol-data`.
VOLUME_NAMES = "the spec's volumes are rendered as vol-<name>, apart from the platform's own"


def renamed(path: Path_) -> Path_:
    """An input path as the platform renders it: volumes are named `vol-<name>`."""
    out = list(path)
    for index, part in enumerate(out[:-1]):
        if part == "volumes" and out[index + 1] != "[tmp]":
            out[index + 1] = f"[vol-{out[index + 1][1:]}"
    return tuple(out)


def input_value(path: Path_, value: Any) -> Any:
    """The value as rendered: a volume's name, and a mount's, gain the `vol-` prefix."""
    named = len(path) >= 3 and path[-1] == "name" and path[-3] in ("volumes", "volumeMounts")
    return f"vol-{value}" if named and value != "tmp" else value


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, importer.Outcome]:
    root = copy_base(tmp_path_factory.mktemp("harbor") / "repo")
    files = sorted(UPSTREAM.glob("*.yaml"))
    outcome = importer.run_import(root, files, team="shop")
    assert outcome.report.errors == 0, outcome.diagnostics
    return root, outcome


@pytest.fixture(scope="module")
def rendering(imported: tuple[Path, importer.Outcome]) -> pipeline.Rendering:
    root, _ = imported
    done = pipeline.render_platform(root)
    assert done.validation.errors == 0, done.validation.diagnostics
    return done


def rendered_objects(rendering: pipeline.Rendering, service: str) -> list[dict[str, Any]]:
    text = rendering.tree[f"{ENV}/{service}/manifests.yaml"].decode()
    return [d for d in YAML(typ="safe").load_all(text) if d]


def test_every_workload_becomes_a_spec(imported: tuple[Path, importer.Outcome]) -> None:
    root, outcome = imported
    names = sorted(p.stem for p in UPSTREAM.glob("*.yaml"))
    assert sorted(s.name for s in outcome.report.services) == names
    assert outcome.report.skipped == ()
    for name in names:
        assert (root / f"platform/services/{name}.yaml").is_file()


@pytest.mark.parametrize("upstream", sorted(UPSTREAM.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_input_field_comes_back(upstream: Path, rendering: pipeline.Rendering) -> None:
    service = upstream.stem
    objects = {(o["kind"], o["metadata"]["name"]): o for o in rendered_objects(rendering, service)}
    inputs = load_all(upstream)
    for given in inputs:
        key = (given["kind"], given["metadata"]["name"])
        assert key in objects, f"{service}: {key} is not rendered"
        want = leaves(given)
        have = leaves(objects[key])
        missing, wrong = [], []
        for path, value in want.items():
            if any(matches(p, path) for p, _ in DIFFERENCES):
                continue
            target = renamed(path)
            if target not in have:
                missing.append(".".join(path))
            elif have[target] != input_value(path, value):
                wrong.append(f"{'.'.join(path)}: {value!r} -> {have[target]!r}")
        assert not missing, f"{service} {key}: not rendered: {missing}"
        assert not wrong, f"{service} {key}: rendered otherwise: {wrong}"
        expected = {renamed(path) for path in want}
        added = [
            ".".join(path)
            for path in have
            if path not in expected and not any(matches(p, path) for p, _ in ADDITIONS)
        ]
        assert not added, f"{service} {key}: fields the input did not have: {added}"
    extra = {kind for kind, _ in objects} - {o["kind"] for o in inputs}
    assert extra <= set(EXTRA_KINDS), f"{service}: objects the input did not have: {extra}"


def test_the_node_selector_comes_back_through_a_patch(
    imported: tuple[Path, importer.Outcome], rendering: pipeline.Rendering
) -> None:
    root, outcome = imported
    spec = YAML(typ="safe").load((root / "platform/services/loadgen.yaml").read_text())
    patch = spec["spec"]["patches"]["node-selector"]
    assert patch["target"] == {"kind": "Deployment"}
    assert patch["merge"] == {
        "spec": {"template": {"spec": {"nodeSelector": {"workload": "batch"}}}}
    }
    assert patch["reason"] == "not expressible as a spec field: nodeSelector"
    report = next(s for s in outcome.report.services if s.name == "loadgen")
    assert [(p.name, p.target) for p in report.patches] == [("node-selector", "Deployment")]
    deployment = next(
        o for o in rendered_objects(rendering, "loadgen") if o["kind"] == "Deployment"
    )
    assert deployment["spec"]["template"]["spec"]["nodeSelector"] == {"workload": "batch"}


def test_only_loadgen_needs_a_patch(imported: tuple[Path, importer.Outcome]) -> None:
    _, outcome = imported
    assert {s.name for s in outcome.report.services if s.patches} == {"loadgen"}


def test_callers_are_declared_so_the_network_policies_admit_them(
    rendering: pipeline.Rendering,
) -> None:
    policy = next(o for o in rendered_objects(rendering, "catalog") if o["kind"] == "NetworkPolicy")
    callers = {
        peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
        for rule in policy["spec"]["ingress"]
        for peer in rule["from"]
    }
    assert callers == {"checkout", "recommend", "storefront"}


def test_the_differences_are_documented() -> None:
    text = (REPO / "docs" / "importing.md").read_text()
    section = text.split("\n## Import\n", 1)[1].split("\n## ", 1)[0]
    for _, reason in (*DIFFERENCES, *ADDITIONS, (("volumes",), VOLUME_NAMES)):
        assert reason in section, f"docs/importing.md, section Import, does not say: {reason}"
    for kind, reason in EXTRA_KINDS.items():
        assert kind in section
        assert reason in section
