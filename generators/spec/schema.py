"""The JSON Schema of every spec kind, as exported to ``schemas/`` for IDEs and external CI."""

from __future__ import annotations

import json

from generators.spec import KINDS

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schemas() -> dict[str, bytes]:
    """Every kind's schema as ``{file name: bytes}``; sorted keys, stable bytes."""
    out: dict[str, bytes] = {}
    for kind in sorted(KINDS.values(), key=lambda k: k.name):
        schema = {"$schema": JSON_SCHEMA_DIALECT, **kind.model.model_json_schema()}
        text = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        out[kind.schema_file] = text.encode()
    return out
