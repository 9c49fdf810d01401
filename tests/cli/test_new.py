"""`platform new`: a service from a template, by answers (in-process) or by the wizard (pexpect)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pygit2
import pytest

from generators import pipeline
from generators.ops import new as creating
from tests.conftest import REPO, invoke


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The example platform with its service templates, copied."""
    target = tmp_path / "platform-repo"
    for top in ("platform", "environments", "templates"):
        shutil.copytree(REPO / top, target / top)
    return target


def test_new_writes_the_spec_and_its_pins_in_the_first_environments(root: Path) -> None:
    done = invoke("new", "go-api", "--root", str(root), "--name", "orders", "--team", "payments")
    assert done.exit_code == 0, done.stdout + done.stderr
    assert "Monthly estimate:" in done.stdout
    spec = (root / "platform/services/orders.yaml").read_text()
    assert "team: payments" in spec
    assert "lifecycle: staging" in spec  # every unprotected environment, never production
    for env in ("dev", "staging"):
        text = (root / f"environments/{env}.yaml").read_text()
        assert '    orders: "0.1.0"\n' in text
        assert "# `kubeseal --fetch-cert` output; public" in text or env != "dev"  # comments kept
    assert "orders" not in (root / "environments/production.yaml").read_text()
    result = pipeline.validate_platform(root)
    assert result.errors == result.warnings == 0, result.diagnostics


def test_a_bad_answer_is_located_and_nothing_is_written(root: Path) -> None:
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    done = invoke(
        "new", "go-api", "--root", str(root), "--name", "web", "--team", "paymnts",
        "--set", "memory=lots", "--set", "integrations=stirpe",
    )  # fmt: skip
    assert done.exit_code == 1
    out = done.stdout + done.stderr
    assert "--name:1:1: error[PL305]: a service named 'web' exists already" in out
    assert "--team:1:1: error[PL301]" in out
    assert "Did you mean 'payments'?" in out
    assert "--set:1:8: error[PL505]" in out  # the first --set, at its value
    assert "not a Kubernetes quantity" in out
    assert "Nothing was written." in out
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_a_database_is_a_typed_dependency_wired_and_priced(root: Path) -> None:
    done = invoke(
        "new", "go-api", "--root", str(root), "--name", "orders", "--team", "payments",
        "--set", "database=postgres",
    )  # fmt: skip
    assert done.exit_code == 0, done.stdout + done.stderr
    spec = (root / "platform/services/orders.yaml").read_text()
    assert "- {type: postgres, class: small, name: database}" in spec
    assert "dev: 25.04 USD" in done.stdout  # compute 1.68 + one managed db.t4g.small 23.36
    result = pipeline.render_platform(root)
    assert result.validation.errors == 0
    manifests = result.tree["dev/orders/manifests.yaml"].decode()
    assert "kind: PostgreSQLInstance" in manifests
    assert "name: DATABASE_URL" in manifests


def test_a_database_class_no_environment_offers_writes_nothing(root: Path) -> None:
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    done = invoke(
        "new", "go-api", "--root", str(root), "--name", "orders", "--team", "payments",
        "--set", "database=postgres", "--set", "databaseClass=hа",
    )  # fmt: skip
    assert done.exit_code == 1
    out = done.stdout + done.stderr
    assert "--set:2:15: error[PL204]" in out  # the second --set: a Cyrillic a is no class name
    done = invoke(
        "new", "go-api", "--root", str(root), "--name", "orders", "--team", "payments",
        "--set", "database=postgres", "--set", "databaseClass=ha",
    )  # fmt: skip
    assert done.exit_code == 1
    out = done.stdout + done.stderr
    assert "platform/services/orders.yaml:" in out
    assert "error[PL311]: postgres class 'ha' is not offered" in out
    # The new file's own line under it, though it was never written.
    assert " 31 |     - {type: postgres, class: ha, name: database}" in out
    assert "Known postgres classes: 'small'" in out
    assert "nothing was written" in out
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_a_worker_on_a_typed_redis_gets_its_address_and_password(root: Path) -> None:
    redis = (
        "  resources:\n"
        "    redis:\n"
        "      small:\n"
        "        provider: managed\n"
        "        claim: {apiVersion: platform.acme.io/v1alpha1, kind: RedisInstance}\n"
    )
    for env in ("dev", "staging"):
        path = root / f"environments/{env}.yaml"
        path.write_text(path.read_text().replace("  resources:  #", redis + "    #", 1))
    done = invoke(
        "new", "worker", "--root", str(root), "--name", "mailer", "--team", "payments",
        "--set", "redis=dependency",
    )  # fmt: skip
    assert done.exit_code == 0, done.stdout + done.stderr
    spec = (root / "platform/services/mailer.yaml").read_text()
    assert "REDIS_ADDR" not in spec.split("dependsOn")[0]  # the binding sets it
    assert "- {type: redis, class: small, name: redis}" in spec
    manifests = pipeline.render_platform(root).tree["dev/mailer/manifests.yaml"].decode()
    assert "kind: RedisInstance" in manifests
    assert 'value: "$(REDIS_HOST):$(REDIS_PORT)"' in manifests  # REDIS_ADDR, as main.go reads
    assert "name: REDIS_PASSWORD" in manifests


