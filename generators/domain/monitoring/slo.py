"""Sloth-compatible SLO rules: one SLO in, the three Prometheus rule groups Sloth generates out."""

# The output mirrors Sloth >= v0.11 (v0.12.0 and the plugin-based core rules on main):
# internal/plugin/slo/core/{sli_rules_v1,metadata_rules_v1,alert_rules_v1}/plugin.go. Since
# v0.11 the period SLI rule carries the same labels as the others and alerts aggregate with
# `max(...) without (sloth_window)`; older releases (and formats.md 6.4, taken from an older
# example) joined the windows with `and ignoring (sloth_window)` instead.

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import promql_parser

# Label and metric names of Sloth's conventions: dashboards and alert routes select on them.
ID, SERVICE, NAME, WINDOW, SEVERITY = (
    "sloth_id",
    "sloth_service",
    "sloth_slo",
    "sloth_window",
    "sloth_severity",
)
SLI_METRIC = "slo:sli_error:ratio_rate"
# sloth_slo_info says who generated the rules; Sloth writes its version, mode and spec there.
# We are not Sloth, so the version names this compiler; mode/spec are Sloth's CLI defaults.
INFO_LABELS = {
    "sloth_mode": "cli-gen-prom",
    "sloth_spec": "prometheus/v1",
    "sloth_version": "platform-compiler",
}
# Google SRE workbook budgets (Sloth's internal/alert/windows/google-30d.yaml and google-28d.yaml
# list the same four rows): severity, short window, long window, budget % consumed.
_CATALOG = (
    ("page", "5m", "1h", 2.0),
    ("page", "30m", "6h", 5.0),
    ("ticket", "2h", "1d", 10.0),
    ("ticket", "6h", "3d", 10.0),
)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_DURATION = re.compile(r"(?:\d+(?:ms|[smhdwy]))+")
_DURATION_PART = re.compile(r"(\d+)(ms|[smhdwy])")
# Sloth's placeholder is Go's `{{.window}}`; ours is `{{window}}`. Accept both spellings.
_PLACEHOLDER = re.compile(r"\{\{-?\s*\.?window\s*-?\}\}")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


@dataclass(frozen=True)
class SLO:
    """One service level objective, the fields of a Sloth `prometheus/v1` SLO."""

    service: str
    name: str
    objective: float
    error_query: str
    total_query: str
    alert_name: str
    period_days: int = 30
    labels: Mapping[str, str] = field(default_factory=dict)
    page_labels: Mapping[str, str] = field(default_factory=dict)
    ticket_labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    description: str = ""  # documentation only: Sloth puts it in no rule either


@dataclass(frozen=True)
class AlertWindow:
    """One multi-window multi-burn-rate tier."""

    severity: str
    short: str
    long: str
    budget_percent: float
    factor: float


def windows(period_days: int) -> tuple[AlertWindow, ...]:
    """The four Google SRE alert tiers for an SLO period of ``period_days`` days."""
    if isinstance(period_days, bool) or not isinstance(period_days, int | float):
        raise TypeError(f"SLO period must be a number of days, got {period_days!r}")
    if not float(period_days).is_integer() or period_days < 1:
        raise ValueError(f"SLO period must be a whole number of days >= 1, got {period_days!r}")
    period_hours = float(int(period_days) * 24)
    # Same float64 operations, in the same order, as Sloth's getBurnRateFactor
    # (internal/alert/window.go), so the printed factors match its output digit for digit.
    return tuple(
        AlertWindow(sev, short, long, budget, budget * period_hours / 100 / _hours(long))
        for sev, short, long, budget in _CATALOG
    )


def slo_id(slo: SLO) -> str:
    """Sloth's SLO id (`sloth_id`): ``<service>-<name>``."""
    return f"{slo.service}-{slo.name}"


