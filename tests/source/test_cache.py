"""The load cache: the same bytes load to the same data, from the cache, and nothing else does."""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generators import pipeline
from generators.source import cache
from generators.source.discover import discover, load_all
from generators.source.load import load_file
from tests.conftest import REPO


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache directory of this test's own."""
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(where))
    return where


def entries(store: Path) -> list[Path]:
    return sorted(p for p in store.rglob("*") if p.is_file())


def exact(value: object) -> object:
    """A value with every type spelled out (True == 1 and 1 == 1.0 would hide a change)."""
    if isinstance(value, dict):
        return ("dict", [(exact(k), exact(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [exact(v) for v in value])
    return (type(value).__name__, value)


def test_the_example_loads_the_same_from_the_cache(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = discover(REPO)
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    fresh = load_all(REPO, files)
    monkeypatch.setenv(cache.CACHE_ENV, str(store))
    stored = load_all(REPO, files)  # loads, and stores each file's data
    assert len(entries(store)) == len({p.read_bytes() for p in map(REPO.joinpath, files)})
    cached = load_all(REPO, files)
    for (a, _), (b, _), (c, _) in zip(fresh, stored, cached, strict=True):
        assert a is not None
        assert b is not None
        assert c is not None
        assert exact(a.data) == exact(b.data) == exact(c.data)
        assert (a.file, a.text, a.keys, a.values) == (c.file, c.text, c.keys, c.values)


def test_an_edited_file_is_loaded_again(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "p" / "a.yaml"
    path.parent.mkdir()
    path.write_text("a: 1\n")
    assert load_file(path.parent, "a.yaml")[0].data == {"a": 1}  # type: ignore[union-attr]
    path.write_text("a: 2\n")
    assert load_file(path.parent, "a.yaml")[0].data == {"a": 2}  # type: ignore[union-attr]
    assert len(entries(store)) == 2


def test_a_file_with_a_problem_is_never_stored(store: Path, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("a: [\n")
    for _ in range(2):
        doc, found = load_file(tmp_path, "bad.yaml")
        assert doc is None
        assert [d.code.id for d in found] == ["PL101"]
    assert entries(store) == []


class _Touch:
    """Unpickled, it would create a file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (str(self.marker),))  # type: ignore[return-value]


@pytest.mark.parametrize(
    "damage",
    [
        lambda digest, marker: b"not a pickle",
        # an entry that names other bytes
        lambda digest, marker: pickle.dumps(("0" * 64, {"a": "forged"})),
        lambda digest, marker: pickle.dumps("no pair"),
        # a class that is not plain data, under the right name
        lambda digest, marker: pickle.dumps((digest, {"a": Path("forged")})),
        # code: refused, never run
        lambda digest, marker: pickle.dumps((digest, _Touch(marker))),
    ],
    ids=["garbage", "other-bytes", "no-pair", "a-class", "code"],
)
def test_a_damaged_entry_is_a_miss(
    store: Path, tmp_path: Path, damage: Callable[[str, Path], bytes]
) -> None:
    (tmp_path / "a.yaml").write_text("a: 1\n")
    load_file(tmp_path, "a.yaml")
    (entry,) = entries(store)
    marker = tmp_path / "code-ran"
    entry.write_bytes(damage(cache.key(b"a: 1\n"), marker))
    doc, found = load_file(tmp_path, "a.yaml")
    assert doc is not None
    assert doc.data == {"a": 1}
    assert found == []
    assert not marker.exists()


def test_the_cache_is_the_users_own(store: Path, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("a: 1\n")
    load_file(tmp_path, "a.yaml")
    (folder,) = {entry.parent for entry in entries(store)}
    for directory in (folder, folder.parent):  # the store and its folders: the user's only
        assert directory.stat().st_mode & 0o777 == 0o700


def test_a_directory_others_may_write_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # as /tmp is: anyone could plant what this user renders
    monkeypatch.setenv(cache.CACHE_ENV, str(shared))
    (tmp_path / "a.yaml").write_text("a: 1\n")
    for _ in range(2):
        doc, _ = load_file(tmp_path, "a.yaml")
        assert doc is not None
        assert doc.data == {"a": 1}
    assert entries(shared) == []


def test_a_name_the_loader_refuses_is_refused_from_a_warm_cache(
    store: Path, tmp_path: Path
) -> None:
    root = tmp_path / "p"
    (root / "platform/teams").mkdir(parents=True)
    good = root / "platform/teams/shop.yaml"
    good.write_text("a: 1\n")
    load_all(root, ["platform/teams/shop.yaml"])  # its bytes are in the cache now
    bad = os.fsencode(root / "platform/teams") + b"/sh\xffop.yaml"
    os.rename(good, bad)
    (rel,) = discover(root) or [os.fsdecode(bad).removeprefix(f"{root}/")]
    ((doc, found),) = load_all(root, [rel])
    assert doc is None
    assert [d.code.id for d in found] == ["PL100"]


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    (tmp_path / "a.yaml").write_text("a: 1\n")
    load_file(tmp_path, "a.yaml")
    assert not (tmp_path / "xdg").exists()


def test_the_default_is_the_users_cache_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.directory() == tmp_path / "xdg" / "platform-compiler"


def test_a_store_unused_for_a_month_is_removed(store: Path, tmp_path: Path) -> None:
    old, recent = store / "loads-0123456789abcdef", store / "loads-fedcba9876543210"
    for other in (old, recent):  # other compilers' stores (another version, a venv)
        (other / "ab").mkdir(parents=True)
        (other / "ab" / "cd").write_bytes(b"x")
    month = time.time() - 31 * 86_400
    os.utime(old, (month, month))
    (tmp_path / "a.yaml").write_text("a: 1\n")
    load_file(tmp_path, "a.yaml")
    assert not old.exists()
    assert sorted(p.name for p in store.iterdir()) == sorted(
        [f"loads-{cache.fingerprint()}", recent.name]
    )


def test_a_cache_that_cannot_be_written_costs_nothing_but_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))  # under a file: unwritable
    (tmp_path / "a.yaml").write_text("a: 1\n")
    for _ in range(2):
        doc, found = load_file(tmp_path, "a.yaml")
        assert doc is not None
        assert doc.data == {"a": 1}
        assert found == []


def test_a_validation_from_the_cache_reports_the_same(store: Path, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "platform"
    for top in ("platform", "environments", "templates"):
        shutil.copytree(REPO / top, root / top)
    api = root / "platform/services/checkout-api.yaml"
    api.write_text(api.read_text().replace("team: payments", "team: paymnts"))
    first = pipeline.validate_platform(root).diagnostics
    assert entries(store)
    assert first
    assert pipeline.validate_platform(root).diagnostics == first
