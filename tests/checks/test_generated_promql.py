"""Validate parses every generated PromQL expression and reports a failure at the spec line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generators import pipeline
from generators.checks import observability
from generators.domain.monitoring import slo
from tests.conftest import copy_base


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    observability._defaults_problem.cache_clear()
    observability._slo_problem.cache_clear()
    yield
    observability._defaults_problem.cache_clear()
    observability._slo_problem.cache_clear()


def test_the_base_platforms_generated_rules_parse(tmp_path: Path) -> None:
    root = copy_base(tmp_path / "repo")
    assert pipeline.validate_platform(root).diagnostics == ()
    # Each distinct shape was generated and parsed, not one per service-environment.
    assert observability._defaults_problem.cache_info().misses >= 1


def test_a_broken_default_rule_is_reported_at_the_services_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generators.domain.monitoring import rules

    real = rules.default_rules

    def broken(**kwargs: Any) -> list[dict[str, Any]]:
        rules = real(**kwargs)
        rules[0] = {**rules[0], "expr": rules[0]["expr"] + " >"}
        return rules

    monkeypatch.setattr(rules, "default_rules", broken)
    root = copy_base(tmp_path / "repo")
    found = [d for d in pipeline.validate_platform(root).diagnostics if d.code.id == "PL801"]
    assert found, "a broken generated expression must fail validate"
    first = found[0]
    assert first.key_path == "spec.type"
    assert first.location.file.startswith("platform/services/")
    assert "would not be valid PromQL" in first.message
    assert "bug in the compiler" in first.hint


def test_a_broken_slo_rule_is_reported_at_the_slo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = slo.rule_groups

    def broken(objective: slo.SLO) -> list[dict[str, Any]]:
        groups = real(objective)
        rule = groups[0]["rules"][0]
        groups[0]["rules"][0] = {**rule, "expr": "sum(rate(x[5m])"}
        return groups

    monkeypatch.setattr(observability, "rule_groups", broken)
    root = copy_base(tmp_path / "repo")
    service = root / "platform/services/api.yaml"
    slos = "  slos:\n    - {name: availability, objective: 0.999, availability: true}\n"
    service.write_text(service.read_text().replace("  environments:\n", slos + "  environments:\n"))
    found = [d for d in pipeline.validate_platform(root).diagnostics if d.code.id == "PL801"]
    assert [d.key_path for d in found] == ["spec.slos[0]"] * len(found)
    assert found[0].location.file == "platform/services/api.yaml"
