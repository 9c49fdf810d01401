"""The `${...}` references of env values: parsed, with a syntax error each where wrong."""

from __future__ import annotations

from generators.model.interpolation import references


def test_references() -> None:
    found = references("a ${services.api.url} b $${literal} ${environment.domain} ${nope")
    assert [(r.text, r.error) for r in found] == [
        ("${services.api.url}", ""),
        ("${environment.domain}", ""),
        ("${", "unclosed `${`"),
    ]
    assert found[0].service == "api"
    (bad,) = references("${services.api.uri}")
    assert "no attribute 'uri'" in bad.error
