"""What integrations and webhooks render into: env vars, egress, routes, settings, RBAC."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from generators import pipeline
from generators.checks.plaintext import detect
from tests.conftest import REPO

TREE = pipeline.render_platform(REPO).tree


def objects(env: str, app: str) -> dict[tuple[str, str], dict[str, Any]]:
    text = TREE[f"{env}/{app}/manifests.yaml"]
    return {(o["kind"], o["metadata"]["name"]): o for o in YAML(typ="safe").load_all(text)}


def env_of(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj["spec"]
    pod = spec["template"] if "template" in spec else spec["jobTemplate"]["spec"]["template"]
    return {
        e["name"]: e.get("value", e.get("valueFrom")) for e in pod["spec"]["containers"][0]["env"]
    }


def test_an_integration_injects_credentials_settings_health_and_rate_limit() -> None:
    # checkout-api is a canary in production: a Rollout.
    env = env_of(objects("production", "checkout-api")[("Rollout", "checkout-api")])
    assert env["STRIPE_SECRET_KEY"] == {"secretKeyRef": {"name": "stripe", "key": "secret-key"}}
    assert env["SENTRY_DSN"] == {"secretKeyRef": {"name": "sentry", "key": "dsn"}}
    assert env["SENTRY_ENVIRONMENT"] == "production"  # the instance's production block
    assert env["SENTRY_INGEST_HOST"] == "o4504.ingest.sentry.io"
    assert env["STRIPE_RATE_LIMIT"] == "100/second"
    assert env["STRIPE_HEALTH_URL"].startswith("https://")
    assert "STRIPE_WEBHOOK_SECRET" not in env  # optional, and the instance does not map it


def test_per_environment_credentials_of_an_instance() -> None:
    prod = env_of(objects("production", "catalog-api")[("Rollout", "catalog-api")])
    dev = env_of(objects("dev", "catalog-api")[("Rollout", "catalog-api")])  # blue-green
    assert prod["OPENAI_API_KEY"]["secretKeyRef"]["key"] == "project-api-key"
    assert dev["OPENAI_API_KEY"]["secretKeyRef"]["key"] == "api-key"
    assert prod["OPENAI_PROJECT_ID"] == "proj-catalog-prod"
    assert "OPENAI_PROJECT_ID" not in dev


def test_external_hosts_get_an_egress_policy_and_others_keep_open_egress() -> None:
    policy = objects("production", "checkout-api")[("NetworkPolicy", "checkout-api-egress")]
    annotation = policy["metadata"]["annotations"]["platform/egress-hosts"]
    assert annotation == "api.stripe.com:443, o4504.ingest.sentry.io:443"
    rules = policy["spec"]["egress"]
    assert rules[0]["ports"] == [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
    to_catalog = rules[1]["to"][0]
    assert to_catalog["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "catalog-api"}}
    internet = rules[-1]
    assert internet["to"][0]["ipBlock"]["except"] == [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
    ]
    assert internet["ports"] == [{"protocol": "TCP", "port": 443}]
    worker = objects("production", "payments-worker")[("NetworkPolicy", "payments-worker-egress")]
    assert (
        "hooks.ledger-partner.example:443"
        in worker["metadata"]["annotations"]["platform/egress-hosts"]
    )
    assert not any(
        k == ("NetworkPolicy", "legacy-pricing-egress")
        for k in objects("production", "legacy-pricing")
    )


def test_an_internal_service_exposes_only_its_webhook_paths() -> None:
    found = objects("dev", "catalog-api")
    assert ("Ingress", "catalog-api") not in found  # internal: no main route
    ingress = found[("Ingress", "catalog-api-webhooks")]
    rule = ingress["spec"]["rules"][0]
    assert rule["host"] == "catalog-hooks.dev.acme.io"
    assert [(p["path"], p["pathType"]) for p in rule["http"]["paths"]] == [
        ("/hooks/inventory", "Exact")
    ]
    # it issues its own certificate, since no main Ingress does
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"]
    policy = found[("NetworkPolicy", "catalog-api")]
    peers = policy["spec"]["ingress"][0]["from"]
    assert {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}
    } in peers


def test_gateway_webhook_route_matches_post_on_the_exact_path() -> None:
    route = objects("production", "checkout-api")[("HTTPRoute", "checkout-api-webhooks")]
    assert route["spec"]["rules"][0]["matches"] == [
        {"path": {"type": "Exact", "value": "/webhooks/stripe"}, "method": "POST"}
    ]


def test_webhook_settings_name_env_vars_never_values() -> None:
    found = objects("production", "payments-worker")
    settings = json.loads(found[("ConfigMap", "payments-worker-webhooks")]["data"]["webhooks.json"])
    (ledger,) = settings["outgoing"]
    assert ledger["secretEnv"] == "WEBHOOK_LEDGER_SECRET"
    assert ledger["retry"] == {
        "attempts": 8,
        "initialDelaySeconds": 2,
        "maxDelaySeconds": 600,
        "multiplier": 3,
        "jitter": "equal",
    }
    assert ledger["deadLetter"] == "sqs://eu-central-1/acme-payments-webhooks-dlq"
    env = env_of(found[("Deployment", "payments-worker")])
    assert env["WEBHOOK_LEDGER_SECRET"] == {
        "secretKeyRef": {"name": "ledger", "key": "signing-key"}
    }
    assert env["PLATFORM_WEBHOOKS_CONFIG"] == "/etc/platform/webhooks.json"


def test_secret_files_are_mounted_read_only_from_the_secret() -> None:
    cron = objects("staging", "ledger-reconcile")[("CronJob", "ledger-reconcile")]
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert {
        "name": "secret-0",
        "secret": {
            "secretName": "ledger",
            "items": [{"key": "bank-credentials.json", "path": "bank-credentials.json"}],
        },
    } in pod["volumes"]
    assert {
        "name": "secret-0",
        "mountPath": "/var/run/ledger/credentials.json",
        "subPath": "bank-credentials.json",
        "readOnly": True,
    } in pod["containers"][0]["volumeMounts"]


def test_rbac_only_where_the_environment_asks() -> None:
    role = objects("production", "checkout-api")[("Role", "checkout-api-secrets")]
    assert role["rules"] == [
        {
            "apiGroups": [""],
            "resources": ["secrets"],
            "resourceNames": ["checkout-db", "sentry", "stripe"],
            "verbs": ["get"],
        }
    ]
    binding = objects("production", "checkout-api")[("RoleBinding", "checkout-api-secrets")]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "checkout-api", "namespace": "payments"}
    ]
    assert not any(kind in ("Role", "RoleBinding") for kind, _ in objects("dev", "checkout-api"))


def test_secrets_app_syncs_between_namespaces_and_services() -> None:
    text = TREE["_argocd/production/manifests.yaml"]
    apps = {
        o["metadata"]["name"]: o
        for o in YAML(typ="safe").load_all(text)
        if o["kind"] == "Application"
    }
    secrets = apps["production.secrets"]
    # Production syncs from its hydrated branch (gitops.hydrateBranch), laid out as <env>/<app>.
    assert secrets["spec"]["source"]["path"] == "production/_secrets"
    assert secrets["spec"]["source"]["targetRevision"] == "hydrated/production"
    staging = YAML(typ="safe").load_all(TREE["_argocd/staging/manifests.yaml"])
    (staged,) = [o for o in staging if o["metadata"]["name"] == "staging.secrets"]
    assert staged["spec"]["source"]["path"] == "rendered/staging/_secrets"
    assert staged["spec"]["source"]["targetRevision"] == "main"
    assert secrets["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "-5"
    assert apps["production"]["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "-10"


@pytest.mark.parametrize(
    ("key", "value", "found"),
    [
        ("STRIPE_KEY", "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc" * 2, "Stripe Access Key"),
        ("AWS_KEY", "AKIA" + "IOSFODNN7EXAMPLQ", "AWS Access Key"),
        ("DSN", "postgres://app:" + "s3cr3t-pw" + "@db:5432/app", "Basic Auth Credentials"),
        ("TOKEN", "ghp_" + "a" * 20 + "B" * 16, "GitHub Token"),
        ("KEY", "-----BEGIN RSA " + "PRIVATE KEY-----", "Private Key"),
        (
            "OPENAI",
            "sk-proj-a1B2c3D4e5F6g7H8i9J0" + "T3BlbkFJ" + "k1L2m3N4o5P6q7R8s9T0",
            "OpenAI Token",
        ),
        ("SLACK", "xoxb-123456789012-1234567890123-" + "abcdefghijABCDEFGHIJabcd", "Slack Token"),
        (
            "SG",
            "SG.abcdefghijklmnopqrstuv." + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ",
            "SendGrid API Key",
        ),
        ("RANDOM", "Zx8Qp3Lm9Vt2Kb7Nw4Rc6Hy1Jd5Fg0Ts", "Base64 High Entropy String"),
    ],
)
def test_detectors_recognise_credentials(key: str, value: str, found: str) -> None:
    assert found in detect(key, value)


@pytest.mark.parametrize(
    "value",
    ["ghcr.io/acme/checkout-api", "https://api.stripe.com/v1", "${services.api.url}", "info"],
)
def test_detectors_leave_ordinary_values_alone(value: str) -> None:
    assert detect("VALUE", value) == []


def test_egress_opens_every_port_of_a_dependency_and_the_api_server() -> None:
    policy = objects("production", "checkout-api")[("NetworkPolicy", "checkout-api-egress")]
    catalog = next(
        r
        for r in policy["spec"]["egress"]
        if r["to"][0].get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name")
        == "catalog-api"
    )
    assert {p["port"] for p in catalog["ports"]} == {8080, 9090, 9100}  # http, grpc, metrics
    worker = objects("production", "payments-worker")[("NetworkPolicy", "payments-worker-egress")]
    anywhere = [
        r for r in worker["spec"]["egress"] if r["to"][0].get("ipBlock") == {"cidr": "0.0.0.0/0"}
    ]
    assert {p["port"] for p in anywhere[0]["ports"]} == {443, 6443}  # it calls the API server


def test_plaintext_in_config_files_and_spaced_values_is_caught(tmp_path: Path) -> None:
    import shutil

    for top in ("platform", "environments", "templates"):
        shutil.copytree(REPO / top, tmp_path / top)
    web = tmp_path / "platform/services/web.yaml"
    web.write_text(
        web.read_text()
        .replace(
            "  integrations: [sentry]\n",
            "  integrations: [sentry]\n"
            "  configFiles:\n"
            "    - path: /etc/web/keys.yaml\n"
            "      content: |\n"
            "        log_level: info\n"
            "        stripe_key: sk_live_" + "4eC39HqLyjWDarjtT1zdp7dd\n",
        )
        .replace(
            "  env:\n",
            '  env:\n    GH_HEADER: "token ghp_' + "abcdefghijklmnopqrstuvwxyz0123456789" + '"\n',
            1,
        )
    )
    result = pipeline.validate_platform(tmp_path)
    found = sorted((d.code.id, d.key_path) for d in result.diagnostics)
    assert found == [
        ("PL705", "spec.configFiles[0].content"),
        ("PL705", "spec.env.GH_HEADER"),
    ]
    assert invoke_render_fails(tmp_path)


def invoke_render_fails(root: Path) -> bool:
    from tests.conftest import invoke

    before = (
        {p: p.read_bytes() for p in (root / "rendered").rglob("*") if p.is_file()}
        if (root / "rendered").exists()
        else {}
    )
    done = invoke("render", "--root", str(root))
    after = (
        {p: p.read_bytes() for p in (root / "rendered").rglob("*") if p.is_file()}
        if (root / "rendered").exists()
        else {}
    )
    return done.exit_code == 1 and before == after and "sk_live" not in done.stdout


def test_the_rendered_example_holds_nothing_detect_secrets_flags() -> None:
    from detect_secrets.core.scan import _process_line_based_plugins
    from detect_secrets.settings import default_settings

    flagged = []
    with default_settings():
        for path, content in TREE.items():
            lines = content.decode().splitlines()
            for number, line in enumerate(lines, 1):
                flagged += [
                    (path, number, secret.type, line.strip()[:40])
                    for secret in _process_line_based_plugins([(number, line)], path)
                ]
    # Sealed ciphertext and content digests look like secrets by design, and fields that
    # name a Secret or an env var trip the keyword detector; nothing else may be flagged.
    names = ("secretName:", "- secretKey:", '"secretEnv":', "checksum/")
    unexpected = [
        f
        for f in flagged
        if not _in_encrypted_data(TREE[f[0]].decode().splitlines(), f[1])
        and not f[3].startswith(names)
    ]
    assert unexpected == []
    assert flagged  # the scan did see the ciphertext: it is not vacuous


def _in_encrypted_data(lines: list[str], number: int) -> bool:
    indent = len(lines[number - 1]) - len(lines[number - 1].lstrip())
    for line in reversed(lines[: number - 1]):
        if len(line) - len(line.lstrip()) < indent:
            return line.strip() == "encryptedData:"
    return False


def test_monitors_and_rules_follow_the_workload_and_the_environment() -> None:
    checkout = objects("production", "checkout-api")
    assert checkout[("ServiceMonitor", "checkout-api")]["spec"]["endpoints"] == [
        {"port": "http", "path": "/metrics", "interval": "15s"}
    ]
    worker = objects("production", "payments-worker")
    assert ("PodMonitor", "payments-worker") in worker  # no Service to monitor
    rules = checkout[("PrometheusRule", "checkout-api")]
    assert rules["metadata"]["labels"]["role"] == "alert-rules"  # the env's ruleLabels
    alerts = {r["alert"]: r for g in rules["spec"]["groups"] for r in g["rules"] if "alert" in r}
    assert "> 0.02" in alerts["ServiceHighErrorRatio"]["expr"]  # the spec's threshold
    assert alerts["CheckoutOrdersStalled"]["labels"]["category"] == "business"
    # SLO alerts take team/service/environment from the recording rules they select.
    assert alerts["CheckoutApiAvailabilitySLO"]["labels"]["sloth_severity"] in ("page", "ticket")
    records = [r for g in rules["spec"]["groups"] for r in g["rules"] if "record" in r]
    assert all(r["labels"]["team"] == "payments" for r in records if "sloth_window" in r["labels"])
    legacy = objects("production", "legacy-pricing")[("PrometheusRule", "legacy-pricing")]
    names = {r.get("alert") for g in legacy["spec"]["groups"] for r in g["rules"]}
    assert "ServiceHighLatency" not in names  # disabled in its spec
    assert "ServiceHighErrorRatio" in names


def test_log_settings_reach_the_shipper_and_the_store() -> None:
    cron = objects("production", "ledger-reconcile")[("CronJob", "ledger-reconcile")]
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["metadata"]
    assert pod["labels"]["platform/log-retention"] == "long"
    assert pod["annotations"]["fluentbit.io/parser"] == "logfmt"
    legacy = objects("production", "legacy-pricing")[("Deployment", "legacy-pricing")]
    meta = legacy["spec"]["template"]["metadata"]
    assert meta["annotations"]["platform/log-format"] == "text"
    assert "fluentbit.io/parser" not in meta["annotations"]  # plain text: no parser
    store = objects("production", "_observability")[("ConfigMap", "loki-overrides-production")]
    assert store["metadata"]["namespace"] == "observability"
    limits = YAML(typ="safe").load(store["data"]["runtime-config.yaml"])["overrides"]["acme-prod"]
    assert limits["retention_period"] == "30d"
    assert {s["selector"]: s["period"] for s in limits["retention_stream"]} == {
        '{retention_class="short"}': "3d",
        '{retention_class="long"}': "400d",
    }


def test_each_service_gets_a_dashboard_the_grafana_sidecar_loads() -> None:
    found = objects("production", "checkout-api")[("ConfigMap", "checkout-api-dashboard")]
    assert found["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert found["metadata"]["annotations"]["grafana_folder"] == "payments"
    model = json.loads(found["data"]["production-checkout-api.json"])
    titles = [p["title"] for p in model["panels"]]
    assert model["uid"] == "production_checkout-api"
    assert any("error" in t.lower() for t in titles)
    assert sum("budget" in t.lower() for t in titles) == 2  # one per SLO
