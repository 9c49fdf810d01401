"""Default alerts per workload type: rule sets, thresholds, labels, PromQL validity, promtool."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

from generators.domain.monitoring.defaults import (
    ALERTS,
    KSM_FLAG,
    POD_LABEL,
    RUNBOOK,
    WORKLOADS,
    Thresholds,
    default_rules,
)
from generators.domain.monitoring.slo import check_query

PROMTOOL_MISSING = "promtool not installed; .ci/run installs Debian's prometheus package"
LABELS = {"team": "payments", "service": "checkout", "environment": "prod"}
DAY = 86400
# What every KSM series also carries when Prometheus scrapes KSM through its ServiceMonitor
# (honorLabels keeps the series' own namespace/pod): the alerts must drop these or override them.
KSM = 'job="kube-state-metrics", instance="10.0.0.7:8080", service="kube-state-metrics"'


def rules(
    workload: str = "web",
    *,
    autoscaled: bool = True,
    thresholds: Thresholds | None = None,
    schedule_seconds: int | None = DAY,
    labels: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    return default_rules(
        service="checkout",
        namespace="shop",
        workload=workload,
        labels=LABELS if labels is None else labels,
        thresholds=thresholds or Thresholds(),
        autoscaled=autoscaled,
        schedule_seconds=schedule_seconds if workload == "cron" else None,
    )


def by_name(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {rule["alert"]: rule for rule in found}


VARIANTS = [(w, a) for w in WORKLOADS for a in (True, False)]


# --- which rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workload", "autoscaled", "expected"),
    [
        (
            "web",
            True,
            [
                "ServiceHighErrorRatio",
                "ServiceHighLatency",
                "ServiceCPUSaturation",
                "ServiceCrashLooping",
                "ServicePodNotReady",
                "ServiceAutoscalerAtMax",
            ],
        ),
        (
            "web",
            False,
            [
                "ServiceHighErrorRatio",
                "ServiceHighLatency",
                "ServiceCPUSaturation",
                "ServiceCrashLooping",
                "ServicePodNotReady",
            ],
        ),
        (
            "worker",
            True,
            [
                "ServiceCPUSaturation",
                "ServiceCrashLooping",
                "ServicePodNotReady",
                "ServiceAutoscalerAtMax",
            ],
        ),
        ("worker", False, ["ServiceCPUSaturation", "ServiceCrashLooping", "ServicePodNotReady"]),
        # No HPA exists for batch workloads, whatever the caller says.
        (
            "cron",
            True,
            [
                "ServiceCronJobFailed",
                "ServiceCronJobMissedRun",
                "ServiceCrashLooping",
                "ServicePodNotReady",
            ],
        ),
        ("job", True, ["ServiceJobFailed", "ServiceCrashLooping", "ServicePodNotReady"]),
        ("job", False, ["ServiceJobFailed", "ServiceCrashLooping", "ServicePodNotReady"]),
    ],
)
def test_rules_per_workload_type(workload: str, autoscaled: bool, expected: list[str]) -> None:
    assert [r["alert"] for r in rules(workload, autoscaled=autoscaled)] == expected


@pytest.mark.parametrize("workload", WORKLOADS)
def test_alerts_table_lists_every_rule_in_order(workload: str) -> None:
    assert tuple(r["alert"] for r in rules(workload, autoscaled=True)) == ALERTS[workload]


def test_output_is_deterministic() -> None:
    first = [yaml.safe_dump(rules(w, autoscaled=a), sort_keys=False) for w, a in VARIANTS]
    again = [yaml.safe_dump(rules(w, autoscaled=a), sort_keys=False) for w, a in VARIANTS]
    assert first == again


# --- thresholds -------------------------------------------------------------------------------

CUSTOM = Thresholds(
    error_ratio=0.07,
    latency_p99_seconds=2.5,
    saturation=0.8,
    crash_loop_restarts=5,
    not_ready_for="20m",
    hpa_at_max_for="45m",
    cron_missed_grace="2h",
)


@pytest.mark.parametrize(
    ("thresholds", "want"),
    [
        (
            Thresholds(),
            {
                "ServiceHighErrorRatio": "\n> 0.05\n",
                "ServiceHighLatency": "\n> 1\n",
                "ServiceCPUSaturation": "  > 0.9\n",
                "ServiceCrashLooping": ") >= 3\n",
            },
        ),
        (
            CUSTOM,
            {
                "ServiceHighErrorRatio": "\n> 0.07\n",
                "ServiceHighLatency": "\n> 2.5\n",
                "ServiceCPUSaturation": "  > 0.8\n",
                "ServiceCrashLooping": ") >= 5\n",
            },
        ),
    ],
)
def test_thresholds_appear_in_expressions(thresholds: Thresholds, want: dict[str, str]) -> None:
    found = by_name(rules("web", thresholds=thresholds))
    for alert, fragment in want.items():
        assert fragment in found[alert]["expr"], (alert, found[alert]["expr"])


def test_threshold_durations_and_annotations() -> None:
    default, custom = by_name(rules("web")), by_name(rules("web", thresholds=CUSTOM))
    assert default["ServicePodNotReady"]["for"] == "15m"
    assert custom["ServicePodNotReady"]["for"] == "20m"
    assert default["ServiceAutoscalerAtMax"]["for"] == "30m"
    assert custom["ServiceAutoscalerAtMax"]["for"] == "45m"
    assert "more than 7% of requests" in custom["ServiceHighErrorRatio"]["annotations"]["summary"]
    assert "80% of its CPU limit" in custom["ServiceCPUSaturation"]["annotations"]["summary"]
    assert (
        "restarted 5 or more times" in custom["ServiceCrashLooping"]["annotations"]["description"]
    )


def test_missed_cron_run_waits_one_interval_plus_the_grace() -> None:
    hourly = by_name(rules("cron", thresholds=CUSTOM, schedule_seconds=3600))
    assert "\n> 3600 + 7200\n" in hourly["ServiceCronJobMissedRun"]["expr"]
    daily = by_name(rules("cron", schedule_seconds=DAY))
    assert "\n> 86400 + 3600\n" in daily["ServiceCronJobMissedRun"]["expr"]


# --- PromQL -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("workload", "autoscaled"), VARIANTS)
def test_every_expression_parses(workload: str, autoscaled: bool) -> None:
    for rule in rules(workload, autoscaled=autoscaled):
        assert check_query(rule["expr"]) is None, rule["alert"]
        promql_parser.parse(rule["expr"])  # as written, without check_query's {{window}} pass


SELECTOR = re.compile(r"\b([a-z_:]+)\{([^}]*)\}")
SCOPED = (
    'service="checkout"',
    f'{POD_LABEL}="checkout"',
    'horizontalpodautoscaler="checkout"',
    'cronjob="checkout"',
    'owner_name="checkout"',
    'job_name="checkout"',
)


@pytest.mark.parametrize(("workload", "autoscaled"), VARIANTS)
def test_expressions_stay_in_the_service_namespace(workload: str, autoscaled: bool) -> None:
    """Every selector names the namespace, and every rule narrows down to the service."""
    for rule in rules(workload, autoscaled=autoscaled):
        selectors = SELECTOR.findall(rule["expr"])
        assert selectors, rule["alert"]
        for metric, matchers in selectors:
            assert 'namespace="shop"' in matchers, (rule["alert"], metric)
        assert any(s in rule["expr"] for s in SCOPED), rule["alert"]


def test_pod_label_is_what_kube_state_metrics_derives_from_the_allowed_key() -> None:
    # internal/store/utils.go: "label_" + the key with [^a-zA-Z0-9_] replaced by "_".
    key = KSM_FLAG.split("[", 1)[1].rstrip("]")
    assert key == "app.kubernetes.io/name"
    assert re.sub(r"[^a-zA-Z0-9_]", "_", key) == POD_LABEL.removeprefix("label_")


# --- labels and annotations -------------------------------------------------------------------

CRITICAL = {"ServiceHighErrorRatio", "ServiceCrashLooping"}
VALUE_IN_DESCRIPTION = {
    "ServiceHighErrorRatio",
    "ServiceHighLatency",
    "ServiceCPUSaturation",
    "ServiceAutoscalerAtMax",
    "ServiceCronJobMissedRun",
}


@pytest.mark.parametrize(("workload", "autoscaled"), VARIANTS)
def test_labels_and_annotations(workload: str, autoscaled: bool) -> None:
    for rule in rules(workload, autoscaled=autoscaled):
        alert = rule["alert"]
        assert list(rule) == ["alert", "expr", "for", "labels", "annotations"]
        assert re.fullmatch(r"Service[A-Z][A-Za-z]+", alert)
        assert "checkout" not in alert.lower()  # the service is a label, not part of the name
        assert re.fullmatch(r"(\d+[smhdwy])+", rule["for"]), rule["for"]
        severity = "critical" if alert in CRITICAL else "warning"
        assert rule["labels"] == {**LABELS, "severity": severity}
        assert list(rule["labels"]) == sorted(rule["labels"])
        notes = rule["annotations"]
        assert set(notes) == {"summary", "description", "runbook_url"}
        assert notes["summary"].strip()
        assert notes["description"].strip()
        assert notes["runbook_url"] == f"{RUNBOOK}#{alert.lower()}"
        assert notes["runbook_url"].startswith(
            "https://github.com/acme/platform/blob/main/docs/observability.md#service"
        )
        assert ("{{ $value" in notes["description"]) == (alert in VALUE_IN_DESCRIPTION), alert


def test_service_label_is_always_set() -> None:
    for rule in rules("worker", labels={"team": "payments", "environment": "prod"}):
        assert rule["labels"]["service"] == "checkout"


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"workload": "daemon"}, "workload must be one of"),
        ({"service": "Checkout"}, "service must be a DNS label"),
        ({"service": 'a"b'}, "service must be a DNS label"),
        ({"namespace": ""}, "namespace must be a DNS label"),
        ({"labels": {"severity": "critical"}}, "severity is set per rule"),
        ({"labels": {"service": "billing"}}, "service is 'billing'"),
        ({"labels": {"bad-name": "x"}}, "invalid name"),
        ({"workload": "cron", "schedule_seconds": None}, "needs schedule_seconds"),
        ({"workload": "cron", "schedule_seconds": 0}, "needs schedule_seconds"),
    ],
)
def test_bad_arguments_are_rejected(changes: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {
        "service": "checkout",
        "namespace": "shop",
        "workload": "web",
        "labels": LABELS,
        "thresholds": Thresholds(),
        "autoscaled": False,
        **changes,
    }
    with pytest.raises(ValueError, match=message):
        default_rules(**arguments)


@pytest.mark.parametrize(
    "changes",
    [
        {"error_ratio": 0},
        {"error_ratio": 1.5},
        {"saturation": 0.0},
        {"latency_p99_seconds": 0},
        {"latency_p99_seconds": float("inf")},
        {"crash_loop_restarts": 0},
        {"crash_loop_restarts": True},
        {"crash_loop_restarts": 2.5},
        {"not_ready_for": "15"},
        {"hpa_at_max_for": "half an hour"},
        {"cron_missed_grace": ""},
    ],
)
def test_bad_thresholds_are_rejected(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(changes))):
        Thresholds(**changes)


# --- promtool ---------------------------------------------------------------------------------


def _promtool() -> str:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip(PROMTOOL_MISSING)
    return promtool


def test_promtool_check_rules(tmp_path: Path) -> None:
    """One service per variant, as in an environment: promtool's lint rejects duplicates."""
    promtool = _promtool()
    groups = []
    for workload, autoscaled in VARIANTS:
        service = f"{workload}-{'hpa' if autoscaled else 'fixed'}"
        found = default_rules(
            service=service,
            namespace="shop",
            workload=workload,
            labels={**LABELS, "service": service},
            thresholds=Thresholds(),
            autoscaled=autoscaled,
            schedule_seconds=DAY if workload == "cron" else None,
        )
        groups.append({"name": f"{service}.defaults", "rules": found})
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    done = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FAILED" not in done.stdout + done.stderr, done.stdout + done.stderr
    total = sum(len(group["rules"]) for group in groups)
    assert total == 6 + 5 + 4 + 3 + 4 + 4 + 3 + 3
    assert f"SUCCESS: {total} rules found" in done.stdout, done.stdout


