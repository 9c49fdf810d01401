"""``schemas/`` on disk: which schema files are stale, and writing them (`platform schema`)."""

from __future__ import annotations

from pathlib import Path

from generators.errors import UsageError
from generators.spec.schema import schemas

#: Where the schemas go, relative to the platform root.
SCHEMA_DIR = "schemas"


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


def summary(changed: list[str], *, check: bool) -> str:
    """What `platform schema` did, or (with ``check``) which files are stale."""
    if check:
        lines = [f"stale: {SCHEMA_DIR}/{name}" for name in changed]
        lines.append(
            "Run `platform schema` and commit the result."
            if changed
            else f"{SCHEMA_DIR}/ is up to date."
        )
    else:
        lines = [f"wrote {SCHEMA_DIR}/{name}" for name in changed]
        lines.append(f"{len(changed)} schema file(s) changed.")
    return "\n".join(lines) + "\n"
