"""Secrets end to end: sealing through the CLI, what render makes of it, status and audit.

The example's sealing certificates have their (test-only) private keys in
tests/fixtures/sealing/, so these tests can open what the compiler wrote, as the
controller would, with tests/sealed_controller.py (written independently of the sealer).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pygit2
import pytest
from cryptography.hazmat.primitives import serialization
from ruamel.yaml import YAML

from generators import pipeline
from tests.conftest import REPO, TESTS, invoke
from tests.sealed_controller import make_key_pair, unseal_object

KEYS = TESTS / "fixtures" / "sealing"


def private_key(env: str) -> Any:
    return serialization.load_pem_private_key((KEYS / f"{env}.key").read_bytes(), None)


def copy_repo(target: Path) -> Path:
    for top in ("platform", "environments", "templates"):
        shutil.copytree(REPO / top, target / top)
    return target


def rendered(root: Path, rel: str) -> list[dict[str, Any]]:
    return list(YAML(typ="safe").load_all((root / "rendered" / rel).read_text()))


def sealed_secrets(root: Path, env: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (o["metadata"]["namespace"], o["metadata"]["name"]): o
        for o in rendered(root, f"{env}/_secrets/manifests.yaml")
        if o["kind"] == "SealedSecret"
    }


def seal(root: Path, *args: str, value: bytes) -> Any:
    return invoke("secrets", "seal", "--root", str(root), *args, input=value)


def test_every_sealed_value_of_the_example_opens_where_it_is_rendered() -> None:
    scopes = set()
    for env in ("dev", "staging", "production"):
        for obj in sealed_secrets(REPO, env).values():
            values = unseal_object(private_key(env), obj)
            assert values
            assert all(b"not-real" in v for v in values.values())
            annotations = obj["metadata"].get("annotations", {})
            scopes.add(next((k.rsplit("/", 1)[1] for k in annotations), "strict"))
    assert scopes == {"strict", "namespace-wide", "cluster-wide"}


def test_a_sealed_value_is_wired_into_the_pods_and_opens_for_its_target(tmp_path: Path) -> None:
    root = copy_repo(tmp_path / "repo")
    spec = root / "platform/secrets/stripe.yaml"
    spec.write_text(spec.read_text().replace("spec:\n", "spec:  # owned by payments\n", 1))
    before = spec.read_text()
    done = seal(
        root,
        "--env",
        "dev",
        "--secret",
        "stripe",
        "--key",
        "restricted-key",
        value=b"rk-not-real\n",
    )
    assert done.exit_code == 0, done.stderr
    assert "namespace payments-dev, strict" in done.stdout
    after = spec.read_text()
    assert "spec:  # owned by payments\n" in after  # a round-trip edit keeps comments
    assert after.startswith(before.split("          webhook-secret:")[0])  # and the rest
    assert invoke("render", "--root", str(root)).exit_code == 0
    obj = sealed_secrets(root, "dev")[("payments-dev", "stripe")]
    # One trailing newline from stdin is dropped, as `echo value |` adds it.
    assert unseal_object(private_key("dev"), obj)["restricted-key"] == b"rk-not-real"
    # A wrong namespace or name does not open it (strict scope).
    moved = json.loads(json.dumps(obj))
    moved["metadata"]["namespace"] = "storefront-dev"
    with pytest.raises(Exception, match=r"(?i)decrypt|unseal|fail"):
        unseal_object(private_key("dev"), moved)


def test_resealing_rolls_the_pods(tmp_path: Path) -> None:
    root = copy_repo(tmp_path / "repo")
    assert invoke("render", "--root", str(root)).exit_code == 0

    def checksum() -> str:
        deploy = next(  # an A/B test in dev: a Rollout
            o for o in rendered(root, "dev/checkout-api/manifests.yaml") if o["kind"] == "Rollout"
        )
        return deploy["spec"]["template"]["metadata"]["annotations"]["checksum/secrets"]

    first = checksum()
    args = ("--env", "dev", "--secret", "checkout-db", "--key", "password")
    assert seal(root, *args, value=b"same-value-not-real").exit_code == 0
    assert invoke("render", "--root", str(root)).exit_code == 0
    assert checksum() != first  # new ciphertext (random per seal), new checksum


def test_value_from_a_file_is_taken_byte_for_byte(tmp_path: Path) -> None:
    root = copy_repo(tmp_path / "repo")
    source = tmp_path / "creds.json"
    source.write_bytes(b'{"user": "u", "password": "not-real"}\n')
    args = ("--env", "dev", "--secret", "ledger", "--key", "bank-credentials.json")
    done = invoke("secrets", "seal", "--root", str(root), *args, "--from-file", str(source))
    assert done.exit_code == 0, done.stderr
    assert invoke("render", "--root", str(root)).exit_code == 0
    obj = sealed_secrets(root, "dev")[("payments-dev", "ledger")]
    assert unseal_object(private_key("dev"), obj)["bank-credentials.json"] == source.read_bytes()


def test_a_new_secret_needs_an_owner_and_gets_a_spec(tmp_path: Path) -> None:
    root = copy_repo(tmp_path / "repo")
    args = ("--env", "dev", "--secret", "github-app", "--key", "private-key")
    refused = seal(root, *args, value=b"x-not-real")
    assert refused.exit_code == 3
    assert "pass --team OWNER" in refused.stderr
    created = seal(root, *args, "--team", "storefront", value=b"x-not-real")
    assert created.exit_code == 0, created.stderr
    assert "(new file)" in created.stdout
    assert pipeline.validate_platform(root).errors == 0
    text = (root / "platform/secrets/github-app.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schemas/secret.schema.json\n")
    assert "namespace: storefront-dev" in text  # where its owner's services run
    assert "name: github-app" in text  # a strict seal records its name: a rename is caught


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--env", "qa", "--secret", "stripe", "--key", "k"), "unknown environment 'qa'"),
        (
            ("--env", "production", "--secret", "stripe", "--key", "k"),
            "comes from an external store in 'production'",
        ),
        (  # used by storefront's web and payments' checkout-api: two namespaces
            ("--env", "dev", "--secret", "sentry", "--key", "dsn", "--scope", "strict"),
            "used in 2 namespaces",
        ),
        (  # its other keys were sealed strict for payments-dev
            ("--env", "dev", "--secret", "stripe", "--key", "k", "--scope", "cluster"),
            "mixing targets in one Secret",
        ),
        (("--env", "dev", "--secret", "stripe", "--key", "a/b"), "is not a Secret key"),
    ],
)
def test_seal_refuses_what_would_not_decrypt(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    root = copy_repo(tmp_path / "repo")
    before = {p: p.read_bytes() for p in (root / "platform").rglob("*.yaml")}
    done = seal(root, *args, value=b"v-not-real")
    assert done.exit_code == 3, done.stdout + done.stderr
    assert message in done.stderr
    assert {p: p.read_bytes() for p in (root / "platform").rglob("*.yaml")} == before


def test_seal_refuses_an_expired_certificate(tmp_path: Path) -> None:
    root = copy_repo(tmp_path / "repo")
    _, pem = make_key_pair(2048, not_after=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    (root / "environments/certs/dev.pem").write_bytes(pem)
    done = seal(root, "--env", "dev", "--secret", "stripe", "--key", "k", value=b"v-not-real")
    assert done.exit_code == 3
    assert "expired on 2026-01-01" in done.stderr
    assert "kubeseal --fetch-cert" in done.stderr


def test_the_value_is_never_taken_from_the_command_line(tmp_path: Path) -> None:
    root = copy_repo(tmp_path / "repo")
    args = ("--env", "dev", "--secret", "stripe", "--key", "k")
    assert seal(root, *args, "--value", "v-not-real", value=b"").exit_code == 3
    empty = seal(root, *args, value=b"")
    assert empty.exit_code == 3
    assert "the value is empty" in empty.stderr


def test_planted_values_never_reach_the_output(tmp_path: Path) -> None:
    root = copy_repo(tmp_path / "repo")
    planted = {
        ("dev", "stripe", "secret-key"): b"sk_test_PLANTED0000000000000000not-real",
        ("staging", "checkout-db", "password"): b"planted-db-password-not-real",
        ("production", "sentry", "dsn"): b"https://planted-dsn-not-real@o1.ingest.sentry.io/1",
        ("dev", "ledger", "bank-credentials.json"): b'{"planted": "yes-not-real"}',
    }
    outputs = []
    for (env, secret, key), value in planted.items():
        scope = ("--scope", "cluster-wide") if secret == "sentry" else ()
        done = seal(root, "--env", env, "--secret", secret, "--key", key, *scope, value=value)
        assert done.exit_code == 0, done.stderr
        outputs.append(done.stdout + done.stderr)
    for args in (("render",), ("validate",), ("secrets", "status"), ("secrets", "audit")):
        done = (
            invoke(*args, "--root", str(root))
            if args[0] != "secrets"
            else invoke(args[0], args[1], "--root", str(root))
        )
        outputs.append(done.stdout + done.stderr)
    haystacks = [p.read_bytes() for p in (root / "rendered").rglob("*") if p.is_file()]
    haystacks += [p.read_bytes() for p in (root / "platform").rglob("*.yaml")]
    haystacks += [o.encode() for o in outputs]
    for value in planted.values():
        forms = {value, base64.b64encode(value), value.hex().encode()}
        assert not any(form in hay for form in forms for hay in haystacks), value


def test_status_lists_age_and_due_date_and_fails_when_overdue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ok = invoke("secrets", "status", "--root", str(REPO), "--format", "json")
    assert ok.exit_code == 0, ok.stdout
    rows = {(r["secret"], r["environment"]): r for r in json.loads(ok.stdout)}
    stripe = rows[("stripe", "production")]
    assert stripe == {
        "secret": "stripe",
        "environment": "production",
        "owner": "payments",
        "source": "external",
        "changed": "2026-11-16",
        "period": "30d",  # from the Stripe catalog entry
        "due": "2026-12-16",
        "state": "ok",
        "ageDays": 12,
    }
    assert rows[("checkout-db", "production")]["period"] == "60d"  # the secret's own
    monkeypatch.setenv("PLATFORM_TODAY", "2027-01-10")
    late = invoke("secrets", "status", "--root", str(REPO), "--env", "production")
    assert late.exit_code == 1
    line = next(x for x in late.stdout.splitlines() if x.startswith("stripe "))
    assert line.split()[-1] == "overdue"
    assert line.split()[5] == "55d"


@pytest.mark.parametrize("report", ["status", "audit"])
def test_reports_refuse_specs_with_other_errors_and_say_why_on_stderr(
    tmp_path: Path, report: str
) -> None:
    root = copy_repo(tmp_path / "repo")
    service = root / "platform/services/web.yaml"
    service.write_text(service.read_text().replace("team: storefront", "team: storefrnt"))
    done = invoke("secrets", report, "--root", str(root))
    assert done.exit_code == 1
    assert done.stdout == ""  # the report is data: nothing half-made on stdout
    assert "error[PL301]: unknown team 'storefrnt'" in done.stderr
    assert done.stderr.endswith("The specs have errors: fix them first (platform validate).\n")


def _commit(repo: pygit2.Repository, message: str, when: int) -> str:
    index = repo.index
    index.add_all()
    index.write()
    author = pygit2.Signature("Ada Admin", "ada@example.com", when, 0)
    parents = [] if repo.head_is_unborn else [repo.head.target]
    ref = "HEAD" if repo.head_is_unborn else repo.head.name
    return str(repo.create_commit(ref, author, author, message, index.write_tree(), parents))


def test_audit_names_users_owner_and_the_commit_that_last_changed_each_value(
    tmp_path: Path,
) -> None:
    root = copy_repo(tmp_path / "repo")
    repo = pygit2.init_repository(str(root))
    first = _commit(repo, "Platform", 1_790_000_000)
    args = ("--env", "staging", "--secret", "stripe", "--key", "secret-key")
    assert seal(root, *args, value=b"rotated-not-real").exit_code == 0
    second = _commit(repo, "Rotate the staging Stripe key", 1_790_086_400)
    assert seal(root, "--env", "dev", *args[2:], value=b"rotated-not-real").exit_code == 0
    done = invoke("secrets", "audit", "--root", str(root), "--format", "json")
    assert done.exit_code == 0, done.stderr
    rows = {(r["secret"], r["environment"]): r for r in json.loads(done.stdout)}
    assert rows[("stripe", "staging")]["lastChangedCommit"] == second[:12]
    assert rows[("stripe", "staging")]["lastChangedDate"] == "2026-09-22"
    assert rows[("stripe", "production")]["lastChangedCommit"] == first[:12]
    assert rows[("stripe", "dev")]["lastChangedCommit"] is None  # not committed yet
    assert rows[("stripe", "dev")]["usedBy"] == [
        "checkout-api (integration stripe)",
        "checkout-api (webhook stripe)",
    ]
    assert rows[("sendgrid", "production")]["owner"] == "storefront"
    assert rows[("sendgrid", "production")]["usedBy"] == ["payments-worker (integration sendgrid)"]
    table = invoke("secrets", "audit", "--root", str(root))
    assert "uncommitted" in table.stdout
    assert f"{second[:12]} 2026-09-22" in table.stdout


def test_reset_starts_an_environment_over_when_the_target_moved(tmp_path: Path) -> None:
    root = copy_repo(tmp_path / "repo")
    dev = root / "environments/dev.yaml"
    dev.write_text(dev.read_text().replace("per-team-environment", "per-environment"))
    args = ("--env", "dev", "--secret", "stripe", "--key", "secret-key")
    stuck = seal(root, *args, value=b"v-not-real")
    assert stuck.exit_code == 3
    assert "pass --reset" in stuck.stderr
    assert seal(root, *args, "--reset", value=b"v-not-real").exit_code == 0
    text = (root / "platform/secrets/stripe.yaml").read_text()
    assert "namespace: dev" in text
    assert "webhook-secret: Ag" not in text.split("    staging:")[0]  # dropped, to reseal
    again = ("--env", "dev", "--secret", "stripe", "--key", "webhook-secret")
    assert seal(root, *again, value=b"w-not-real").exit_code == 0
    # stripe opens in its new namespace; the other secrets still need resealing (PL707).
    problems = pipeline.validate_platform(root).diagnostics
    assert [d.location.file for d in problems if "stripe" in d.location.file] == []
    assert {d.code.id for d in problems} == {"PL707"}


@pytest.mark.parametrize("name", ["../../evil", "Bad_Name", "-x"])
def test_secret_names_are_checked_before_anything_is_written(tmp_path: Path, name: str) -> None:
    root = copy_repo(tmp_path / "repo")
    done = seal(
        root, "--env", "dev", "--secret", name, "--key", "k", "--team", "payments", value=b"v"
    )
    assert done.exit_code == 3
    assert "is not a secret name" in done.stderr
    assert not list(tmp_path.rglob("evil.yaml"))


@pytest.mark.parametrize("key", ["..", ".", "pässwörd", "a/b"])
def test_keys_kubernetes_rejects_are_refused(tmp_path: Path, key: str) -> None:
    root = copy_repo(tmp_path / "repo")
    done = seal(root, "--env", "dev", "--secret", "stripe", "--key", key, value=b"v")
    assert done.exit_code == 3
    assert "is not a Secret key" in done.stderr


def test_the_edit_keeps_mode_and_line_endings(tmp_path: Path) -> None:
    root = copy_repo(tmp_path / "repo")
    spec = root / "platform/secrets/stripe.yaml"
    spec.write_bytes(spec.read_bytes().replace(b"\n", b"\r\n"))
    spec.chmod(0o640)
    args = ("--env", "dev", "--secret", "stripe", "--key", "secret-key")
    assert seal(root, *args, value=b"v-not-real\r\n").exit_code == 0
    data = spec.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n")
    assert spec.stat().st_mode & 0o777 == 0o640
    assert invoke("render", "--root", str(root)).exit_code == 0
    obj = sealed_secrets(root, "dev")[("payments-dev", "stripe")]
    assert unseal_object(private_key("dev"), obj)["secret-key"] == b"v-not-real"  # no \r


def test_status_refuses_invalid_specs_and_unknown_environments(tmp_path: Path) -> None:
    root = copy_repo(tmp_path / "repo")
    assert invoke("secrets", "status", "--root", str(root), "--env", "prod").exit_code == 3
    spec = root / "platform/secrets/stripe.yaml"
    spec.write_text(spec.read_text().replace("kind: Secret\n", "kind: Secret\nbogus: 1\n"))
    broken = invoke("secrets", "status", "--root", str(root))
    assert broken.exit_code == 1
    assert "PL201" in broken.stderr


def test_audit_says_when_there_is_no_history(tmp_path: Path) -> None:
    root = copy_repo(tmp_path / "repo")
    done = invoke("secrets", "audit", "--root", str(root), "--format", "json")
    assert {r["history"] for r in json.loads(done.stdout)} == {"not-in-git"}
    assert "not-in-git" in invoke("secrets", "audit", "--root", str(root)).stdout


def test_recording_an_external_rotation_rolls_the_pods(tmp_path: Path) -> None:
    root = copy_repo(tmp_path / "repo")
    assert invoke("render", "--root", str(root)).exit_code == 0

    def checksum() -> str:
        objs = rendered(root, "production/checkout-api/manifests.yaml")
        deploy = next(o for o in objs if o["kind"] == "Rollout")  # a canary in production
        return deploy["spec"]["template"]["metadata"]["annotations"]["checksum/secrets"]

    first = checksum()
    spec = root / "platform/secrets/stripe.yaml"
    spec.write_text(spec.read_text().replace("rotatedAt: 2026-11-16", "rotatedAt: 2026-11-27"))
    assert invoke("render", "--root", str(root)).exit_code == 0
    assert checksum() != first