def test_a_dry_run_shows_the_diff_and_writes_nothing(root: Path) -> None:
    done = invoke(
        "new", "worker", "--root", str(root), "--name", "mailer", "--team", "payments", "--dry-run"
    )
    assert done.exit_code == 0, done.stderr
    assert "+++ b/platform/services/mailer.yaml" in done.stdout
    assert "Dry run: nothing was written." in done.stdout
    assert not (root / "platform/services/mailer.yaml").exists()


def test_the_starter_repository_replays_its_answers(root: Path, tmp_path: Path) -> None:
    result = creating.answered(
        root, "go-api", ["name=orders", "team=payments", "resources=M"], None
    )
    who = pygit2.Signature("Ada Admin", "ada@example.com", 1_790_000_000, 0)
    created = creating.create(root, result, repo=tmp_path / "orders", signature=who)
    assert created.written
    repo = pygit2.Repository(str(tmp_path / "orders"))
    assert str(repo.head.target) == created.commit
    assert repo.head.peel().author.time == 1_790_000_000
    answers = tmp_path / "orders/.platform-answers.yaml"
    assert answers.exists()
    # Replayed into a fresh platform, the answers give the same spec.
    other = tmp_path / "again"
    for top in ("platform", "environments", "templates"):
        shutil.copytree(REPO / top, other / top)
    done = invoke("new", "go-api", "--root", str(other), "--answers", str(answers))
    assert done.exit_code == 0, done.stdout + done.stderr
    assert (other / "platform/services/orders.yaml").read_text() == (
        root / "platform/services/orders.yaml"
    ).read_text()


@pytest.mark.skipif(sys.platform == "win32", reason="pexpect drives a pty")
def test_the_wizard_asks_shows_the_cost_and_writes_on_confirm(root: Path) -> None:
    pexpect = pytest.importorskip("pexpect", reason="pexpect is a test dependency")
    from generators.ops.scaffold import TEMPLATES_DIR, load_template

    env = {**os.environ, "PLATFORM_TODAY": "2026-11-28", "TERM": "xterm"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "generators", "new", "--root", str(root)],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
    )
    child.expect("Template:")
    child.send("\x1b[B")  # down: the second template, go-api (they are listed by name)
    child.send("\r")
    parameters = load_template(root / TEMPLATES_DIR, "go-api").manifest.spec.parameters
    for parameter in parameters:
        child.expect_exact(parameter.description[:40])
        if parameter.type == "name":
            child.send("ledger-api\r")
        elif parameter.type == "team":
            child.send("\x1b[B\r")  # the second team (by name): platform
        else:
            child.send("\r")  # the default
    child.expect("Monthly estimate:")
    child.expect_exact("Write it?")
    child.send("y\r")
    child.expect(pexpect.EOF)
    assert "Wrote:" in child.before
    spec = (root / "platform/services/ledger-api.yaml").read_text()
    assert "team: platform" in spec
