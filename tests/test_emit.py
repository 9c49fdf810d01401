"""The canonical YAML emitter: what it writes reads back as exactly what it was given,
by a YAML 1.2 parser (ruamel) and a YAML 1.1 parser (PyYAML, as Kubernetes tools use).
"""

from __future__ import annotations

import json
import os

import yaml as pyyaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from generators.emit import dump, json_document, scalar

TRICKY = st.sampled_from(
    ["yes", "No", "on", "OFF", "y", "n", "~", "null", "true", "1.10", "1e3", "0x1F", "0o17",
     "012", "1_000", "12:30", "2024-01-01", ".inf", "-.5", "+1", "<<", "=", "- a", "a: b",
     "a #b", "#c", "@x", "`x`", "*a", "&a", "!t", "%x", "|", ">", "'q'", '"d"', "[x]", "{x}",
     "a,b", "?", ":", "-", "--config", "", " lead", "trail ", "two  spaces", "tab\there",
     ".5e3", ".5E-3", ".1e+2", ".5_0", "250m", "512Mi", "1E", "2.5Gi", "1e3M",
     "ünï", "line\nbreak", "end\n", "\n\nlead", "a\n\n\n", "\u2028", "\x85", "\x00", "\ud7ff"]
)  # fmt: skip
TEXT = st.text(max_size=20) | TRICKY
SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**63) | TEXT
DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)
YAML12 = YAML(typ="safe", pure=False)


def load_both(text: str) -> tuple[object, object]:
    return YAML12.load(text), pyyaml.load(text, Loader=pyyaml.CSafeLoader)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "500")), deadline=None)
@given(document=st.dictionaries(TEXT, DATA, max_size=6))
def test_round_trip_through_yaml_1_1_and_1_2(document: dict[str, object]) -> None:
    text = dump(document)
    as_12, as_11 = load_both(text)
    assert as_12 == document or (not document and as_12 is None)
    assert as_11 == document or (not document and as_11 is None)


def test_conventional_key_order_and_block_style() -> None:
    text = dump(
        {
            "spec": {"b": 1, "a": [1]},
            "metadata": {"name": "x"},
            "kind": "K",
            "apiVersion": "v1",
            "zz": "last",
        }
    )
    assert text == (
        "apiVersion: v1\nkind: K\nmetadata:\n  name: x\nspec:\n  b: 1\n  a:\n    - 1\nzz: last\n"
    )


def test_quoting_is_only_where_needed() -> None:
    assert scalar("ghcr.io/acme/web:2.8.0") == "ghcr.io/acme/web:2.8.0"
    assert scalar("app.kubernetes.io/name") == "app.kubernetes.io/name"
    assert scalar("1.10") == '"1.10"'
    assert scalar("yes") == '"yes"'
    assert scalar("n") == '"n"'
    assert scalar("a: b") == '"a: b"'


def test_multi_line_text_is_a_literal_block_with_exact_trailing_newlines() -> None:
    assert dump({"data": {"f": "a\n  b\n"}}) == "data:\n  f: |\n    a\n      b\n"
    assert dump({"data": {"f": "a"}}) == "data:\n  f: a\n"
    assert dump({"data": {"f": "a\nb"}}) == "data:\n  f: |-\n    a\n    b\n"
    assert load_both(dump({"data": {"f": "a\n\n"}}))[0] == {"data": {"f": "a\n\n"}}


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f == 0 or abs(f) >= 1e-4)
    | TEXT
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "500")), deadline=None)
@given(data=JSON)
@example(data={"\x7f": None})  # DEL: json escapes it, orjson does not (found by this test)
@example(data=["tab\there", "\x00", "\u2028"])
def test_json_documents_are_the_bytes_json_writes(data: object) -> None:
    assert json_document(data) == json.dumps(data, indent=2, sort_keys=True) + "\n"


def test_every_rendered_dashboard_and_webhook_file_is_that_json() -> None:
    from generators import pipeline
    from tests.conftest import REPO

    tree = pipeline.render_platform(REPO).tree
    blocks = [
        value
        for path, content in tree.items()
        if path.endswith("manifests.yaml")
        for obj in pyyaml.safe_load_all(content)
        if isinstance(obj, dict) and obj.get("kind") == "ConfigMap"
        for key, value in (obj.get("data") or {}).items()
        if key.endswith(".json")
    ]
    assert len(blocks) > 10
    for text in blocks:
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
