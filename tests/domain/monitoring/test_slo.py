"""Sloth-compatible SLO rules: hand-checked output, burn-rate tables, PromQL validity, promtool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import promql_parser
import pytest
import yaml

from generators.domain.monitoring.slo import (
    SLO,
    check_query,
    go_float,
    rule_groups,
    slo_id,
    success_rate_query,
    windows,
)

PROMTOOL_MISSING = "promtool not installed; .ci/run installs Debian's prometheus package"


def checkout(**changes: object) -> SLO:
    fields: dict[str, object] = {
        "service": "checkout-api",
        "name": "requests-availability",
        "objective": 99.9,
        "error_query": 'sum(rate(http_requests_total{job="checkout-api",code=~"5.."}[{{window}}]))',
        "total_query": 'sum(rate(http_requests_total{job="checkout-api"}[{{window}}]))',
        "alert_name": "CheckoutApiAvailabilitySLO",
        "labels": {"team": "payments", "tier": "1"},
        "page_labels": {"severity": "critical"},
        "ticket_labels": {"severity": "warning"},
        "annotations": {"runbook_url": "https://runbooks.example/checkout-availability"},
        "description": "99.9% of checkout API requests succeed",
    }
    fields.update(changes)
    return SLO(**fields)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# The hand-checked case. Everything below is written out from Sloth's formulas, not computed:
#   windows 5m/1h (2 % budget), 30m/6h (5 %), 2h/1d (10 %), 6h/3d (10 %) over 30 d = 720 h;
#   factors 2*720/100/1 = 14.4, 5*720/100/6 = 6, 10*720/100/24 = 3, 10*720/100/72 = 1;
#   objective ratio 99.9/100 = 0.9990000000000001 in float64 (Go's %g prints all 16 digits);
#   alert budget (100-99.9)/100 = 0.0009999999999999432 in float64 (the same digits appear in
#   Sloth's examples/_gen/getting-started.yml for its 99.9 % SLO).
# ---------------------------------------------------------------------------------------------
ID = "checkout-api-requests-availability"
SEL = (
    '{sloth_id="checkout-api-requests-availability", sloth_service="checkout-api", '
    'sloth_slo="requests-availability"}'
)
SLI_LABELS = {
    "sloth_id": ID,
    "sloth_service": "checkout-api",
    "sloth_slo": "requests-availability",
    "team": "payments",
    "tier": "1",
}

HAND_SLI_RULES = [
    {
        "record": "slo:sli_error:ratio_rate5m",
        "expr": '(sum(rate(http_requests_total{job="checkout-api",code=~"5.."}[5m])))\n'
        "/\n"
        '(sum(rate(http_requests_total{job="checkout-api"}[5m])))\n',
        "labels": {**SLI_LABELS, "sloth_window": "5m"},
    },
    {
        "record": "slo:sli_error:ratio_rate30m",
        "expr": '(sum(rate(http_requests_total{job="checkout-api",code=~"5.."}[30m])))\n'
        "/\n"
        '(sum(rate(http_requests_total{job="checkout-api"}[30m])))\n',
        "labels": {**SLI_LABELS, "sloth_window": "30m"},
    },
    {
        "record": "slo:sli_error:ratio_rate1h",
        "expr": '(sum(rate(http_requests_total{job="checkout-api",code=~"5.."}[1h])))\n'
        "/\n"
        '(sum(rate(http_requests_total{job="checkout-api"}[1h])))\n',
        "labels": {**SLI_LABELS, "sloth_window": "1h"},
    },
    {
        "record": "slo:sli_error:ratio_rate2h",
        "expr": '(sum(rate(http_requests_total{job="checkout-api",code=~"5.."}[2h])))\n'
        "/\n"
        '(sum(rate(http_requests_total{job="checkout-api"}[2h])))\n',
        "labels": {**SLI_LABELS, "sloth_window": "2h"},
    },
    {
        "record": "slo:sli_error:ratio_rate6h",
        "expr": '(sum(rate(http_requests_total{job="checkout-api",code=~"5.."}[6h])))\n'
        "/\n"
        '(sum(rate(http_requests_total{job="checkout-api"}[6h])))\n',
        "labels": {**SLI_LABELS, "sloth_window": "6h"},
    },
    {
        "record": "slo:sli_error:ratio_rate1d",
        "expr": '(sum(rate(http_requests_total{job="checkout-api",code=~"5.."}[1d])))\n'
        "/\n"
        '(sum(rate(http_requests_total{job="checkout-api"}[1d])))\n',
        "labels": {**SLI_LABELS, "sloth_window": "1d"},
    },
    {
        "record": "slo:sli_error:ratio_rate3d",
        "expr": '(sum(rate(http_requests_total{job="checkout-api",code=~"5.."}[3d])))\n'
        "/\n"
        '(sum(rate(http_requests_total{job="checkout-api"}[3d])))\n',
        "labels": {**SLI_LABELS, "sloth_window": "3d"},
    },
    {
        "record": "slo:sli_error:ratio_rate30d",
        "expr": f"sum_over_time(slo:sli_error:ratio_rate5m{SEL}[30d])\n"
        "/ ignoring (sloth_window)\n"
        f"count_over_time(slo:sli_error:ratio_rate5m{SEL}[30d])\n",
        "labels": {**SLI_LABELS, "sloth_window": "30d"},
    },
]

HAND_META_RULES = [
    {"record": "slo:objective:ratio", "expr": "vector(0.9990000000000001)", "labels": SLI_LABELS},
    {
        "record": "slo:error_budget:ratio",
        "expr": "vector(1-0.9990000000000001)",
        "labels": SLI_LABELS,
    },
    {"record": "slo:time_period:days", "expr": "vector(30)", "labels": SLI_LABELS},
    {
        "record": "slo:current_burn_rate:ratio",
        "expr": f"slo:sli_error:ratio_rate5m{SEL}\n"
        "/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
        f"slo:error_budget:ratio{SEL}\n",
        "labels": SLI_LABELS,
    },
    {
        "record": "slo:period_burn_rate:ratio",
        "expr": f"slo:sli_error:ratio_rate30d{SEL}\n"
        "/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
        f"slo:error_budget:ratio{SEL}\n",
        "labels": SLI_LABELS,
    },
    {
        "record": "slo:period_error_budget_remaining:ratio",
        "expr": f"1 - slo:period_burn_rate:ratio{SEL}",
        "labels": SLI_LABELS,
    },
    {
        "record": "sloth_slo_info",
        "expr": "vector(1)",
        "labels": {
            "sloth_id": ID,
            "sloth_mode": "cli-gen-prom",
            "sloth_objective": "99.9",
            "sloth_service": "checkout-api",
            "sloth_slo": "requests-availability",
            "sloth_spec": "prometheus/v1",
            "sloth_version": "platform-compiler",
            "team": "payments",
            "tier": "1",
        },
    },
]

EB = "0.0009999999999999432"
HAND_ALERT_RULES = [
    {
        "alert": "CheckoutApiAvailabilitySLO",
        "expr": "(\n"
        f"    max(slo:sli_error:ratio_rate5m{SEL} > (14.4 * {EB})) without (sloth_window)\n"
        "    and\n"
        f"    max(slo:sli_error:ratio_rate1h{SEL} > (14.4 * {EB})) without (sloth_window)\n"
        ")\n"
        "or\n"
        "(\n"
        f"    max(slo:sli_error:ratio_rate30m{SEL} > (6 * {EB})) without (sloth_window)\n"
        "    and\n"
        f"    max(slo:sli_error:ratio_rate6h{SEL} > (6 * {EB})) without (sloth_window)\n"
        ")\n",
        "labels": {"severity": "critical", "sloth_severity": "page"},
        "annotations": {
            "runbook_url": "https://runbooks.example/checkout-availability",
            "summary": "{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn "
            "rate is over expected.",
            "title": "(page) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget "
            "burn rate is too fast.",
        },
    },
    {
        "alert": "CheckoutApiAvailabilitySLO",
        "expr": "(\n"
        f"    max(slo:sli_error:ratio_rate2h{SEL} > (3 * {EB})) without (sloth_window)\n"
        "    and\n"
        f"    max(slo:sli_error:ratio_rate1d{SEL} > (3 * {EB})) without (sloth_window)\n"
        ")\n"
        "or\n"
        "(\n"
        f"    max(slo:sli_error:ratio_rate6h{SEL} > (1 * {EB})) without (sloth_window)\n"
        "    and\n"
        f"    max(slo:sli_error:ratio_rate3d{SEL} > (1 * {EB})) without (sloth_window)\n"
        ")\n",
        "labels": {"severity": "warning", "sloth_severity": "ticket"},
        "annotations": {
            "runbook_url": "https://runbooks.example/checkout-availability",
            "summary": "{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn "
            "rate is over expected.",
            "title": "(ticket) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget "
            "burn rate is too fast.",
        },
    },
]


def test_hand_checked_availability_slo_over_30_days() -> None:
    groups = rule_groups(checkout())

    assert [g["name"] for g in groups] == [
        "sloth-slo-sli-recordings-checkout-api-requests-availability",
        "sloth-slo-meta-recordings-checkout-api-requests-availability",
        "sloth-slo-alerts-checkout-api-requests-availability",
    ]
    # Rule by rule first, so a failure names the rule that differs.
    for group, expected in zip(
        groups, (HAND_SLI_RULES, HAND_META_RULES, HAND_ALERT_RULES), strict=True
    ):
        assert len(group["rules"]) == len(expected)
        for got, want in zip(group["rules"], expected, strict=True):
            assert got == want
    assert groups == [
        {"name": f"sloth-slo-sli-recordings-{ID}", "rules": HAND_SLI_RULES},
        {"name": f"sloth-slo-meta-recordings-{ID}", "rules": HAND_META_RULES},
        {"name": f"sloth-slo-alerts-{ID}", "rules": HAND_ALERT_RULES},
    ]


def test_keys_come_out_in_sloths_order() -> None:
    # Sloth's YAML lists rule fields as rulefmt declares them and label keys sorted.
    groups = rule_groups(checkout(labels={"zone": "eu", "app": "checkout"}))
    first = groups[0]["rules"][0]
    assert list(first) == ["record", "expr", "labels"]
    assert list(first["labels"]) == sorted(first["labels"])
    alert = groups[2]["rules"][0]
    assert list(alert) == ["alert", "expr", "labels", "annotations"]
    assert list(alert["annotations"]) == ["runbook_url", "summary", "title"]


def test_sloth_placeholder_spelling_is_accepted_too() -> None:
    go_style = checkout(
        error_query='sum(rate(http_requests_total{job="checkout-api",code=~"5.."}[{{.window}}]))',
        total_query='sum(rate(http_requests_total{job="checkout-api"}[{{ .window }}]))',
    )
    assert rule_groups(go_style) == rule_groups(checkout())


def test_user_annotations_override_the_generated_ones() -> None:
    alert = rule_groups(checkout(annotations={"summary": "Checkout is failing"}))[2]["rules"][0]
    assert alert["annotations"]["summary"] == "Checkout is failing"
    assert alert["annotations"]["title"].startswith("(page) {{$labels.sloth_service}}")


def test_slo_id() -> None:
    assert slo_id(checkout()) == "checkout-api-requests-availability"


# --- burn-rate tables ------------------------------------------------------------------------


def test_factor_table_30_days() -> None:
    # formats.md 6.4: 14.4 / 6 / 3 / 1 for 30 d.
    got = [(w.severity, w.short, w.long, w.budget_percent, w.factor) for w in windows(30)]
    assert got == [
        ("page", "5m", "1h", 2.0, 14.4),
        ("page", "30m", "6h", 5.0, 6.0),
        ("ticket", "2h", "1d", 10.0, 3.0),
        ("ticket", "6h", "3d", 10.0, 1.0),
    ]


def test_factor_table_28_days() -> None:
    # formats.md 6.4: 13.44 / 5.6 / 2.8 / 0.933… for 28 d.
    got = windows(28)
    assert [(w.short, w.long, w.budget_percent) for w in got] == [
        ("5m", "1h", 2.0),
        ("30m", "6h", 5.0),
        ("2h", "1d", 10.0),
        ("6h", "3d", 10.0),
    ]
    assert [w.factor for w in got] == pytest.approx([13.44, 5.6, 2.8, 0.9333333333333333])


def test_factor_table_custom_period_7_days() -> None:
    # budget% / 100 * 168 h / long window h: 2*1.68/1, 5*1.68/6, 10*1.68/24, 10*1.68/72.
    assert [w.factor for w in windows(7)] == pytest.approx([3.36, 1.4, 0.7, 0.23333333333333334])
    assert [w.factor for w in windows(90)] == pytest.approx([43.2, 18.0, 9.0, 3.0])


def test_period_names_follow_prometheus_durations() -> None:
    # Sloth names the period recording with prometheus/common's Duration.String():
    # whole weeks print as weeks, so a 28-day SLO records ratio_rate4w.
    for days, name in ((28, "4w"), (7, "1w"), (30, "30d"), (31, "31d"), (365, "1y")):
        sli, meta, _ = rule_groups(checkout(period_days=days))
        period_rule = sli["rules"][-1]
        assert period_rule["record"] == f"slo:sli_error:ratio_rate{name}"
        assert period_rule["labels"]["sloth_window"] == name
        assert f"[{name}])" in period_rule["expr"]
        assert meta["rules"][2]["expr"] == f"vector({days})"
        assert f"slo:sli_error:ratio_rate{name}{{" in meta["rules"][4]["expr"]


def test_28_day_alerts_print_factors_as_go_does() -> None:
    # Go prints 5*672/100/6 as 5.6000000000000005 (checked with go 1.19 on the same formula).
    page, ticket = rule_groups(checkout(period_days=28))[2]["rules"]
    assert f"> (13.44 * {EB})" in page["expr"]
    assert f"> (5.6000000000000005 * {EB})" in page["expr"]
    assert f"> (2.8000000000000003 * {EB})" in ticket["expr"]
    assert f"> (0.9333333333333333 * {EB})" in ticket["expr"]


@pytest.mark.parametrize("days", [0, -1, 7.5, 0.5])
def test_bad_periods_are_rejected(days: float) -> None:
    with pytest.raises(ValueError, match="whole number of days"):
        windows(days)  # type: ignore[arg-type]


def test_period_of_text_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        windows("30")  # type: ignore[arg-type]


def test_periods_not_longer_than_the_longest_window_are_rejected() -> None:
    # A 3-day SLO would record slo:sli_error:ratio_rate3d twice.
    with pytest.raises(ValueError, match="longer than 3 days"):
        rule_groups(checkout(period_days=3))


@pytest.mark.parametrize("objective", [0, 100, 101, -5])
def test_objective_must_leave_a_budget(objective: float) -> None:
    with pytest.raises(ValueError, match="objective"):
        rule_groups(checkout(objective=objective))


def test_invalid_queries_and_label_names_are_rejected() -> None:
    with pytest.raises(ValueError, match="error_query"):
        rule_groups(checkout(error_query="sum(rate(x[{{window}}])"))
    with pytest.raises(ValueError, match="labels"):
        rule_groups(checkout(labels={"bad-name": "x"}))


# --- float text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    # Right-hand sides are what Go's fmt prints for these float64 values (go 1.19, %v).
    [
        ((100 - 99.9) / 100, "0.0009999999999999432"),
        ((100 - 99.99) / 100, "0.00010000000000005117"),
        ((100 - 99.999) / 100, "1.0000000000047748e-05"),
        (99.99 / 100, "0.9998999999999999"),
        ((100 - 99.5) / 100, "0.005"),
        (30.0, "30"),
        (1e6, "1e+06"),
        (123456.0, "123456"),
        (1234567.5, "1.2345675e+06"),
        (0.0001, "0.0001"),
        (3e-7, "3e-07"),
    ],
)
def test_floats_print_as_go_prints_them(value: float, text: str) -> None:
    assert go_float(value) == text


def test_objective_label_is_plain_decimal() -> None:
    info = rule_groups(checkout(objective=99.0))[1]["rules"][-1]
    assert info["labels"]["sloth_objective"] == "99"
    assert rule_groups(checkout(objective=99.95))[1]["rules"][0]["expr"] == "vector(0.9995)"


# --- PromQL ----------------------------------------------------------------------------------

VARIANTS = [
    checkout(),
    checkout(period_days=28),
    checkout(period_days=7),
    checkout(objective=99.999, labels={}),
    checkout(
        service="ml-api",
        name="latency",
        objective=95,
        error_query="sum(rate(http_request_duration_seconds_count{job='ml'}[{{window}}]))"
        " - sum(rate(http_request_duration_seconds_bucket{job='ml',le='0.5'}[{{window}}]))",
        total_query="sum(rate(http_request_duration_seconds_count{job='ml'}[{{window}}]))",
    ),
]


@pytest.mark.parametrize("slo", VARIANTS, ids=lambda s: f"{s.name}-{s.objective}-{s.period_days}d")
def test_every_generated_expression_parses(slo: SLO) -> None:
    for group in rule_groups(slo):
        for rule in group["rules"]:
            promql_parser.parse(rule["expr"])  # raises ValueError on a syntax or type error


def test_success_rate_query() -> None:
    query = success_rate_query(checkout(), "10m")
    assert query == (
        '1 - ((sum(rate(http_requests_total{job="checkout-api",code=~"5.."}[10m])))'
        ' / (sum(rate(http_requests_total{job="checkout-api"}[10m]))))'
    )
    promql_parser.parse(query)
    with pytest.raises(ValueError, match="duration"):
        success_rate_query(checkout(), "ten minutes")


def test_check_query_accepts_good_queries() -> None:
    assert check_query('sum(rate(http_requests_total{code=~"5.."}[{{window}}]))') is None
    assert check_query("sum(rate(x[{{.window}}])) / sum(rate(y[{{ .window }}]))") is None


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("sum(rate(x[5m])", "parenthesis"),
        ("rate(x)", "matrix"),
        ("sum(rate(x[{{window}}]) by", ""),
        ("", "empty"),
        ("sum(rate(x[{{.interval}}]))", "placeholder"),
        ("no_such_function(x)", "unknown function"),
    ],
)
def test_check_query_explains_bad_queries(query: str, fragment: str) -> None:
    message = check_query(query)
    assert message is not None
    assert fragment in message
    assert "\n" not in message
    assert "Traceback" not in message


# --- promtool --------------------------------------------------------------------------------


def _write_rules(path: Path, slos: list[SLO]) -> Path:
    groups = [group for slo in slos for group in rule_groups(slo)]
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    return path


def test_promtool_check_rules(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip(PROMTOOL_MISSING)
    # One file per variant: they share SLO ids, and group names must be unique in a file.
    files = [str(_write_rules(tmp_path / f"rules-{i}.yml", [s])) for i, s in enumerate(VARIANTS)]
    done = subprocess.run(
        [promtool, "check", "rules", *files], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("SUCCESS: 17 rules found") == len(VARIANTS), done.stdout


def _expected_alert(severity: str, routing: str) -> dict[str, object]:
    return {
        "exp_labels": {
            "sloth_id": ID,
            "sloth_service": "checkout-api",
            "sloth_slo": "requests-availability",
            "team": "payments",
            "tier": "1",
            "severity": routing,
            "sloth_severity": severity,
        },
        "exp_annotations": {
            "runbook_url": "https://runbooks.example/checkout-availability",
            "summary": "checkout-api requests-availability SLO error budget burn rate is over "
            "expected.",
            "title": f"({severity}) checkout-api requests-availability SLO error budget burn rate "
            "is too fast.",
        },
    }


def _traffic(errors_per_minute: int, successes_per_minute: int) -> list[dict[str, str]]:
    return [
        {
            "series": 'http_requests_total{job="checkout-api",code="500"}',
            "values": f"0+{errors_per_minute}x180",
        },
        {
            "series": 'http_requests_total{job="checkout-api",code="200"}',
            "values": f"0+{successes_per_minute}x180",
        },
    ]


def test_promtool_alerts_fire_at_the_right_burn_rates(tmp_path: Path) -> None:
    """Prometheus' own engine evaluates the rules: 20x burn pages, 5x tickets, 0.5x is quiet."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip(PROMTOOL_MISSING)
    _write_rules(tmp_path / "rules.yml", [checkout()])
    page, ticket = _expected_alert("page", "critical"), _expected_alert("ticket", "warning")
    cases = [
        ((2, 98), [page, ticket]),  # 2 % errors: 20x the 0.1 % budget, above 14.4 and 3
        ((1, 199), [ticket]),  # 0.5 %: 5x, under 6 (page slow) but above 3 (ticket quick)
        ((1, 1999), []),  # 0.05 %: 0.5x, nothing fires
    ]
    tests = [
        {
            "interval": "1m",
            "input_series": _traffic(*traffic),
            "alert_rule_test": [
                {"eval_time": "90m", "alertname": "CheckoutApiAvailabilitySLO", "exp_alerts": want}
            ],
        }
        for traffic, want in cases
    ]
    spec = tmp_path / "tests.yml"
    spec.write_text(
        yaml.safe_dump(
            {"rule_files": ["rules.yml"], "evaluation_interval": "1m", "tests": tests},
            sort_keys=False,
        )
    )
    done = subprocess.run(
        [promtool, "test", "rules", str(spec)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
