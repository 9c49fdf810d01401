"""The loader: positions, and every way a file can fail to be one spec document."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generators.source import load
from generators.source.discover import discover
from generators.source.load import load_file, load_text
from tests.conftest import build_tree


def codes(raw: bytes) -> list[tuple[str, int, int]]:
    doc, found = load_text("f.yaml", raw)
    assert (doc is None) == bool(found)
    return [(d.code.id, d.location.line, d.location.col) for d in found]


def test_positions_of_keys_and_values() -> None:
    doc, found = load_text("f.yaml", b"a: 1\nb:\n  c: [x, y]\n  d:\n    - e: 2\n")
    assert found == []
    assert doc is not None
    assert doc.locate(("b", "c")).line == 3
    assert doc.locate(("b", "c")).col == 6
    assert doc.locate(("b", "c"), key=True).col == 3
    assert doc.locate(("b", "c", 1)).col == 10
    assert (doc.locate(("b", "d", 0, "e")).line, doc.locate(("b", "d", 0, "e")).col) == (5, 10)
    # A missing key is reported at the mapping that lacks it.
    assert (doc.locate(("b", "zz")).line, doc.locate(("b", "zz")).col) == (2, 1)


def test_file_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * load.MAX_FILE_BYTES + b"\n")
    doc, found = load_file(tmp_path, "big.yaml")
    assert doc is None
    assert [d.code.id for d in found] == ["PL103"]
    assert "capped" in found[0].message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"a: 1\na: 2\n", [("PL102", 2, 1)]),
        (b"a: [1\n", [("PL101", 1, 4)]),
        (b"a: 1\n---\nb: 2\n", [("PL106", 3, 1)]),
        (b"", [("PL107", 1, 1)]),
        (b"# only a comment\n", [("PL107", 1, 1)]),
        (b"- 1\n", [("PL108", 1, 1)]),
        (b"just text\n", [("PL108", 1, 1)]),
        (b"a: caf\xe9\n", [("PL104", 1, 7)]),
        (b"a: 1\nb: \x00\n", [("PL104", 2, 4)]),
        (b"x: !Ref y\n", [("PL101", 1, 4)]),
    ],
)
def test_rejections_are_located(raw: bytes, expected: list[tuple[str, int, int]]) -> None:
    assert codes(raw) == expected


def test_single_document_with_leading_separator_and_bom_is_fine() -> None:
    assert codes(b"\xef\xbb\xbf---\na: 1\n") == []
    assert codes(b"a: 1\n---\n") == []


def test_alias_bomb_is_rejected_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    assert [c for c, _, _ in codes("\n".join(lines).encode())] == ["PL105"]


def test_aliases_and_merge_keys_within_the_cap_expand() -> None:
    doc, found = load_text("f.yaml", b"base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n")
    assert found == []
    assert doc is not None
    assert doc.data["c"] == {"x": 1, "y": 2}


def test_deep_nesting_is_rejected() -> None:
    raw = ("a: " + "[" * 200 + "]" * 200 + "\n").encode()
    assert [c for c, _, _ in codes(raw)] == ["PL101"]


def test_yaml_12_keeps_yes_and_on_as_text() -> None:
    doc, _ = load_text("f.yaml", b"a: yes\nb: on\nc: true\n")
    assert doc is not None
    assert doc.data == {"a": "yes", "b": "on", "c": True}


def test_discover_is_sorted_and_skips_hidden_and_other_files(tmp_path: Path) -> None:
    build_tree(
        tmp_path,
        {
            "platform/services/b.yaml": "x: 1",
            "platform/services/a.yml": "x: 1",
            "platform/services/sub/c.yaml": "x: 1",
            "platform/services/.hidden.yaml": "x: 1",
            "platform/.drafts/d.yaml": "x: 1",
            "platform/README.md": "docs",
            "environments/dev.yaml": "x: 1",
            "rendered/dev/x.yaml": "x: 1",
        },
    )
    assert discover(tmp_path) == [
        "environments/dev.yaml",
        "platform/services/a.yml",
        "platform/services/b.yaml",
        "platform/services/sub/c.yaml",
    ]


@pytest.mark.parametrize(
    ("text", "col", "hint"),
    [
        ('{"a": "\\ud83d\\ude00"}', 10, "half of a UTF-16 surrogate pair"),  # JSON's emoji
        ('a: "x\\qy"', 6, "write \\\\ for a backslash"),
        ('a: "\\x4"', 7, "\\x takes 2 hex digits"),
    ],
)
def test_a_bad_escape_is_named_as_such_at_the_escape(text: str, col: int, hint: str) -> None:
    doc, (problem,) = load_text("x.yaml", text.encode())
    assert doc is None
    assert problem.message == "invalid YAML: invalid escape sequence in a double-quoted value"
    assert (problem.location.line, problem.location.col) == (1, col)
    assert hint in problem.hint


def test_discover_keeps_to_the_repository(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    build_tree(root, {"platform/services/a.yaml": "x: 1", "shared/b.yaml": "x: 1"})
    outside = build_tree(tmp_path / "elsewhere", {"c.yaml": "x: 1", "dir/d.yaml": "x: 1"})
    services = root / "platform/services"
    (services / "inside.yaml").symlink_to(root / "shared/b.yaml")  # a link within: kept
    (services / "outside.yaml").symlink_to(outside / "c.yaml")  # leads out: skipped
    (services / "dir").symlink_to(outside / "dir")  # linked directories are not followed
    (services / "dangling.yaml").symlink_to(root / "missing.yaml")
    os.mkfifo(services / "pipe.yaml")  # not a file: never opened
    assert discover(root) == ["platform/services/a.yaml", "platform/services/inside.yaml"]
    linked = tmp_path / "linked"
    build_tree(linked, {"environments/dev.yaml": "x: 1"})
    (linked / "platform").symlink_to(outside)  # the whole directory outside the root
    assert discover(linked) == ["environments/dev.yaml"]


def test_unreadable_file_is_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.yaml").write_text("a: 1\n")

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    doc, found = load_file(tmp_path, "a.yaml")
    assert doc is None
    assert [(d.code.id, d.message) for d in found] == [
        ("PL100", "cannot read the file: Permission denied")
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"a: 2024-02-30\n", ("PL101", 1, 4)),
        (b"a: !!int abc\n", ("PL101", 1, 4)),
        (b"a: " + b"9" * 5000 + b"\n", ("PL101", 1, 4)),
        (b"a: !Ref {b: 1}\n", ("PL101", 1, 4)),
        (b"x: &a {b: 1}\ny:\n  <<: foo\n", ("PL101", 3, 3)),
        (b"x: &a {b: 1}\ny:\n  <<: *a\n  <<: *a\n", ("PL101", 4, 3)),
        (b"a: *nothing\n", ("PL101", 1, 4)),
        (b"a: 1\nb: 2 # bell\x07\n", ("PL104", 2, 12)),
        (b"...\n", ("PL107", 1, 1)),
    ],
)
def test_odd_yaml_is_a_located_diagnostic_not_a_crash(
    raw: bytes, expected: tuple[str, int, int]
) -> None:
    assert codes(raw) == [expected]


def test_equals_and_merge_signs_as_values_are_text() -> None:
    doc, found = load_text("f.yaml", b"a: =\nb: <<\n")
    assert found == []
    assert doc is not None
    assert doc.data == {"a": "=", "b": "<<"}


def test_empty_value_is_located_at_its_key() -> None:
    doc, _ = load_text("f.yaml", b"spec:\n  image:\n  env: {}\n")
    assert doc is not None
    location = doc.locate(("spec", "image"))
    assert (location.line, location.col) == (2, 3)
