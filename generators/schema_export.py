"""Exports one JSON Schema per spec kind into ``schemas/``, for IDEs and external CI."""

from __future__ import annotations

import json
from pathlib import Path

from generators.errors import UsageError
from generators.spec import KINDS

SCHEMA_DIR = "schemas"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schemas() -> dict[str, bytes]:
    """Every kind's schema as ``{file name: bytes}``; sorted keys, stable bytes."""
    out: dict[str, bytes] = {}
    for kind in sorted(KINDS.values(), key=lambda k: k.name):
        schema = {"$schema": JSON_SCHEMA_DIALECT, **kind.model.model_json_schema()}
        text = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        out[kind.schema_file] = text.encode()
    return out


def stale_schemas(root: Path) -> list[str]:
    """Schema files under ``root/schemas`` that are missing, different or left over."""
    directory = root / SCHEMA_DIR
    expected = schemas()
    stale = [
        name
        for name, content in expected.items()
        if not (directory / name).is_file() or (directory / name).read_bytes() != content
    ]
    if directory.is_dir():
        stale += sorted(p.name for p in directory.glob("*.schema.json") if p.name not in expected)
    return sorted(stale)


def write_schemas(root: Path) -> list[str]:
    """Write the schemas; remove schema files of kinds that no longer exist.

    Returns:
        The files that changed.
    """
    changed = stale_schemas(root)
    directory = root / SCHEMA_DIR
    expected = schemas()
    try:
        directory.mkdir(exist_ok=True)
        for name in changed:
            path = directory / name
            if name in expected:
                path.write_bytes(expected[name])
            else:
                path.unlink()
    except OSError as exc:
        raise UsageError(
            message=f"cannot write {SCHEMA_DIR}/: {exc.strerror or exc} ({exc.filename})",
            hint=f"make {SCHEMA_DIR}/ a writable directory of *.schema.json files",
        ) from None
    return changed
