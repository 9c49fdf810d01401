"""Documentation that must not drift from the code."""

from __future__ import annotations

import re

from generators.diagnostics.codes import CODES
from tests.conftest import REPO

PACKAGE = REPO / "generators"
#: A module named in docs/architecture.md: `generators/x.py`, or `pkg/…/x.py` of the package.
_MODULE = re.compile(r"`(?:generators/)?((?:[a-z_]+/)*[a-z_]+\.py)`")


def test_every_code_is_documented() -> None:
    text = (REPO / "docs" / "diagnostics.md").read_text()
    table = text.split("<!-- codes:start")[1].split("<!-- codes:end -->")[0]
    rows = [line for line in table.splitlines() if line.startswith("| PL")]
    expected = [
        f"| {c.id} | `{c.name}` | {c.severity.value} | {c.summary} |"
        for c in sorted(CODES.values(), key=lambda c: c.id)
    ]
    assert rows == expected, "update the table in docs/diagnostics.md"


def test_the_architecture_map_names_every_module_and_only_those() -> None:
    text = (REPO / "docs" / "architecture.md").read_text()
    named = {m for m in _MODULE.findall(text) if not m.startswith("tests/")}
    modules = {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")}
    # A package's __init__.py is named when it holds more than its docstring and exports.
    plain = {m for m in modules if not m.endswith("__init__.py")}
    missing = sorted(plain - named)
    assert not missing, f"add these modules to the map in docs/architecture.md: {missing}"
    gone = sorted(named - modules)
    assert not gone, f"docs/architecture.md names modules that do not exist: {gone}"
    packages = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.iterdir() if p.is_dir()}
    unnamed = sorted(p for p in packages - {"__pycache__"} if f"`{p}/`" not in text)
    assert not unnamed, f"docs/architecture.md does not name these layers: {unnamed}"
    assert "docs/architecture.md" in (REPO / "README.md").read_text()


def test_readme_commands_match_ci() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "pip install -e '.[test]' && pytest" in readme
    assert "pytest" in ci


def test_readme_tour_is_a_valid_spec(tmp_path) -> None:
    import shutil

    from generators import pipeline

    readme = (REPO / "README.md").read_text()
    tour = readme.split("## A tour of the spec format")[1].split("```yaml\n")[1].split("```")[0]
    for top in ("platform", "environments", "templates"):
        shutil.copytree(REPO / top, tmp_path / top)
    (tmp_path / "platform/services/checkout-api.yaml").write_text(tour)
    result = pipeline.validate_platform(tmp_path)
    assert result.diagnostics == ()


def test_readme_error_output_is_real(tmp_path) -> None:
    """The README's sample output is what validate prints for the mistakes it shows."""
    import shutil

    from generators import pipeline
    from generators.diagnostics import formats

    for top in ("platform", "environments", "templates"):
        shutil.copytree(REPO / top, tmp_path / top)
    checkout = tmp_path / "platform/services/checkout-api.yaml"
    checkout.write_text(
        checkout.read_text()
        .replace("team: payments", "team: paymnts")
        .replace("      port: 8080", '      port: "8080"')
    )
    web = tmp_path / "platform/services/web.yaml"
    web.write_text(
        web.read_text().replace("    production:\n      scaling", "    prod:\n      scaling")
    )
    result = pipeline.validate_platform(tmp_path)
    text = formats.render(result.diagnostics, fmt="human", root=tmp_path, files=len(result.files))
    readme = (REPO / "README.md").read_text()
    shown = readme.split("```text\n$ platform validate\n")[1].split("```")[0]
    assert shown == text


def test_every_default_alert_has_its_runbook_heading() -> None:
    from generators.domain.monitoring.defaults import ALERTS

    text = (REPO / "docs" / "observability.md").read_text()
    headings = {
        line.lstrip("#").strip().lower() for line in text.splitlines() if line.startswith("#")
    }
    names = {name for names in ALERTS.values() for name in names}
    assert {n.lower() for n in names} <= headings
