"""Resolution: how layers combine, and where a merged value is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from generators import pipeline
from generators.model.layers import Layer, deep_merge, merge_layers, origin
from generators.model.resources import effective_resources
from generators.source.load import load_text
from generators.spec.service import Resources
from tests.conftest import build_tree


def test_maps_merge_lists_replace_null_removes() -> None:
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 1, "c": {"k": "v"}}
    over = {"a": {"y": [3], "z": 2}, "b": None, "c": "flat"}
    assert deep_merge(base, over) == {"a": {"x": 1, "y": [3], "z": 2}, "c": "flat"}
    assert base == {"a": {"x": 1, "y": [1, 2]}, "b": 1, "c": {"k": "v"}}  # untouched


def test_precedence_and_locations_follow_the_highest_layer() -> None:
    env, _ = load_text("environments/dev.yaml", b"spec:\n  defaults:\n    cpu: 1\n    mem: 2\n")
    svc, _ = load_text(
        "platform/services/a.yaml",
        b"spec:\n  cpu: 3\n  environments:\n    dev:\n      mem: 4\n",
    )
    assert env is not None
    assert svc is not None
    layers = (
        Layer(env, ("spec", "defaults")),
        Layer(svc, ("spec",)),
        Layer(svc, ("spec", "environments", "dev")),
    )
    assert merge_layers(layers, drop=("environments",)) == {"cpu": 3, "mem": 4}
    assert origin(layers, ("cpu",)).location.line == 2  # the service spec
    assert origin(layers, ("mem",)).location.line == 5  # the override block
    env_only = (Layer(env, ("spec", "defaults")),)
    assert (origin(env_only, ("cpu",)).location.file, origin(env_only, ("cpu",)).location.line) == (
        "environments/dev.yaml",
        3,
    )


def test_problem_in_one_environment_names_it(base_tree: Path) -> None:
    api = base_tree / "platform/services/api.yaml"
    api.write_text(api.read_text().replace("scaling: {min: 3, max: 10}", "scaling: {min: 30}"))
    result = pipeline.validate_platform(base_tree)
    (problem,) = result.diagnostics
    assert problem.code.id == "PL504"
    assert problem.environments == ("production",)
    assert problem.text == "scaling.min 30 is above scaling.max 4 (in environment 'production')"
    assert problem.key_path == "spec.environments.production.scaling.min"


def test_problem_in_every_environment_is_reported_once(base_tree: Path) -> None:
    api = base_tree / "platform/services/api.yaml"
    api.write_text(api.read_text().replace("cpu: 100m, memory", "cpu: 900m, memory"))
    result = pipeline.validate_platform(base_tree)
    (problem,) = result.diagnostics
    assert problem.code.id == "PL503"
    assert problem.environments == ()
    assert (problem.location.line, problem.location.col) == (16, 21)


def test_environment_defaults_take_part_in_checks(base_tree: Path) -> None:
    build_tree(
        base_tree,
        {
            "platform/services/nightly.yaml": """
                apiVersion: platform/v1
                kind: Service
                metadata:
                  name: nightly
                  team: shop
                spec:
                  type: cron
                  schedule: "0 3 * * *"
                  image: ghcr.io/example/worker:1.2.3
                  resources:
                    limits: {cpu: 200m}
                """
        },
    )
    dev = base_tree / "environments/dev.yaml"
    dev.write_text(dev.read_text() + "  defaults:\n    resources:\n      requests: {cpu: 500m}\n")
    result = pipeline.validate_platform(base_tree)
    (problem,) = result.diagnostics
    assert problem.code.id == "PL503"
    # The service's own line is reported: the default it clashes with is in the hint.
    assert (problem.location.file, problem.location.line) == ("platform/services/nightly.yaml", 11)
    assert problem.message == "cpu request 500m is above its limit 200m"
    assert "the request is set at environments/dev.yaml:17" in problem.hint
    assert problem.environments == ("dev",)


@pytest.mark.parametrize(
    ("given", "requests", "limits"),
    [
        ({}, {"cpu": "100m", "memory": "128Mi"}, {"cpu": "200m", "memory": "128Mi"}),
        (
            {"requests": {"cpu": "250m", "memory": "1Gi"}},
            {"cpu": "250m", "memory": "1Gi"},
            {"cpu": "500m", "memory": "1Gi"},
        ),
        (
            {"requests": {"cpu": 1.5}, "limits": {"memory": "64Mi"}},
            {"cpu": "1.5", "memory": "64Mi"},
            {"cpu": "3000m", "memory": "64Mi"},
        ),
        (
            {"limits": {"cpu": "50m"}},
            {"cpu": "50m", "memory": "128Mi"},
            {"cpu": "50m", "memory": "128Mi"},
        ),
    ],
)
def test_effective_resources_defaults(given, requests, limits) -> None:
    assert effective_resources(Resources.model_validate(given)) == (requests, limits)


def test_template_layer_is_lowest(base_tree: Path) -> None:
    from generators.model.platform import build_platform

    template, _ = load_text(
        "templates/go-api.yaml",
        b"env: {FROM_TEMPLATE: t, LOG_LEVEL: from-template}\nresources: {requests: {cpu: 300m}}\n",
    )
    assert template is not None
    documents = pipeline.validate_platform(base_tree).platform.documents
    platform, problems = build_platform(documents, templates=lambda doc: (Layer(template, ()),))
    assert problems == []
    worker = platform.resolved[("dev", "worker")].workload
    assert worker.env == {
        "FROM_TEMPLATE": "t",
        "LOG_LEVEL": "from-template",
        "API_URL": "${services.api.url}",
    }
    assert worker.resources.requests.cpu == "300m"
    api = platform.resolved[("dev", "api")].workload
    assert api.env["LOG_LEVEL"] == "info"  # the service's spec beats its template
    assert api.resources.requests.cpu == "100m"
