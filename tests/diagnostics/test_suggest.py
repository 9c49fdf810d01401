"""Did-you-mean hints: case slips, abbreviations, and the known names when nothing is close."""

from __future__ import annotations

from generators.diagnostics.suggest import closest, did_you_mean


def test_suggestions() -> None:
    assert closest("prod", ["dev", "production"]) == "production"
    assert closest("Payments", ["payments"]) == "payments"
    assert closest("zzz", ["dev"]) is None
    assert did_you_mean("zzz", ["b", "a"], what="teams") == "known teams: 'a', 'b'"
