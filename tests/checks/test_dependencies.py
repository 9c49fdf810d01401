"""Typed dependencies (generators/checks/dependencies.py): each mistake located, with its code."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generators import pipeline
from generators.diagnostics import Diagnostic
from tests.conftest import copy_base

SERVICE = """\
apiVersion: platform/v1
kind: Service
metadata:
  name: cache
  team: shop
  lifecycle: production
spec:
  image: ghcr.io/example/cache:1.0.0
  ports:
    - {name: http, port: 8080}
  probes:
    readiness: {http: {path: /readyz}}
"""
#: What both environments of the base platform offer, unless a test says otherwise.
OFFERS = """\
resources:
  redis:
    small:
      provider: shared
      host: redis.data.svc.cluster.local
      namespace: data
      selector: {app: redis}
      secret: api-db
      tls: false
  postgres:
    small:
      provider: managed
      claim:
        apiVersion: platform.example.com/v1alpha1
        kind: PostgreSQLInstance
        parameters: {storageGB: 10}
        compositionLabels: {class: small}
"""


def platform(
    tmp_path: Path, service: str, offers: str = OFFERS, production: str | None = None
) -> Path:
    root = copy_base(tmp_path / "repo")
    body = textwrap.indent(textwrap.dedent(service), "  ")
    (root / "platform/services/cache.yaml").write_text(SERVICE + body)
    for env, block in (
        ("dev", offers),
        ("production", offers if production is None else production),
    ):
        path = root / "environments" / f"{env}.yaml"
        path.write_text(path.read_text() + textwrap.indent(block, "  "))
    return root


def found(root: Path) -> list[Diagnostic]:
    return list(pipeline.validate_platform(root).diagnostics)


def test_valid_dependencies_validate(tmp_path: Path) -> None:
    root = platform(tmp_path, "dependsOn:\n  - {type: redis}\n  - {type: postgres, name: db}\n")
    assert [(d.code.id, d.message) for d in found(root)] == []


@pytest.mark.parametrize(
    ("service", "code", "key", "message", "hint"),
    [
        (
            "dependsOn: [{type: postgre}]\n",
            "PL204",
            "spec.dependsOn[0].type",
            "'postgre' is not one of 'postgres', 'mysql', 'redis', 'mongodb', 's3', 'queue'",
            "did you mean 'postgres'?",
        ),
        (
            "dependsOn: [{type: redis, clas: ha}]\n",
            "PL201",
            "spec.dependsOn[0].clas",
            "unknown field 'clas'",
            "'class'",
        ),
        (
            "dependsOn: [{type: mysql}]\n",
            "PL311",
            "spec.dependsOn[0].type",
            "no mysql is offered",
            "the environment offers postgres, redis",
        ),
        (
            "dependsOn: [{type: postgres, class: smal}]\n",
            "PL311",
            "spec.dependsOn[0].class",
            "postgres class 'smal' is not offered",
            "'small'",
        ),
        (
            "dependsOn: [{type: redis}, {type: redis}]\n",
            "PL311",
            "spec.dependsOn[1]",
            "a second dependency named 'redis'",
            "own `name:`",
        ),
        (
            "env: {REDIS_URL: 'redis://elsewhere'}\ndependsOn: [{type: redis}]\n",
            "PL717",
            "spec.dependsOn[0]",
            "dependency 'redis' sets REDIS_URL, which its `env` sets too",
            "another `name:`",
        ),
    ],
)
def test_service_side_mistakes(
    tmp_path: Path, service: str, code: str, key: str, message: str, hint: str
) -> None:
    found_here = found(platform(tmp_path, service))
    assert [(d.code.id, d.key_path) for d in found_here] == [(code, key)]
    (diagnostic,) = found_here
    assert message in diagnostic.message
    assert hint.lower() in diagnostic.hint.lower()
    assert diagnostic.location.file == "platform/services/cache.yaml"
    assert diagnostic.location.line > 10  # at the entry, not the file's top


def test_a_class_offered_in_one_environment_only_names_the_other(tmp_path: Path) -> None:
    ha = OFFERS.replace("  redis:\n    small:", "  redis:\n    ha:")
    root = platform(tmp_path, "dependsOn: [{type: redis, class: ha}]\n", production=ha)
    (diagnostic,) = found(root)
    assert diagnostic.code.id == "PL311"
    assert diagnostic.environments == ("dev",)


def test_the_default_class_is_reported_at_the_entry(tmp_path: Path) -> None:
    offers = OFFERS.replace("  redis:\n    small:", "  redis:\n    ha:")
    (diagnostic,) = found(platform(tmp_path, "dependsOn: [{type: redis}]\n", offers))
    assert diagnostic.key_path == "spec.dependsOn[0]"
    assert "(the default class)" in diagnostic.message
    assert "'ha'" in diagnostic.hint


@pytest.mark.parametrize(
    ("replace", "code", "key", "message", "hint"),
    [
        (
            ("      tls: false\n", "      tls: false\n      settings: {password: hunter2}\n"),
            "PL312",
            "spec.resources.redis.small.settings.password",
            "password is a credential",
            "keep it in the secret",
        ),
        (
            ("      tls: false\n", "      tls: false\n      keys: {pasword: pw}\n"),
            "PL312",
            "spec.resources.redis.small.keys.pasword",
            "unknown redis part 'pasword'",
            "'password'",
        ),
        (
            ("      secret: api-db\n", "      secret: api-dbb\n"),
            "PL701",
            "spec.resources.redis.small.secret",
            "unknown secret 'api-dbb' (for dependency redis of service 'cache')",
            "'api-db'",
        ),
        (
            ("  redis:\n", "  queue:\n"),
            "PL312",
            "spec.resources.queue.small",
            "this queue offer does not say its vhost",
            "settings: {vhost: ...}",
        ),
    ],
)
def test_offer_mistakes_point_at_the_environment(
    tmp_path: Path, replace: tuple[str, str], code: str, key: str, message: str, hint: str
) -> None:
    offers = OFFERS.replace(*replace)
    service = (
        "dependsOn: [{type: queue}]\n"
        if "queue" in replace[1]
        else ("dependsOn: [{type: redis}]\n")
    )
    found_here = [d for d in found(platform(tmp_path, service, offers)) if d.code.id == code]
    assert found_here, f"no {code}"
    diagnostic = found_here[0]
    assert diagnostic.key_path == key
    assert diagnostic.location.file.startswith("environments/")
    assert message in diagnostic.message
    assert hint in diagnostic.hint


def test_a_plaintext_credential_is_never_echoed(tmp_path: Path) -> None:
    offers = OFFERS.replace(
        "      tls: false\n", "      tls: false\n      settings: {password: hunter2}\n"
    )
    found_here = found(platform(tmp_path, "dependsOn: [{type: redis}]\n", offers))
    assert found_here
    assert all("hunter2" not in d.message + d.hint for d in found_here)


def test_a_managed_class_without_a_price_warns(tmp_path: Path) -> None:
    offers = OFFERS.replace("PostgreSQLInstance", "MySQLInstance").replace("postgres:", "mysql:")
    root = platform(tmp_path, "dependsOn: [{type: mysql}]\n", offers)
    found_here = found(root)
    assert {(d.code.id, d.key_path, d.location.file) for d in found_here} == {
        ("PL607", "spec.resources.mysql.small", f"environments/{env}.yaml")
        for env in ("dev", "production")
    }
    diagnostic = found_here[0]
    assert "cost.resources.mysql.small" in diagnostic.hint
