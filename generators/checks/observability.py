"""Checks of monitoring specs: PromQL parses, the metrics port exists, alert names are unique."""

from __future__ import annotations

from collections.abc import Iterator

from generators import diagnostics as codes
from generators.alert_defaults import ALERTS
from generators.checks.base import at_resolved
from generators.diagnostics import Diagnostic
from generators.graph import Platform, Resolved
from generators.slo import check_query
from generators.suggest import did_you_mean


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
            yield at_resolved(
                resolved,
                ("metrics", "port"),
                codes.UNKNOWN_PORT,
                f"metrics port {workload.metrics.port!r} is not a declared port",
                did_you_mean(workload.metrics.port, ports, what="ports"),
            )
        defaults = ALERTS[workload.type]
        for i, name in enumerate(workload.alerts.disabled):
            if name not in defaults:
                yield at_resolved(
                    resolved,
                    ("alerts", "disabled", i),
                    codes.BAD_PROMQL,
                    f"{name!r} is not a default alert of a {workload.type} service",
                    did_you_mean(name, defaults, what="default alerts"),
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
        names: set[str] = set()
        for i, objective in enumerate(workload.slos):
            if objective.name in names:
                yield at_resolved(
                    resolved,
                    ("slos", i, "name"),
                    codes.BAD_PROMQL,
                    f"a second SLO named {objective.name!r}",
                    "SLO names are unique per service (they name the recording rules)",
                )
            names.add(objective.name)
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