def _promtool_test(tmp_path: Path, found: list[dict[str, Any]], tests: list[Any]) -> None:
    """Run ``tests`` (promtool unit tests, 1m apart) against ``found`` in one rule group."""
    promtool = _promtool()
    group = {"name": "defaults", "rules": found}
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [group]}, sort_keys=False))
    spec = tmp_path / "tests.yml"
    document = {"rule_files": ["rules.yml"], "evaluation_interval": "1m", "tests": tests}
    spec.write_text(yaml.safe_dump(document, sort_keys=False))
    done = subprocess.run(
        [promtool, "test", "rules", str(spec)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _alert(name: str, labels: dict[str, str], summary: str, description: str) -> dict[str, Any]:
    severity = "critical" if name in CRITICAL else "warning"
    return {
        "exp_labels": {**labels, **LABELS, "severity": severity},
        "exp_annotations": {
            "summary": summary,
            "description": description,
            "runbook_url": f"{RUNBOOK}#{name.lower()}",
        },
    }


def _requests(errors_per_minute: int, ok_per_minute: int, service: str = "checkout") -> list[Any]:
    labels = f'namespace="shop", service="{service}", job="{service}", pod="{service}-1"'
    return [
        {
            "series": f'http_requests_total{{{labels}, code="500"}}',
            "values": f"0+{errors_per_minute}x40",
        },
        {
            "series": f'http_requests_total{{{labels}, code="200"}}',
            "values": f"0+{ok_per_minute}x40",
        },
    ]


@pytest.mark.parametrize(
    ("thresholds", "shown"),
    [(Thresholds(), "5%"), (Thresholds(error_ratio=0.15), "15%")],
)
def test_promtool_error_ratio_fires_above_the_threshold_only(
    tmp_path: Path, thresholds: Thresholds, shown: str
) -> None:
    found = [
        r for r in rules("web", thresholds=thresholds) if r["alert"] == "ServiceHighErrorRatio"
    ]

    def firing(percent: int) -> list[Any]:
        return [
            _alert(
                "ServiceHighErrorRatio",
                {"namespace": "shop"},
                f"checkout answers more than {shown} of requests with a 5xx",
                f"{percent}% of requests to checkout in shop failed with a 5xx over the last "
                f"5 minutes (threshold {shown}).",
            )
        ]

    limit = round(thresholds.error_ratio * 100)
    cases = [
        # (errors, successes) per minute; the other service's errors must not count.
        ((2, 98), [], []),
        ((10, 90), [], firing(10) if limit < 10 else []),
        ((20, 80), [], firing(20)),
        ((1, 99), _requests(50, 50, service="billing"), []),
    ]
    tests = [
        {
            "interval": "1m",
            "input_series": _requests(*traffic) + noise,
            "alert_rule_test": [
                # `for: 5m` holds a new breach back: pending, not firing, after 3 minutes.
                {"eval_time": "3m", "alertname": "ServiceHighErrorRatio", "exp_alerts": []},
                {"eval_time": "20m", "alertname": "ServiceHighErrorRatio", "exp_alerts": want},
            ],
        }
        for traffic, noise, want in cases
    ]
    _promtool_test(tmp_path, found, tests)


def _ksm(metric: str, labels: str, values: str) -> dict[str, str]:
    return {"series": f"{metric}{{{KSM}, {labels}}}", "values": values}


def _pod(name: str, app: str = "checkout") -> dict[str, str]:
    return _ksm("kube_pod_labels", f'namespace="shop", pod="{name}", {POD_LABEL}="{app}"', "1x40")


def test_promtool_crash_looping(tmp_path: Path) -> None:
    found = [r for r in rules("worker") if r["alert"] == "ServiceCrashLooping"]
    restarts = "kube_pod_container_status_restarts_total"
    waiting = "kube_pod_container_status_waiting_reason"

    def container(pod: str) -> str:
        return f'namespace="shop", pod="{pod}", container="app", uid="{pod}-uid"'

    looping = " ".join(str(minute // 3) for minute in range(41))  # a restart every 3 minutes
    twice = " ".join("0" if m < 5 else "1" if m < 6 else "2" for m in range(41))
    series = [
        _pod("checkout-7d9f-a"),
        _ksm(restarts, container("checkout-7d9f-a"), looping),
        _pod("checkout-7d9f-b"),
        _ksm(restarts, container("checkout-7d9f-b"), twice),  # 2 restarts: below 3 in 15m
        _pod("checkout-7d9f-c"),  # stuck in CrashLoopBackOff, backing off between restarts
        _ksm(restarts, container("checkout-7d9f-c"), "7x40"),
        _ksm(waiting, f'{container("checkout-7d9f-c")}, reason="CrashLoopBackOff"', "1x40"),
        _pod("checkout-7d9f-d"),  # healthy
        _ksm(restarts, container("checkout-7d9f-d"), "0x40"),
        _ksm(waiting, f'{container("checkout-7d9f-d")}, reason="CrashLoopBackOff"', "0x40"),
        _pod("billing-5c4b-a", app="billing"),  # another service's pod in the namespace
        _ksm(restarts, container("billing-5c4b-a"), "0+1x40"),
    ]

    def alert(pod: str) -> dict[str, Any]:
        return _alert(
            "ServiceCrashLooping",
            {"namespace": "shop", "pod": pod, "container": "app"},
            "checkout is crash looping",
            f"Container app of pod {pod} (checkout in shop) restarted 3 or more times in "
            "15 minutes, or keeps waiting in CrashLoopBackOff.",
        )

    test = {
        "interval": "1m",
        "input_series": series,
        "alert_rule_test": [
            {"eval_time": "5m", "alertname": "ServiceCrashLooping", "exp_alerts": []},
            {
                "eval_time": "30m",
                "alertname": "ServiceCrashLooping",
                "exp_alerts": [alert("checkout-7d9f-a"), alert("checkout-7d9f-c")],
            },
        ],
    }
    _promtool_test(tmp_path, found, [test])


def test_promtool_pod_not_ready_ignores_finished_pods(tmp_path: Path) -> None:
    found = [r for r in rules("cron") if r["alert"] == "ServicePodNotReady"]

    def pod(name: str, ready: str, phase: str, app: str = "checkout") -> list[dict[str, str]]:
        where = f'namespace="shop", pod="{name}", uid="{name}-uid"'
        return [
            _pod(name, app),
            _ksm("kube_pod_status_ready", f'{where}, condition="true"', f"{ready}x40"),
            _ksm("kube_pod_status_ready", f'{where}, condition="false"', f"{1 - int(ready)}x40"),
            *(
                _ksm("kube_pod_status_phase", f'{where}, phase="{p}"', f"{int(p == phase)}x40")
                for p in ("Pending", "Running", "Succeeded", "Failed")
            ),
        ]

    series = [
        *pod("checkout-2900-a", "0", "Pending"),  # not ready: alerts after 15m
        *pod("checkout-2800-b", "0", "Succeeded"),  # a finished run
        *pod("checkout-2800-c", "0", "Failed"),  # a failed run (ServiceCronJobFailed's job)
        *pod("checkout-2700-d", "1", "Running"),
        *pod("billing-1", "0", "Pending", app="billing"),
    ]
    firing = _alert(
        "ServicePodNotReady",
        {"namespace": "shop", "pod": "checkout-2900-a"},
        "A pod of checkout is not ready",
        "Pod checkout-2900-a (checkout in shop) has not been ready for 15m.",
    )
    test = {
        "interval": "1m",
        "input_series": series,
        "alert_rule_test": [
            {"eval_time": "10m", "alertname": "ServicePodNotReady", "exp_alerts": []},
            {"eval_time": "20m", "alertname": "ServicePodNotReady", "exp_alerts": [firing]},
        ],
    }
    _promtool_test(tmp_path, found, [test])


def test_promtool_cron_failed_and_missed_runs(tmp_path: Path) -> None:
    """An hourly CronJob with 10m of grace, evaluated at 100m (time() = 6000)."""
    hourly = Thresholds(cron_missed_grace="10m")
    found = rules("cron", thresholds=hourly, schedule_seconds=3600)[:2]
    cron = 'namespace="shop", cronjob="checkout"'

    def job(name: str, owner: str, start: int, failed: int, complete: int) -> list[Any]:
        where = f'namespace="shop", job_name="{name}"'
        owned = f'{where}, owner_kind="CronJob", owner_name="{owner}", owner_is_controller="true"'
        reasons = [
            _ksm("kube_job_status_failed", f'{where}, reason="{reason}"', f"{value}x120")
            for reason, value in (("BackoffLimitExceeded", failed), ("DeadlineExceeded", 0))
        ]
        return [
            *reasons,
            _ksm("kube_job_owner", owned, "1x120"),
            _ksm("kube_job_status_start_time", where, f"{start}x120"),
            _ksm("kube_job_complete", f'{where}, condition="true"', f"{complete}x120"),
        ]

    jobs = [
        *job("checkout-100", "checkout", start=600, failed=1, complete=0),  # before the success
        *job("checkout-120", "checkout", start=1200, failed=0, complete=1),  # the last success
        *job("checkout-130", "checkout", start=1800, failed=1, complete=1),  # retried, succeeded
        *job("checkout-150", "checkout", start=3000, failed=1, complete=0),  # failed since
        *job("billing-150", "billing", start=3000, failed=1, complete=0),  # another CronJob
    ]

    def failed(name: str) -> dict[str, Any]:
        return _alert(
            "ServiceCronJobFailed",
            {"namespace": "shop", "job_name": name},
            "A run of the checkout CronJob failed",
            f"Job {name} of CronJob checkout in shop failed and has not succeeded since.",
        )

    def missed(ago: str) -> dict[str, Any]:
        return _alert(
            "ServiceCronJobMissedRun",
            {"namespace": "shop", "cronjob": "checkout"},
            "The checkout CronJob missed a run",
            f"CronJob checkout in shop last succeeded {ago} ago (or never, since it was "
            "created); it runs at least every 3600s, plus 10m of grace.",
        )

    def case(cronjob: list[Any], at: str, want_missed: list[Any]) -> dict[str, Any]:
        # Without a success yet, every failed run that did not complete counts.
        succeeded = any("last_successful_time" in s["series"] for s in cronjob)
        runs = ["checkout-150"] if succeeded else ["checkout-100", "checkout-150"]
        return {
            "interval": "1m",
            "input_series": jobs + cronjob,
            "alert_rule_test": [
                {
                    "eval_time": at,
                    "alertname": "ServiceCronJobFailed",
                    "exp_alerts": [failed(run) for run in runs],
                },
                {
                    "eval_time": at,
                    "alertname": "ServiceCronJobMissedRun",
                    "exp_alerts": want_missed,
                },
            ],
        }

    created = _ksm("kube_cronjob_created", cron, "0x120")
    success = _ksm("kube_cronjob_status_last_successful_time", cron, "1200x120")
    running, suspended = (_ksm("kube_cronjob_spec_suspend", cron, f"{flag}x120") for flag in (0, 1))
    tests = [
        # 6000 - 1200 = 4800 s since the last success, over 3600 + 600.
        case([created, success, running], "100m", [missed("1h 20m 0s")]),
        case([created, success, running], "90m", []),  # 4200 s: late by exactly the grace
        case([created, success, suspended], "100m", []),  # suspended on purpose
        # Never succeeded: counted from the CronJob's creation.
        case([created, running], "100m", [missed("1h 40m 0s")]),
        case([_ksm("kube_cronjob_created", cron, "4000x120"), running], "100m", []),
    ]
    _promtool_test(tmp_path, found, tests)


def test_promtool_job_failed_until_it_completes(tmp_path: Path) -> None:
    found = [r for r in rules("job") if r["alert"] == "ServiceJobFailed"]
    where = 'namespace="shop", job_name="checkout"'
    firing = _alert(
        "ServiceJobFailed",
        {"namespace": "shop", "job_name": "checkout"},
        "The checkout Job failed",
        "Job checkout in shop has failed pods and has not completed.",
    )

    def case(failed: int, complete: int, want: list[Any]) -> dict[str, Any]:
        series = [
            _ksm(
                "kube_job_status_failed", f'{where}, reason="BackoffLimitExceeded"', f"{failed}x40"
            ),
            _ksm("kube_job_status_failed", f'{where}, reason="DeadlineExceeded"', "0x40"),
            _ksm("kube_job_complete", f'{where}, condition="true"', f"{complete}x40"),
            # Another Job of the namespace that failed is not this service's.
            _ksm(
                "kube_job_status_failed", 'namespace="shop", job_name="billing", reason=""', "2x40"
            ),
        ]
        return {
            "interval": "1m",
            "input_series": series,
            "alert_rule_test": [
                {"eval_time": "10m", "alertname": "ServiceJobFailed", "exp_alerts": []},  # `for`
                {"eval_time": "20m", "alertname": "ServiceJobFailed", "exp_alerts": want},
            ],
        }

    tests = [case(1, 0, [firing]), case(1, 1, []), case(0, 1, []), case(0, 0, [])]
    _promtool_test(tmp_path, found, tests)
