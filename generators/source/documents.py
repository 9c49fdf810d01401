"""Documents: a loaded file's envelope (kind, apiVersion, name, place) and its model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from generators.diagnostics import Diagnostic, codes
from generators.diagnostics.suggest import closest
from generators.source.located import SourceDoc
from generators.source.pydantic_errors import validate_model
from generators.spec import KINDS, Kind, StrictModel


@dataclass(frozen=True, slots=True)
class Parsed:
    """A document whose envelope is readable: its kind and name, and the model if valid."""

    kind: Kind
    name: str
    source: SourceDoc
    model: StrictModel | None


def canonical_first(doc: Parsed) -> tuple[bool, str]:
    """Sort key: the spec at ``<kind directory>/<name>.yaml`` before stray copies."""
    canonical = doc.source.file.rsplit(".", 1)[0] == f"{doc.kind.directory}/{doc.name}"
    return (not canonical, doc.source.file)


def parse_document(doc: SourceDoc) -> tuple[Parsed | None, list[Diagnostic]]:
    """Check a document's envelope, then validate it against its kind's model."""
    data = doc.data
    kind_name = data.get("kind")
    if not isinstance(kind_name, str) or kind_name not in KINDS:
        return None, [_unknown_kind(doc, kind_name)]
    kind = KINDS[kind_name]
    found: list[Diagnostic] = []
    api_version = data.get("apiVersion")
    if api_version not in kind.api_versions:
        found.append(_unknown_api_version(doc, kind, api_version))
    if not doc.file.startswith(kind.directory + "/"):
        found.append(_wrong_directory(doc, kind))
    metadata = data.get("metadata")
    raw_name = metadata.get("name") if isinstance(metadata, Mapping) else None
    name = raw_name if isinstance(raw_name, str) else ""
    stem = PurePosixPath(doc.file).stem
    if name and name != stem:
        found.append(
            Diagnostic(
                code=codes.NAME_MISMATCH,
                message=f"metadata.name {name!r} does not match the file name "
                f"{PurePosixPath(doc.file).name!r}",
                location=doc.locate(("metadata", "name")),
                key_path="metadata.name",
                hint=f"rename the file to '{name}{PurePosixPath(doc.file).suffix}', "
                f"or set metadata.name to {stem!r}",
            )
        )
    model, errors = validate_model(kind.model, data, lambda path, key: doc.origin(path, key=key))
    # A wrong apiVersion is already reported above, with a better hint.
    found += [d for d in errors if d.key_path != "apiVersion"]
    parsed = Parsed(kind=kind, name=name or stem, source=doc, model=model)
    return parsed, found


def kind_of_path(rel: str) -> Kind | None:
    """The kind whose directory holds ``rel``, if any."""
    return next((k for k in KINDS.values() if rel.startswith(k.directory + "/")), None)


def _unknown_kind(doc: SourceDoc, kind_name: Any) -> Diagnostic:
    expected = getattr(kind_of_path(doc.file), "name", None)
    if kind_name is None or not isinstance(kind_name, str):
        hint = f"add `kind: {expected}`" if expected else f"add `kind:` (one of {_kinds()})"
        return _at_field(doc, "kind", codes.UNKNOWN_KIND, "missing `kind`", hint)
    guess = closest(kind_name, KINDS)
    hint = f"did you mean {guess!r}?" if guess else f"known kinds: {_kinds()}"
    return _at_field(doc, "kind", codes.UNKNOWN_KIND, f"unknown kind {kind_name!r}", hint)


def _kinds() -> str:
    return ", ".join(sorted(KINDS))


def _unknown_api_version(doc: SourceDoc, kind: Kind, api_version: Any) -> Diagnostic:
    code = codes.UNKNOWN_API_VERSION
    if not isinstance(api_version, str):
        hint = f"Add `apiVersion: {kind.api_versions[-1]}`"
        return _at_field(doc, "apiVersion", code, "missing `apiVersion`", hint)
    guess = closest(api_version, kind.api_versions)
    supported = ", ".join(kind.api_versions)
    hint = f"did you mean {guess!r}?" if guess else f"{kind.name} supports: {supported}"
    message = f"apiVersion {api_version!r} is not supported for kind {kind.name}"
    return _at_field(doc, "apiVersion", code, message, hint)


def _at_field(doc: SourceDoc, field: str, code: codes.Code, message: str, hint: str) -> Diagnostic:
    """A problem with a top-level field of the envelope (`kind`, `apiVersion`)."""
    return Diagnostic(code, message, doc.locate((field,)), field, hint)


def _wrong_directory(doc: SourceDoc, kind: Kind) -> Diagnostic:
    target = f"{kind.directory}/{PurePosixPath(doc.file).name}"
    message = f"{kind.name} specs belong under {kind.directory}/"
    return _at_field(
        doc, "kind", codes.WRONG_DIRECTORY, message, f"Move the file to {target}, or correct `kind`"
    )
