"""Golden corpus: each tests/cases/invalid/<CODE>-<slug>/ overlays one mistake on the base.

The case directory holds only the files that differ from tests/cases/base. The run must
report exactly one problem, with the code the directory is named after, and print
exactly the human output recorded in the snapshot.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generators import pipeline
from generators.diagnostics import formats
from tests.conftest import CASES, copy_base

INVALID = sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir())


def test_base_is_valid() -> None:
    result = pipeline.validate_platform(CASES / "base")
    assert result.diagnostics == ()


def test_corpus_is_large_enough() -> None:
    assert len(INVALID) >= 30


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_invalid_case(case: Path, tmp_path: Path, snapshot) -> None:
    root = copy_base(tmp_path / "repo")
    shutil.copytree(case, root, dirs_exist_ok=True)
    result = pipeline.validate_platform(root)
    text = formats.render(result.diagnostics, fmt="human", root=root, files=len(result.files))
    expected_code = case.name.split("-", 1)[0]
    assert [d.code.id for d in result.diagnostics] == [expected_code], text
    assert result.exit_code(strict=True) == 1
    assert text == snapshot
