"""The stages run end to end: one mistake, one report, the same result in workers."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from generators import checks, pipeline, workers
from generators.source import discover
from tests.conftest import CASES, REPO, build_tree


@pytest.mark.parametrize(
    ("rel", "content", "code"),
    [
        (
            "platform/services/api.yaml",
            "apiVersion: platform/v1\nkind: Service\n  bad: [\n",
            "PL101",
        ),
        ("platform/services/api.yaml", b"kind: Service\nname: caf\xe9\n", "PL104"),
        ("platform/services/api.yaml", "apiVersion: platform/v1\nkind: Sevice\n", "PL109"),
        ("platform/teams/shop.yaml", "- a list\n", "PL108"),
        ("environments/production.yaml", "", "PL107"),
    ],
)
def test_a_spec_that_cannot_load_is_still_known_by_name(
    base_tree: Path, rel: str, content: str | bytes, code: str
) -> None:
    # api, shop and production are referenced by other specs: those references must
    # not be reported as dangling just because the file itself is broken.
    build_tree(base_tree, {rel: content})
    result = pipeline.validate_platform(base_tree)
    assert [d.code.id for d in result.diagnostics] == [code]


def test_duplicate_name_keeps_the_canonical_spec(base_tree: Path) -> None:
    stray = (base_tree / "platform/services/worker.yaml").read_text()
    build_tree(base_tree, {"platform/services/old/worker.yaml": stray.replace("[api]", "[]")})
    result = pipeline.validate_platform(base_tree)
    assert [(d.code.id, d.location.file) for d in result.diagnostics] == [
        ("PL305", "platform/services/old/worker.yaml")
    ]
    doc, worker = result.platform.services["worker"]
    assert doc.source.file == "platform/services/worker.yaml"
    assert worker.spec.dependsOn == ["api"]


def test_file_order_does_not_change_the_report(base_tree: Path) -> None:
    api = base_tree / "platform/services/api.yaml"
    api.write_text(api.read_text().replace("team: shop", "team: shp"))
    first = pipeline.validate_platform(base_tree).diagnostics
    # Re-create the files in reverse order: directory listing order must not matter.
    files = sorted(base_tree.rglob("*.yaml"), reverse=True)
    contents = {p: p.read_bytes() for p in files}
    for path in files:
        path.unlink()
    for path, data in contents.items():
        path.write_bytes(data)
    assert pipeline.validate_platform(base_tree).diagnostics == first


def test_parallel_loading_reports_exactly_what_serial_loading_does(
    base_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_tree(
        base_tree,
        {
            "platform/services/broken.yaml": "apiVersion: platform/v1\nkind: Service\n  x: [\n",
            "platform/teams/shop.yaml": (base_tree / "platform/teams/shop.yaml")
            .read_text()
            .replace("#shop", "shop"),
        },
    )
    serial = pipeline.validate_platform(base_tree)
    if workers.cores() < 2:
        pytest.skip("one core: files are always loaded in this process")
    monkeypatch.setattr(discover, "PARALLEL_FROM", 0)
    forked = _spy_on_fork_map(monkeypatch)
    parallel = pipeline.validate_platform(base_tree)
    assert forked
    assert forked[0] is not None, "the files were not loaded in workers"
    assert parallel.diagnostics == serial.diagnostics
    assert [d.code.id for d in parallel.diagnostics] == ["PL101", "PL204"]
    assert parallel.diagnostics[0].code is serial.diagnostics[0].code
    assert parallel.platform.teams.keys() == serial.platform.teams.keys()


def test_forked_rendering_gives_the_same_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    validation = pipeline.validate_platform(REPO)
    envs = sorted(validation.platform.environments)
    serial = pipeline.build_tree(validation.platform, envs)
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_FROM", 0)
    results = _spy_on_fork_map(monkeypatch)
    assert pipeline.build_tree(validation.platform, envs) == serial
    assert results
    assert results[0] is not None  # the workers did render (no fallback)


def test_forked_checks_find_the_same_problems_in_the_same_order(
    base_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Many mistakes at once, found by many checks: every golden check-level case.
    for case in sorted((CASES / "invalid").iterdir()):
        if case.name >= "PL3":
            shutil.copytree(case, base_tree, dirs_exist_ok=True)
    serial = pipeline.validate_platform(base_tree)
    assert len({d.code.id for d in serial.diagnostics}) >= 10
    if workers.cores() < 2:
        pytest.skip("one core: the checks always run in this process")
    monkeypatch.setattr(checks, "PARALLEL_CHECKS_FROM", 0)
    forked = _spy_on_fork_map(monkeypatch)
    parallel = pipeline.validate_platform(base_tree)
    assert forked
    assert forked[-1] is not None, "the checks did not run in workers"
    assert parallel.diagnostics == serial.diagnostics


def _spy_on_fork_map(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """What every call of workers.fork_map returned from now on (None: no workers)."""
    forked: list[object] = []
    real = workers.fork_map

    def spy(*args: Any, **kwargs: Any) -> Any:
        forked.append(real(*args, **kwargs))
        return forked[-1]

    monkeypatch.setattr(workers, "fork_map", spy)
    return forked


def test_an_overlay_validates_as_the_files_written_would(base_tree: Path) -> None:
    api = (base_tree / "platform/services/api.yaml").read_text()
    change = {
        # a new service with a mistake, and an edited one: both given as text
        "platform/services/shop-web.yaml": api.replace("name: api", "name: shop-web").replace(
            "team: shop", "team: shp"
        ),
        "platform/services/api.yaml": api.replace("min: 2\n", "min: 5\n"),  # above max
    }
    memo: pipeline.Memo = {}
    before = pipeline.validate_platform(base_tree, stages=pipeline.INDEX, memo=memo)
    overlaid = pipeline.validate_platform(base_tree, overlay=change, memo=memo)
    assert not (base_tree / "platform/services/shop-web.yaml").exists()  # nothing written
    build_tree(base_tree, change)
    written = pipeline.validate_platform(base_tree)
    assert overlaid.files == written.files
    assert overlaid.diagnostics == written.diagnostics
    # the unknown team, the host both serve (reported at both), the scaling bounds
    assert {"PL301", "PL502", "PL504"} <= {d.code.id for d in written.diagnostics}
    # The files the change left alone were parsed once: the second run reused them.
    unchanged = {d.source.file: d for d in before.platform.documents}
    for doc in overlaid.platform.documents:
        if doc.source.file not in change:
            assert doc is unchanged[doc.source.file]
