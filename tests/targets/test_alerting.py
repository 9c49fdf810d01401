"""Alert routing of the example: what Alertmanager loads, where each alert goes, silences."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import time
import urllib.request
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from generators import pipeline
from generators.domain.alerting import routes, silences
from generators.spec.alerting import Silence
from generators.targets.alerting import MOUNTS_ANNOTATION
from tests.conftest import REPO

ENVS = ("dev", "staging", "production")
AMTOOL = shutil.which("amtool")
ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
needs_amtool = pytest.mark.skipif(
    AMTOOL is None, reason="amtool is not installed (Debian package prometheus-alertmanager)"
)


@cache
def tree() -> dict[str, bytes]:
    rendering = pipeline.render_platform(REPO)
    assert rendering.validation.errors == 0
    return dict(rendering.tree)


def objects(env: str, app: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all(tree()[f"{env}/{app}/manifests.yaml"]))


def config_secret(env: str) -> dict[str, Any]:
    (secret,) = [o for o in objects(env, "_observability") if o["kind"] == "Secret"]
    return secret


def config(env: str) -> dict[str, Any]:
    return yaml.safe_load(config_secret(env)["stringData"][routes.CONFIG_KEY])


def config_file(env: str, tmp_path: Path) -> Path:
    path = tmp_path / f"{env}.yml"
    path.write_text(config_secret(env)["stringData"][routes.CONFIG_KEY])
    return path


def receiver(env: str, name: str) -> dict[str, Any]:
    return next(r for r in config(env)["receivers"] if r["name"] == name)


@needs_amtool
@pytest.mark.parametrize("env", ENVS)
def test_amtool_accepts_the_configuration(env: str, tmp_path: Path) -> None:
    checked = subprocess.run(
        [AMTOOL, "check-config", str(config_file(env, tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout


def routes_test(path: Path, labels: dict[str, str]) -> list[str]:
    """The receivers Alertmanager picks for an alert (`amtool config routes test`)."""
    assert AMTOOL is not None
    done = subprocess.run(
        [AMTOOL, "config", "routes", "test", f"--config.file={path}"]
        + [f"{k}={v}" for k, v in labels.items()],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().split(",")


@needs_amtool
@pytest.mark.parametrize(
    ("env", "labels", "receivers"),
    [
        # Production pages, and escalates to the leads what nobody silences.
        (
            "production",
            {"team": "payments", "severity": "critical"},
            ["payments-critical", "payments-escalation"],
        ),
        ("production", {"team": "payments", "severity": "warning"}, ["payments-warning"]),
        ("production", {"team": "storefront", "severity": "info"}, ["storefront-info"]),
        # Dev and staging escalate nothing.
        ("dev", {"team": "payments", "severity": "critical"}, ["payments-critical"]),
        ("staging", {"team": "storefront", "severity": "critical"}, ["storefront-critical"]),
        # No team, or one that is not here: the fallback team.
        ("production", {"severity": "critical", "alertname": "NodeDown"}, ["platform-critical"]),
        ("production", {"team": "search", "severity": "warning"}, ["platform-warning"]),
        # No severity at all: the team's warning receiver.
        ("staging", {"team": "payments"}, ["payments-warning"]),
    ],
)  # fmt: skip
def test_alerts_reach_the_receivers_the_policy_names(
    env: str, labels: dict[str, str], receivers: list[str], tmp_path: Path
) -> None:
    assert routes_test(config_file(env, tmp_path), labels) == receivers


def test_receivers_use_the_channels_of_the_severity_in_the_environment() -> None:
    # Production critical: PagerDuty, SMS (through the relay) and Slack.
    critical = receiver("production", "payments-critical")
    assert critical["pagerduty_configs"][0]["severity"] == "critical"
    assert critical["slack_configs"][0]["channel"] == "#payments-oncall"
    (sms,) = critical["webhook_configs"]
    assert sms["url"] == "http://twilio-relay.monitoring.svc:8080/sms?to=%2B4915112345678"
    assert sms["max_alerts"] == 3
    # Dev: nobody is paged; Slack only, batched more slowly for warnings.
    assert set(receiver("dev", "payments-critical")) == {"name", "slack_configs"}
    dev_routes = config("dev")["route"]["routes"][0]["routes"]
    assert {r["receiver"]: r.get("group_wait") for r in dev_routes}["payments-warning"] == "1m"
    # Staging critical: Slack and storefront's incident.io webhook.
    staging = receiver("staging", "storefront-critical")
    assert staging["webhook_configs"][0]["url"].startswith("https://api.incident.io/")
    # Info goes by e-mail everywhere.
    assert receiver("production", "storefront-info")["email_configs"] == [
        {"to": "storefront@acme.io", "send_resolved": True}
    ]


def test_escalation_waits_and_does_not_report_resolutions() -> None:
    route = config("production")["route"]["routes"][0]
    assert route["matchers"] == ['team="payments"']
    first, second = route["routes"][:2]
    assert first["receiver"] == "payments-critical"
    assert first["continue"] is True
    assert second["receiver"] == "payments-escalation"
    assert second["group_wait"] == "30m"
    escalation = receiver("production", "payments-escalation")
    hooks = escalation["webhook_configs"] + escalation["email_configs"]
    assert hooks
    assert all(h["send_resolved"] is False for h in hooks)
    assert escalation["email_configs"][0]["to"] == "payments-leads@acme.io"
    leads = receiver("production", "storefront-escalation")
    assert leads["pagerduty_configs"][0]["routing_key_file"].endswith(
        "/storefront-pagerduty/leads-key"
    )


def test_critical_inhibits_the_warning_of_the_same_alert_and_service() -> None:
    for env in ENVS:
        assert config(env)["inhibit_rules"] == [
            {
                "source_matchers": ['severity="critical"'],
                "target_matchers": ['severity=~"warning|info"'],
                "equal": ["alertname", "service", "environment"],
            }
        ]


def test_maintenance_windows_mute_only_the_routes_in_their_scope() -> None:
    def muted(env: str) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for team_route in config(env)["route"]["routes"]:
            for route in team_route["routes"]:
                out.setdefault(route["receiver"], set()).update(
                    route.get("mute_time_intervals", [])
                )
        return out

    production = muted("production")
    assert production["payments-critical"] == {"maintenance-database-upgrades"}
    assert production["payments-escalation"] == {"maintenance-database-upgrades"}
    assert production["storefront-critical"] == set()  # the window names team payments only
    assert all(v == {"maintenance-staging-rebuild"} for v in muted("staging").values())
    assert all(v == set() for v in muted("dev").values())
    assert "time_intervals" not in config("dev")
    (window,) = config("production")["time_intervals"]
    assert window["time_intervals"] == [
        {
            "times": [{"start_time": "02:00", "end_time": "04:00"}],
            "weekdays": ["sunday"],
            "days_of_month": ["1:7"],
            "months": ["january:december"],
            "years": ["2026:2027"],
            "location": "Europe/Berlin",
        }
    ]


def credential_files(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [
            v if k.endswith("_file") else f
            for k, v in node.items()
            for f in ([v] if k.endswith("_file") else credential_files(v))
        ]
    if isinstance(node, list):
        return [f for item in node for f in credential_files(item)]
    return []


@pytest.mark.parametrize("env", ENVS)
def test_credentials_are_files_from_secrets_rendered_beside_the_alertmanager(env: str) -> None:
    cfg = config(env)
    text = json.dumps(cfg)
    for inline in ('"api_url"', '"routing_key"', '"service_key"', '"auth_password"', "not-real"):
        assert inline not in text
    files = credential_files(cfg)
    assert files
    assert all(f.startswith(routes.SECRETS_DIR + "/") for f in files)
    mounted = {f.split("/")[4] for f in files}
    secret = config_secret(env)
    assert set(secret["metadata"]["annotations"][MOUNTS_ANNOTATION].split(",")) == mounted
    rendered = {
        o["metadata"]["name"]
        for o in objects(env, "_secrets")
        if o["kind"] in ("SealedSecret", "ExternalSecret")
        and o["metadata"]["namespace"] == secret["metadata"]["namespace"]
    }
    assert mounted <= rendered


def test_silences_are_rendered_for_their_environments_as_the_api_takes_them() -> None:
    assert "_silences/dev/silences.json" not in tree()
    for env in ("staging", "production"):
        (silence,) = json.loads(tree()[f"_silences/{env}/silences.json"])
        assert silence == {
            "matchers": [
                {"name": "service", "value": "legacy-pricing", "isRegex": False, "isEqual": True},
                {"name": "severity", "value": "warning|info", "isRegex": True, "isEqual": True},
            ],
            "startsAt": "2026-11-25T00:00:00Z",
            "endsAt": "2026-12-20T00:00:00Z",
            "createdBy": "@carla",
            "comment": "legacy-pricing is being retired (PLAT-412); its warnings are known. "
            "[platform:legacy-pricing-decommission]",
        }


def test_a_silence_past_its_end_is_not_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_TODAY", "2026-12-21")
    rendering = pipeline.render_platform(REPO)
    assert [d.code.id for d in rendering.validation.diagnostics if d.code.id == "PL804"] == [
        "PL804"
    ]
    assert not any(path.startswith("_silences/") for path in rendering.tree)


def test_matchers_parse_as_alertmanager_reads_them() -> None:
    assert silences.parse_matcher('alertname=~"High.*"') == silences.Matcher(
        "alertname", "=~", "High.*"
    )
    assert silences.parse_matcher("service!=web") == silences.Matcher("service", "!=", "web")
    assert silences.parse_matcher(r'summary="say \"hi\""') == silences.Matcher(
        "summary", "=", 'say "hi"'
    )
    assert isinstance(silences.parse_matcher('service="web'), str)
    assert isinstance(silences.parse_matcher('service=~"(web"'), str)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@needs_amtool
@pytest.mark.skipif(ALERTMANAGER is None, reason="the Alertmanager server is not installed")
def test_alertmanager_loads_the_configuration_and_imports_the_silences(tmp_path: Path) -> None:
    """A real Alertmanager starts on the rendered file; `amtool silence import` takes ours."""
    assert ALERTMANAGER is not None
    assert AMTOOL is not None
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            ALERTMANAGER,
            f"--config.file={config_file('production', tmp_path)}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("Alertmanager did not become ready")
        # Dates relative to the real clock: Alertmanager refuses a silence already over.
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        silence = Silence(
            name="deploy-freeze",
            environments=["production"],
            matchers=['service="web"', 'alertname=~"High.*"'],
            startsAt=now - dt.timedelta(hours=1),
            endsAt=now + dt.timedelta(days=2),
            createdBy="@carla",
            comment="freeze (PLAT-1)",
        )
        (tmp_path / "silences.json").write_text(json.dumps([silences.postable_silence(silence)]))
        subprocess.run(
            [
                AMTOOL,
                f"--alertmanager.url={url}",
                "silence",
                "import",
                str(tmp_path / "silences.json"),
            ],
            check=True,
            capture_output=True,
        )
        queried = subprocess.run(
            [AMTOOL, f"--alertmanager.url={url}", "silence", "query", "-o", "json"],
            check=True,
            capture_output=True,
            text=True,
        )
        (active,) = json.loads(queried.stdout)
        assert active["status"]["state"] == "active"
        assert active["comment"] == "freeze (PLAT-1) [platform:deploy-freeze]"
        assert {(m["name"], m["value"], m["isRegex"]) for m in active["matchers"]} == {
            ("service", "web", False),
            ("alertname", "High.*", True),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