def rule_groups(slo: SLO) -> list[dict[str, Any]]:
    """The SLI-recording, meta-recording and alert groups Sloth generates for ``slo``."""
    tiers = windows(slo.period_days)
    _validate(slo)
    sid = slo_id(slo)
    ids = {ID: sid, SERVICE: slo.service, NAME: slo.name}
    selector = _label_filter(ids)
    period = _prom_duration(int(slo.period_days))
    short = tiers[0].short  # the period ratio is built from the shortest window's recording

    sli_rules = []
    for window in _sli_windows(tiers):
        expr = f"({_render(slo.error_query, window)})\n/\n({_render(slo.total_query, window)})\n"
        sli_rules.append(_record(SLI_METRIC + window, expr, {**ids, WINDOW: window, **slo.labels}))
    # Averaging 5m ratios over the period instead of a 30d rate keeps Prometheus alive on
    # big series sets; Sloth calls this its optimized SLI rule.
    source = f"{SLI_METRIC}{short}{selector}[{period}]"
    sli_rules.append(
        _record(
            SLI_METRIC + period,
            f"sum_over_time({source})\n/ ignoring ({WINDOW})\ncount_over_time({source})\n",
            {**ids, WINDOW: period, **slo.labels},
        )
    )

    labels = {**ids, **slo.labels}
    # Sloth prints objective/100 with Go's %g (0.9990000000000001 for 99.9) and leaves the
    # subtraction for the budget to Prometheus: `vector(1-0.9990000000000001)`.
    ratio = go_float(slo.objective / 100)
    join = f"\n/ on({ID}, {NAME}, {SERVICE}) group_left\nslo:error_budget:ratio{selector}\n"
    meta_rules = [
        _record("slo:objective:ratio", f"vector({ratio})", labels),
        _record("slo:error_budget:ratio", f"vector(1-{ratio})", labels),
        _record("slo:time_period:days", f"vector({go_float(float(int(slo.period_days)))})", labels),
        _record("slo:current_burn_rate:ratio", f"{SLI_METRIC}{short}{selector}{join}", labels),
        _record("slo:period_burn_rate:ratio", f"{SLI_METRIC}{period}{selector}{join}", labels),
        _record(
            "slo:period_error_budget_remaining:ratio",
            f"1 - slo:period_burn_rate:ratio{selector}",
            labels,
        ),
        _record(
            "sloth_slo_info",
            "vector(1)",
            {**labels, **INFO_LABELS, "sloth_objective": _go_fixed(slo.objective)},
        ),
    ]

    # The alerts' budget is (100 - objective) / 100 in float64: 0.0009999999999999432 for 99.9.
    budget = go_float((100 - slo.objective) / 100)
    alert_rules = [
        _alert(slo, "page", tiers[0], tiers[1], budget, selector, slo.page_labels),
        _alert(slo, "ticket", tiers[2], tiers[3], budget, selector, slo.ticket_labels),
    ]
    return [
        {"name": f"sloth-slo-sli-recordings-{sid}", "rules": sli_rules},
        {"name": f"sloth-slo-meta-recordings-{sid}", "rules": meta_rules},
        {"name": f"sloth-slo-alerts-{sid}", "rules": alert_rules},
    ]


def success_rate_query(slo: SLO, window: str) -> str:
    """``1 - error/total`` over ``window`` (a Prometheus duration such as ``5m``)."""
    if not _DURATION.fullmatch(window):
        raise ValueError(f"not a Prometheus duration: {window!r}")
    error, total = _render(slo.error_query, window), _render(slo.total_query, window)
    return f"1 - (({error}) / ({total}))"


def check_query(text: str) -> str | None:
    """Why ``text`` (with ``{{window}}`` placeholders) is not valid PromQL, or ``None``."""
    if not text.strip():
        return "the query is empty"
    rendered = _render(text, "5m")
    if "{{" in rendered:
        return "unknown template placeholder: only {{window}} is supported"
    try:
        promql_parser.parse(rendered)
    except ValueError as error:  # promql-parser reports every syntax/type error this way
        return f"invalid PromQL: {error}"
    return None


def go_float(value: float) -> str:
    """``value`` as Go's ``%v``/``%g`` prints a float64 (Sloth's templates use them)."""
    if value == 0 or not math.isfinite(value):
        return {0.0: "0", math.inf: "+Inf", -math.inf: "-Inf"}.get(value, "NaN")
    # repr() is the shortest round-tripping digit string, which is what Go's -1 precision gives.
    _sign, digit_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    exp10 = len(digits) + int(exponent) - 1
    prefix = "-" if value < 0 else ""
    # strconv's 'g' with shortest precision switches to e-notation below 1e-4 and from 1e6.
    if exp10 < -4 or exp10 >= 6:
        mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if exp10 < 0 else '+'}{abs(exp10):02d}"
    return prefix + format(Decimal(f"{digits}e{exp10 - len(digits) + 1}"), "f")


def _go_fixed(value: float) -> str:
    # strconv.FormatFloat(v, 'f', -1, 64), which Sloth uses for the sloth_objective label.
    return format(Decimal(repr(value)).normalize(), "f")


