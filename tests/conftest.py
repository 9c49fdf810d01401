"""Shared fixtures: building platform trees on disk and running the CLI in-process."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from generators import cli

#: The day secrets' rotation is judged against in tests: the example's and the cases'
#: sealing dates are fixed, so the tests must not age with the calendar.
TODAY = "2026-11-28"
os.environ["PLATFORM_TODAY"] = TODAY
#: The load cache (generators/source/cache.py) of this test run: every test loads
#: through it, as users do, but never into the user's own cache directory.
os.environ["PLATFORM_CACHE_DIR"] = tempfile.mkdtemp(prefix="platform-test-cache-")
atexit.register(shutil.rmtree, os.environ["PLATFORM_CACHE_DIR"], ignore_errors=True)

#: This directory: test data lives under it whichever sub-directory a test is in.
TESTS = Path(__file__).parent
CASES = TESTS / "cases"
BASE = CASES / "base"
REPO = TESTS.parent


def build_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``{relative path: text}`` under ``root`` (text is dedented)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"))
    return root


def copy_base(target: Path) -> Path:
    """A valid small platform (tests/cases/base) copied to ``target``."""
    shutil.copytree(BASE, target, dirs_exist_ok=True)
    return target


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def invoke(*args: str, input: bytes | None = None) -> Result:
    """Run ``platform ARGS`` in-process through the real entry point (``input``: stdin)."""
    runner = CliRunner()
    outcome: dict[str, int] = {}

    def entry() -> None:
        outcome["code"] = cli.run(list(args))

    with runner.isolation(input=input) as (out, err, _):
        entry()
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    return Result(outcome["code"], stdout, stderr)


@pytest.fixture
def base_tree(tmp_path: Path) -> Path:
    """A copy of the small valid platform, free to modify."""
    return copy_base(tmp_path / "repo")
