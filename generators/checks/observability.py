"""Checks of monitoring specs: PromQL parses, the metrics port exists, alert names are unique."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache

import promql_parser

from generators.checks.base import at_resolved, second_names, unknown
from generators.diagnostics import Diagnostic, codes
from generators.domain.cron import interval_seconds
from generators.domain.monitoring.defaults import ALERTS
from generators.domain.monitoring.slo import check_query, rule_groups
from generators.model.platform import Platform, Resolved
from generators.spec.observability import SLOSpec, Thresholds


def _promql_problem(query: str) -> str | None:
    problem = check_query(query)
    return problem.removeprefix("invalid PromQL: ") if problem else None


def _each(platform: Platform) -> Iterator[Resolved]:
    for (env, name), resolved in sorted(platform.resolved.items()):
        workload = resolved.workload
        alerts = workload.alerts
        if not (workload.metrics or alerts.custom or alerts.disabled or workload.slos):
            continue
        if name in platform.services and platform.deploys(name, env):
            yield resolved


def check_monitoring(platform: Platform) -> Iterator[Diagnostic]:
    """Every PromQL expression parses; ports and names are ones that exist."""
    for resolved in _each(platform):
        workload = resolved.workload
        ports = {p.name for p in workload.ports}
        if workload.metrics is not None and workload.metrics.port not in ports:
            port = workload.metrics.port
            yield unknown(
                resolved,
                ("metrics", "port"),
                codes.UNKNOWN_PORT,
                port,
                ports,
                "port",
                message=f"metrics port {port!r} is not a declared port",
            )
        defaults = ALERTS[workload.type]
        for i, name in enumerate(workload.alerts.disabled):
            if name not in defaults:
                yield unknown(
                    resolved,
                    ("alerts", "disabled", i),
                    codes.BAD_PROMQL,
                    name,
                    defaults,
                    "default alert",
                    message=f"{name!r} is not a default alert of a {workload.type} service",
                )
        seen: set[str] = set(defaults)
        for i, alert in enumerate(workload.alerts.custom):
            problem = _promql_problem(alert.expr)
            if problem is not None:
                yield at_resolved(
                    resolved,
                    ("alerts", "custom", i, "expr"),
                    codes.BAD_PROMQL,
                    f"the expression is not valid PromQL: {problem}",
                    "check it in Prometheus' expression browser or with `promtool`",
                )
            if alert.name in seen:
                yield at_resolved(
                    resolved,
                    ("alerts", "custom", i, "name"),
                    codes.BAD_PROMQL,
                    f"an alert named {alert.name!r} exists already (custom or default)",
                    "alert names are unique per service (routing and silences use them)",
                )
            seen.add(alert.name)
        yield from second_names(
            resolved,
            [(("slos", i, "name"), objective.name) for i, objective in enumerate(workload.slos)],
            codes.BAD_PROMQL,
            "SLO",
            "SLO names are unique per service (they name the recording rules)",
        )
        for i, objective in enumerate(workload.slos):
            if objective.events is None:
                continue
            for field in ("errors", "total"):
                problem = _promql_problem(getattr(objective.events, field))
                if problem is not None:
                    yield at_resolved(
                        resolved,
                        ("slos", i, "events", field),
                        codes.BAD_PROMQL,
                        f"the query is not valid PromQL: {problem}",
                        "write it with `{{window}}` where the range goes, e.g. "
                        "`sum(rate(jobs_failed_total[{{window}}]))`",
                    )


# Generated rules name the service, its namespace and its labels only inside quoted
# label values (names are DNS labels, checked on their own): whether an expression
# parses depends on everything else, so each distinct shape is generated and parsed once.
_NAMES = {"team": "team", "service": "service", "environment": "environment"}


@cache
def _defaults_problem(
    workload: str, thresholds: Thresholds, autoscaled: bool, schedule: str | None
) -> str | None:
    from generators.domain.monitoring.rules import defaults_of

    rules = defaults_of("service", "namespace", workload, thresholds, autoscaled, schedule, _NAMES)
    return _first_problem(rule["expr"] for rule in rules)


@cache
def _slo_problem(objective: SLOSpec) -> str | None:
    from generators.domain.monitoring.rules import sloth_slo

    groups = rule_groups(sloth_slo("service", "namespace", objective, _NAMES))
    return _first_problem(rule["expr"] for group in groups for rule in group["rules"])


def _first_problem(expressions: Iterable[str]) -> str | None:
    for expr in expressions:
        try:
            promql_parser.parse(expr)
        except ValueError as error:
            return f"{error} in `{expr}`"
    return None


def check_generated_rules(platform: Platform) -> Iterator[Diagnostic]:
    """Every expression the rendered rules will hold parses, before anything is merged.

    A failure is the compiler's bug, not the user's, but it is reported where the spec
    asked for the rule, so the change that triggers it never reaches Prometheus.
    """
    for (env, name), resolved in sorted(platform.resolved.items()):
        if name not in platform.services or not platform.deploys(name, env):
            continue
        workload = resolved.workload
        if workload.type == "cron" and not _valid_schedule(workload.schedule):
            continue  # PL506 or PL508 says why; there is nothing to generate from
        scaling = workload.scaling
        problem = _defaults_problem(
            workload.type,
            workload.alerts.thresholds,
            scaling is not None and scaling.min is not None,
            workload.schedule,
        )
        if problem is not None:
            yield at_resolved(
                resolved,
                ("alerts", "thresholds")
                if workload.alerts.thresholds != Thresholds()
                else ("type",),
                codes.BAD_PROMQL,
                f"a default alert of this {workload.type} would not be valid PromQL: {problem}",
                _GENERATED_HINT + " (disable the alert with `alerts.disabled` meanwhile)",
            )
        for i, objective in enumerate(workload.slos):
            events = objective.events
            if events is not None and any(map(_promql_problem, (events.errors, events.total))):
                continue  # the user's own query: PL801 at it (check_monitoring) says why
            problem = _slo_problem(objective)
            if problem is not None:
                yield at_resolved(
                    resolved,
                    ("slos", i),
                    codes.BAD_PROMQL,
                    f"the SLO's generated rules would not be valid PromQL: {problem}",
                    _GENERATED_HINT,
                )


def _valid_schedule(schedule: str | None) -> bool:
    if schedule is None:
        return False
    try:
        interval_seconds(schedule)
    except ValueError:
        return False
    return True


_GENERATED_HINT = "this is a bug in the compiler: please report it with this spec"
