"""Typed dependencies rendered: env vars, the managed claim, egress, cost and the graph."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from generators import pipeline
from generators.domain import graph
from generators.domain.cost import estimate
from tests import gitrepo
from tests.checks.test_dependencies import OFFERS, platform
from tests.conftest import TESTS, invoke

DEPENDENCIES = "dependsOn:\n  - {type: redis}\n  - {type: postgres, name: orders-db}\n"


def objects(root: Path, env: str = "dev") -> dict[tuple[str, str], dict[str, Any]]:
    result = pipeline.render_platform(root)
    assert result.validation.errors == 0, result.validation.diagnostics
    text = result.tree[f"{env}/cache/manifests.yaml"].decode()
    return {(o["kind"], o["metadata"]["name"]): o for o in YAML(typ="safe").load_all(text)}


@pytest.fixture
def rendered(tmp_path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return objects(platform(tmp_path, DEPENDENCIES))


def container_env(rendered: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    deployment = rendered[("Deployment", "cache")]
    env: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    return env


def test_a_shared_instance_gives_plain_endpoints_and_secret_credentials(rendered: Any) -> None:
    env = {e["name"]: e for e in container_env(rendered)}
    assert env["REDIS_HOST"] == {"name": "REDIS_HOST", "value": "redis.data.svc.cluster.local"}
    assert env["REDIS_PORT"] == {"name": "REDIS_PORT", "value": "6379"}
    assert env["REDIS_PASSWORD"]["valueFrom"] == {
        "secretKeyRef": {"name": "api-db", "key": "password"}
    }
    assert env["REDIS_URL"]["value"] == "redis://:$(REDIS_PASSWORD)@$(REDIS_HOST):$(REDIS_PORT)"


def test_a_managed_instance_is_a_claim_whose_secret_the_env_reads(rendered: Any) -> None:
    claim = rendered[("PostgreSQLInstance", "cache-orders-db")]
    assert claim["apiVersion"] == "platform.example.com/v1alpha1"
    assert claim["metadata"]["namespace"] == "shop-dev"
    assert claim["spec"] == {
        "parameters": {"storageGB": 10},
        "compositionSelector": {"matchLabels": {"class": "small"}},
        "writeConnectionSecretToRef": {"name": "cache-orders-db-connection"},
    }
    annotations = claim["metadata"]["annotations"]
    assert annotations["argocd.argoproj.io/sync-options"] == "Prune=false,Delete=false"
    assert annotations["argocd.argoproj.io/sync-wave"] == "-1"
    env = {e["name"]: e for e in container_env(rendered)}
    refs = {
        name: e["valueFrom"]["secretKeyRef"]
        for name, e in env.items()
        if name.startswith("ORDERS_DB_") and "valueFrom" in e
    }
    assert refs == {
        f"ORDERS_DB_{part}": {"name": "cache-orders-db-connection", "key": key}
        for part, key in {
            "HOST": "endpoint",
            "PORT": "port",
            "USER": "username",
            "PASSWORD": "password",
            "DATABASE": "database",
        }.items()
    }
    assert env["ORDERS_DB_URL"]["value"] == (
        "postgresql://$(ORDERS_DB_USER):$(ORDERS_DB_PASSWORD)@$(ORDERS_DB_HOST):"
        "$(ORDERS_DB_PORT)/$(ORDERS_DB_DATABASE)?sslmode=require"
    )


def test_composed_values_come_after_every_variable_they_expand(rendered: Any) -> None:
    # Kubernetes expands $(VAR) only from variables defined earlier in the list.
    names = [e["name"] for e in container_env(rendered)]
    for entry in container_env(rendered):
        value = entry.get("value", "")
        for name in names:
            if f"$({name})" in value:
                assert names.index(name) < names.index(entry["name"]), (entry["name"], name)


def test_the_claim_is_a_valid_crossplane_claim(rendered: Any) -> None:
    schema = json.loads((TESTS / "crd-schemas" / "crossplane-claim.json").read_text())
    claim = rendered[("PostgreSQLInstance", "cache-orders-db")]
    jsonschema.Draft7Validator(schema).validate(claim)
    broken = json.loads(json.dumps(claim))
    broken["spec"]["writeConnectionSecretToRef"] = {"secretName": "x"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(broken)


def test_egress_reaches_the_shared_namespace_and_the_managed_port(rendered: Any) -> None:
    rules = rendered[("NetworkPolicy", "cache-egress")]["spec"]["egress"]
    assert {
        "to": [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "data"}},
                "podSelector": {"matchLabels": {"app": "redis"}},
            }
        ],
        "ports": [{"protocol": "TCP", "port": 6379}],
    } in rules
    assert {
        "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
        "ports": [{"protocol": "TCP", "port": 5432}],
    } in rules
    # No host is known for a managed instance: the annotation lists none.
    assert "annotations" not in rendered[("NetworkPolicy", "cache-egress")]["metadata"]


def test_an_external_instance_is_an_egress_host(tmp_path: Path) -> None:
    offers = OFFERS.replace("provider: shared", "provider: external").replace(
        "      namespace: data\n      selector: {app: redis}\n", ""
    )
    rendered = objects(platform(tmp_path, "dependsOn: [{type: redis}]\n", offers))
    policy = rendered[("NetworkPolicy", "cache-egress")]
    assert policy["metadata"]["annotations"]["platform/egress-hosts"] == (
        "redis.data.svc.cluster.local:6379"
    )


def test_a_secret_url_replaces_the_composed_one(tmp_path: Path) -> None:
    offers = OFFERS.replace(
        "compositionLabels: {class: small}\n",
        "compositionLabels: {class: small}\n      keys: {url: uri}\n",
    )
    rendered = objects(platform(tmp_path, "dependsOn: [{type: postgres}]\n", offers))
    env = {e["name"]: e for e in container_env(rendered)}
    assert env["POSTGRES_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": "cache-postgres-connection",
        "key": "uri",
    }


def test_a_managed_instance_is_priced_and_a_shared_one_is_not(tmp_path: Path) -> None:
    root = platform(tmp_path, DEPENDENCIES)
    platform_model = pipeline.validate_platform(root).platform
    assert platform_model is not None
    (line,) = [x for x in estimate(platform_model, ["dev"]) if x.name == "cache"]
    parts = {name: low for name, low, _ in line.parts}
    assert parts["orders-db (postgres small)"] == Decimal("23.36")  # the bundled default
    assert not any(name.startswith("redis") for name in parts)


def test_the_graph_shows_managed_and_shared_instances(tmp_path: Path) -> None:
    root = platform(tmp_path, DEPENDENCIES)
    platform_model = pipeline.validate_platform(root).platform
    assert platform_model is not None
    drawn = graph.build(platform_model, "dev")
    text = graph.text(drawn)
    assert "  ⇢ orders-db: postgres small, managed instance cache-orders-db" in text
    assert "  ⇢ redis: redis small, shared at redis.data.svc.cluster.local" in text
    dot = graph.dot(drawn)
    label = 'label="postgres small, managed instance cache-orders-db", shape=cylinder'
    assert f'"resource:cache-orders-db" [{label}' in dot
    assert '"cache" -> "resource:shared:redis:small" [style=dashed];' in dot


def impact(root: Path) -> list[tuple[str, str, str]]:
    done = invoke("diff", "--root", str(root), "--format", "json", "--env", "dev")
    assert done.exit_code == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    return [(f["category"], f["environment"], f["text"]) for f in data["impact"]]


def test_the_pr_diff_flags_a_database_claimed_changed_and_left_behind(tmp_path: Path) -> None:
    root = platform(tmp_path, "dependsOn: [{type: redis}]\n")
    repo = gitrepo.init(root)
    gitrepo.commit(repo, "Base")
    service = root / "platform/services/cache.yaml"
    service.write_text(
        service.read_text().replace("{type: redis}", "{type: redis}, {type: postgres}")
    )
    found = [t for c, _, t in impact(root) if c == "resources"]
    claim = "PostgreSQLInstance shop-dev/cache-postgres"
    assert found == [f"cache gets a managed postgres (small): {claim} is created"]
    gitrepo.commit(repo, "A database", day=1)
    for env in ("dev", "production"):
        path = root / f"environments/{env}.yaml"
        path.write_text(path.read_text().replace("storageGB: 10", "storageGB: 50"))
    (changed,) = [t for c, _, t in impact(root) if c == "resources"]
    assert changed.startswith(
        "PostgreSQLInstance shop-dev/cache-postgres changes (spec.parameters.storageGB"
    )
    assert "may modify or replace the instance" in changed
    gitrepo.commit(repo, "Bigger", day=2)
    service.unlink()  # the whole service goes: its claim is still a finding
    texts = [t for c, _, t in impact(root) if c == "resources"]
    left = (
        f"{claim} is no longer rendered; Argo CD keeps it and its data (Prune=false): "
        "delete it by hand if it should go"
    )
    assert texts == [left]
