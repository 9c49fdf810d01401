"""The package's layers (docs/architecture.md): imports point one way, and never in a circle.

The contracts live in pyproject.toml (`[tool.importlinter]`) and are checked by
import-linter's own command, as `.ci/run` runs it. Each test below plants one mistake in
a copy of the package and shows the contracts catch it, so a contract that stopped
checking anything would fail here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

#: import-linter's `lint-imports`, run by this Python (the venv's, wherever it is).
RUN = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"
LINT_IMPORTS = [sys.executable, "-c", RUN, "--no-cache"]


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    """Run the contracts of ``root``/pyproject.toml over ``root``/generators."""
    env = {**os.environ, "PYTHONPATH": str(root)}  # the copy, not the installed package
    return subprocess.run(
        LINT_IMPORTS, cwd=root, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A copy of the package and its contracts, free to break."""
    shutil.copytree(
        REPO / "generators", tmp_path / "generators", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def append(package: Path, module: str, text: str) -> None:
    path = package / module
    path.write_text(path.read_text() + "\n\n" + text + "\n")


def test_the_package_keeps_its_contracts() -> None:
    result = lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_a_backwards_import_breaks_the_layers(package: Path) -> None:
    # domain/ is below the command line: it may not reach up into it.
    append(package, "generators/domain/webhooks.py", "from generators.cli import main  # noqa")
    result = lint(package)
    assert result.returncode == 1
    assert "Layers point one way, from the command line down to the foundation BROKEN" in (
        result.stdout
    )
    assert "generators.domain.webhooks -> generators.cli" in result.stdout


def test_a_backwards_import_inside_a_function_breaks_the_layers(package: Path) -> None:
    # A lazy import is still a dependency: checks may not use what targets render.
    append(
        package,
        "generators/checks/base.py",
        "def _peek() -> object:\n    from generators.targets import TARGETS\n\n    return TARGETS",
    )
    result = lint(package)
    assert result.returncode == 1
    assert "generators.checks.base -> generators.targets" in result.stdout


def test_an_import_between_independent_siblings_breaks_the_layers(package: Path) -> None:
    # diff/ and output/ share a layer and import neither each other.
    append(package, "generators/output/tree.py", "from generators.diff import objects  # noqa")
    result = lint(package)
    assert result.returncode == 1
    assert "generators.output.tree -> generators.diff.objects" in result.stdout


def test_a_cycle_within_a_layer_breaks_the_contracts(package: Path) -> None:
    # checks.names and checks.references are siblings: one may use the other, not both.
    append(
        package, "generators/checks/names.py", "from generators.checks import references  # noqa"
    )
    append(
        package, "generators/checks/references.py", "from generators.checks import names  # noqa"
    )
    result = lint(package)
    assert result.returncode == 1
    assert "No import cycles between sibling modules or packages, at any depth BROKEN" in (
        result.stdout
    )


def test_a_module_outside_every_layer_breaks_the_layers(package: Path) -> None:
    # Every top-level module has its place: a new one must be given one.
    (package / "generators/helpers.py").write_text('"""Odds and ends."""\n')
    result = lint(package)
    assert result.returncode == 1
    assert "generators.helpers" in result.stdout
