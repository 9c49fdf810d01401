"""Property: no mutation of valid specs makes the validator crash.

Every outcome is either success or located diagnostics (file inside the tree, line
and column from 1), and every report format renders them; a tree that validates
renders. bench/fuzz.py runs the same whole-tree property ten thousand times and more.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generators import pipeline
from generators.diagnostics import formats
from generators.source.discover import discover
from generators.source.load import load_text
from tests.conftest import REPO
from tests.fuzzing import VALUES, YAML_SNIPPETS, Case, check, mutate, paths, trees

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@contextmanager
def example_tree() -> Iterator[tuple[Path, list[str]]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for top in ("platform", "environments", "templates"):
            shutil.copytree(REPO / top, root / top)
        yield root, discover(root)


def assert_located(root: Path, files: list[str]) -> None:
    result = pipeline.validate_platform(root)
    for diagnostic in result.diagnostics:
        location = diagnostic.location
        assert location.file in files, diagnostic
        assert location.line >= 1, diagnostic
        assert location.col >= 1, diagnostic
        assert diagnostic.message, diagnostic
    for fmt in formats.FORMATS:
        formats.render(result.diagnostics, fmt=fmt, root=root, files=len(result.files))


@FUZZ
@given(
    data=st.data(),
    operation=st.sampled_from(["delete", "replace", "rename", "insert"]),
    value=VALUES,
    key=st.text(max_size=12),
)
def test_structural_mutations_never_crash(data, operation, value, key) -> None:
    with example_tree() as (root, files):
        rel = data.draw(st.sampled_from(files))
        doc, _ = load_text(rel, (root / rel).read_bytes())
        assert doc is not None
        tree = json.loads(json.dumps(doc.data, default=str))
        path = data.draw(st.sampled_from(paths(tree)))
        mutated = mutate(tree, path, operation, value, key)
        # JSON is YAML 1.2, so this is a valid spec file with one mutation.
        (root / rel).write_text(json.dumps(mutated, indent=1))
        assert_located(root, files)


@FUZZ
@given(data=st.data(), junk=st.text(max_size=8) | st.sampled_from(YAML_SNIPPETS))
def test_text_mutations_never_crash(data, junk) -> None:
    with example_tree() as (root, files):
        rel = data.draw(st.sampled_from(files))
        text = (root / rel).read_text()
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, min(len(text), start + 10)))
        (root / rel).write_text(text[:start] + junk + text[end:])
        assert_located(root, files)


@FUZZ
@given(data=st.data(), raw=st.binary(max_size=16))
def test_byte_mutations_never_crash(data, raw) -> None:
    with example_tree() as (root, files):
        rel = data.draw(st.sampled_from(files))
        content = (root / rel).read_bytes()
        at = data.draw(st.integers(0, len(content)))
        (root / rel).write_bytes(content[:at] + raw + content[at:])
        assert_located(root, files)


@FUZZ
@given(case=trees())
def test_whole_trees_keep_the_property(case: Case, tmp_path_factory) -> None:
    root = tmp_path_factory.mktemp("tree")
    outcome = check(case, root)
    assert outcome.problems == [], "\n".join([*outcome.edits, *outcome.problems])
