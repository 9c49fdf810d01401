"""The exported JSON Schemas: fresh, described, and agreeing with the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from generators.output import schemas
from generators.source.discover import discover
from generators.source.load import load_file
from generators.spec import KINDS
from generators.spec.schema import schemas as exported
from tests.conftest import REPO

EXAMPLES = discover(REPO)


def test_committed_schemas_are_fresh() -> None:
    stale = schemas.stale_schemas(REPO)
    assert stale == [], "schemas/ is stale: run `platform schema` and commit the result"


def test_export_is_stable() -> None:
    assert exported() == exported()


def walk_properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, definition in schema.get("$defs", {}).items():
        found += [(f"{name}.{p}", d) for p, d in definition.get("properties", {}).items()]
    found += [(f"<root>.{p}", d) for p, d in schema.get("properties", {}).items()]
    return found


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_field_has_a_description(kind: str) -> None:
    schema = KINDS[kind].model.model_json_schema()
    missing = [name for name, d in walk_properties(schema) if not d.get("description")]
    assert missing == []


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_unknown_keys_are_forbidden_everywhere(kind: str) -> None:
    schema = KINDS[kind].model.model_json_schema()
    objects = [schema, *schema.get("$defs", {}).values()]
    assert all(o.get("additionalProperties") is False for o in objects if "properties" in o)


@pytest.mark.parametrize("rel", EXAMPLES)
def test_example_spec_points_editors_at_its_schema(rel: str) -> None:
    first = (REPO / rel).read_text().splitlines()[0]
    doc, _ = load_file(REPO, rel)
    assert doc is not None
    kind = KINDS[doc.data["kind"]]
    target = (REPO / rel).parent / first.removeprefix("# yaml-language-server: $schema=")
    assert first.startswith("# yaml-language-server: $schema=")
    assert target.resolve() == (REPO / "schemas" / kind.schema_file).resolve()
    schema = json.loads(target.read_text())
    # The schema an editor uses accepts what the compiler accepts.
    jsonschema.validate(json.loads(json.dumps(doc.data, default=str)), schema)


def test_schema_rejects_what_the_models_reject() -> None:
    schema = json.loads((REPO / "schemas" / "service.schema.json").read_text())
    doc, _ = load_file(REPO, "platform/services/web.yaml")
    assert doc is not None
    data = json.loads(json.dumps(doc.data, default=str))
    data["spec"]["replicas"] = 3
    with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
        jsonschema.validate(data, schema)


def test_schema_files_are_sorted_json(tmp_path: Path) -> None:
    for name, content in exported().items():
        parsed = json.loads(content)
        assert content.decode() == json.dumps(parsed, indent=2, sort_keys=True) + "\n", name