def _validate(slo: SLO) -> None:
    if not 0 < slo.objective < 100:
        # 100 % leaves no error budget: every burn rate would divide by zero.
        raise ValueError(f"objective must be above 0 and below 100 (percent), got {slo.objective}")
    if slo.period_days <= 3:
        # The period's SLI recording would clash with (or be shorter than) the 3d alert window.
        raise ValueError(f"SLO period must be longer than 3 days, got {slo.period_days}")
    for what, value in (("service", slo.service), ("name", slo.name), ("alert", slo.alert_name)):
        if not value:
            raise ValueError(f"{what} is required")
    for what, query in (("error_query", slo.error_query), ("total_query", slo.total_query)):
        if problem := check_query(query):
            raise ValueError(f"{what}: {problem}")
    for what, names in (
        ("labels", slo.labels),
        ("page_labels", slo.page_labels),
        ("ticket_labels", slo.ticket_labels),
        ("annotations", slo.annotations),
    ):
        bad = [key for key in names if not _LABEL_NAME.fullmatch(key) or key.startswith("__")]
        if bad:
            raise ValueError(f"{what}: invalid name(s) {', '.join(map(repr, bad))}")


def _alert(
    slo: SLO,
    severity: str,
    quick: AlertWindow,
    slow: AlertWindow,
    budget: str,
    selector: str,
    labels: Mapping[str, str],
) -> dict[str, Any]:
    def over(window: str, factor: float) -> str:
        threshold = f"({go_float(factor)} * {budget})"
        return f"    max({SLI_METRIC}{window}{selector} > {threshold}) without ({WINDOW})\n"

    expr = (
        f"(\n{over(quick.short, quick.factor)}    and\n{over(quick.long, quick.factor)})\n"
        f"or\n(\n{over(slow.short, slow.factor)}    and\n{over(slow.long, slow.factor)})\n"
    )
    series = f"{{{{$labels.{SERVICE}}}}} {{{{$labels.{NAME}}}}}"
    annotations = {
        "title": f"({severity}) {series} SLO error budget burn rate is too fast.",
        "summary": f"{series} SLO error budget burn rate is over expected.",
        **slo.annotations,
    }
    # SLO labels are not repeated here: the alert inherits them from the recorded series.
    return {
        "alert": slo.alert_name,
        "expr": expr,
        "labels": _sorted({SEVERITY: severity, **labels}),
        "annotations": _sorted(annotations),
    }


def _record(name: str, expr: str, labels: Mapping[str, str]) -> dict[str, Any]:
    return {"record": name, "expr": expr, "labels": _sorted(labels)}


def _sorted(mapping: Mapping[str, str]) -> dict[str, str]:
    # Sloth's YAML encoder sorts map keys; keep that order so rendered files diff cleanly.
    return {key: mapping[key] for key in sorted(mapping)}


def _sli_windows(tiers: tuple[AlertWindow, ...]) -> list[str]:
    unique = {w for tier in tiers for w in (tier.short, tier.long)}
    return sorted(unique, key=_seconds)


def _render(query: str, window: str) -> str:
    return _PLACEHOLDER.sub(window, query)


def _label_filter(labels: Mapping[str, str]) -> str:
    # prometheus/common model.LabelSet.String(): sorted, `, `-joined, Go-quoted values.
    return "{" + ", ".join(f"{k}={_go_quote(labels[k])}" for k in sorted(labels)) + "}"


def _go_quote(text: str) -> str:
    named = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    named |= {"\v": "\\v", '"': '\\"', "\\": "\\\\"}
    out = []
    for char in text:
        if char in named:
            out.append(named[char])
        elif char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            escape = "\\x%02x" if code < 0x80 else "\\u%04x" if code < 0x10000 else "\\U%08x"
            out.append(escape % code)
    return '"' + "".join(out) + '"'


def _prom_duration(days: int) -> str:
    # prometheus/common model.Duration.String(): years and weeks only when they divide exactly,
    # which is why a 28-day SLO records slo:sli_error:ratio_rate4w.
    if days % 365 == 0:
        return f"{days // 365}y"
    if days % 7 == 0:
        return f"{days // 7}w"
    return f"{days}d"


def _seconds(duration: str) -> float:
    return sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART.findall(duration))


def _hours(duration: str) -> float:
    return _seconds(duration) / 3600
