"""Turns loaded documents into spec models; maps every pydantic error to its exact place."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from generators import diagnostics as codes
from generators.diagnostics import Diagnostic
from generators.source import KeyPath, Location, SourceDoc, dotted
from generators.spec import KINDS, Kind, StrictModel
from generators.suggest import closest, did_you_mean

#: Finds where a key path of the validated data came from (one file, or several layers).
Locator = Callable[[KeyPath, bool], Location]


@dataclass(frozen=True, slots=True)
class Parsed:
    """A document whose envelope is readable: its kind and name, and the model if valid."""

    kind: Kind
    name: str
    source: SourceDoc
    model: StrictModel | None
    #: The validated ``metadata`` alone: present even when the rest of the spec has
    #: errors, so checks of ownership still run and all problems show in one run.
    metadata: BaseModel | None = None


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
    if not (doc.file + "/").startswith(kind.directory + "/") or doc.file.count("/") < 1:
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
    errors = validation_errors(kind.model, data, lambda path, key: doc.locate(path, key=key))
    # A wrong apiVersion is already reported above, with a better hint.
    found += [d for d in errors if d.key_path != "apiVersion"]
    model = kind.model.model_validate(data) if not errors else None
    parsed = Parsed(
        kind=kind, name=name or stem, source=doc, model=model, metadata=_metadata(kind, data, model)
    )
    return parsed, found


def _metadata(kind: Kind, data: Mapping[str, Any], model: StrictModel | None) -> BaseModel | None:
    if model is not None:
        return getattr(model, "metadata", None)
    annotation = kind.model.model_fields["metadata"].annotation
    if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return None
    try:
        return annotation.model_validate(data.get("metadata"))
    except ValidationError:
        return None


def validation_errors(
    model: type[BaseModel], data: Any, locate: Locator, *, environment: str = ""
) -> list[Diagnostic]:
    """Validate ``data`` and return one located diagnostic per distinct problem.

    Args:
        model: the pydantic model to validate against.
        data: plain data as loaded.
        locate: maps a key path of ``data`` to a file location.
        environment: the environment ``data`` was resolved for, if any.
    """
    try:
        model.model_validate(data)
    except ValidationError as exc:
        grouped: dict[tuple[KeyPath, str], list[Mapping[str, Any]]] = {}
        for error in exc.errors(include_url=False):
            path, extra = _data_path(data, error["loc"])
            if error["type"] == "extra_forbidden" or error["type"] == "missing":
                path = (*path, *extra[-1:])
            grouped.setdefault((path, _family(error["type"])), []).append(error)
        environments = (environment,) if environment else ()
        return [
            replace(_diagnostic(model, path, errors, locate), environments=environments)
            for (path, _), errors in grouped.items()
        ]
    return []


def _data_path(data: Any, loc: Sequence[str | int]) -> tuple[KeyPath, KeyPath]:
    """Split a pydantic ``loc`` into the part that exists in ``data`` and the rest.

    Union members add tags such as ``'str'`` or ``'function-after[...]'`` to ``loc``;
    those never match the data and are dropped from the path users see.
    """
    path: list[str | int] = []
    rest: list[str | int] = []
    current = data
    for part in loc:
        in_mapping = isinstance(current, Mapping) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_mapping or in_list:
            path.append(part)
            current = current[part]
        else:
            rest.append(part)
    return tuple(path), tuple(rest)


def _family(error_type: str) -> str:
    # Union members each report their own "wrong type"; they describe one problem.
    return (
        "type"
        if error_type.endswith("_type") or error_type == "model_attributes_type"
        else error_type
    )


def _diagnostic(
    model: type[BaseModel],
    path: KeyPath,
    errors: list[Mapping[str, Any]],
    locate: Locator,
) -> Diagnostic:
    error = errors[0]
    kind = error["type"]
    key_path = dotted(path)
    if kind == "extra_forbidden":
        field = str(path[-1])
        allowed = _fields_at(model, path[:-1])
        hint = did_you_mean(field, allowed, what="fields here") if allowed else ""
        return Diagnostic(
            codes.UNKNOWN_FIELD,
            f"unknown field {field!r}",
            locate(path, True),
            key_path,
            _sentence(hint or "remove it"),
        )
    if kind == "missing":
        field = str(path[-1])
        description = _description_at(model, path)
        return Diagnostic(
            codes.MISSING_FIELD,
            f"missing required field {field!r}",
            locate(path, True),
            key_path,
            f"add `{field}:`" + (f" ({description})" if description else ""),
        )
    value = error.get("input")
    if _family(kind) == "type":
        expected = sorted(
            {_EXPECTED.get(e["type"], e["type"].removesuffix("_type")) for e in errors}
        )
        either = (
            ", ".join(expected[:-1]) + " or " + expected[-1] if len(expected) > 1 else expected[0]
        )
        return Diagnostic(
            codes.WRONG_TYPE,
            f"expected {either}, got {_type_name(value)}",
            locate(path, False),
            key_path,
            _type_hint(expected, value, model, path),
        )
    if kind == "literal_error":
        allowed = _literal_values(model, path)
        guess = closest(str(value), allowed)
        hint = f"did you mean {guess!r}?" if guess else ""
        return Diagnostic(
            codes.INVALID_VALUE,
            f"{_short(value)} is not one of " + ", ".join(repr(a) for a in allowed),
            locate(path, False),
            key_path,
            _sentence(hint),
        )
    code = {
        "bad_quantity": codes.BAD_QUANTITY,
        "invalid_combination": codes.INVALID_COMBINATION,
    }.get(kind, codes.INVALID_VALUE)
    message = error["msg"]
    if kind == "string_pattern_mismatch":
        message = f"{_short(value)} is not in the expected format"
    description = _description_at(model, path)
    hint = f"expected: {description}" if description and code is codes.INVALID_VALUE else ""
    return Diagnostic(code, _lower_first(message), locate(path, False), key_path, _sentence(hint))


_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "none_type": "nothing (null)",
}


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, (dt.date, dt.datetime)):
        return "a date"
    if isinstance(value, str):
        return "a string"  # never echo strings: they may hold something secret
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def _type_hint(expected: list[str], value: Any, model: type[BaseModel], path: KeyPath) -> str:
    numeric = {"a number", "an integer"} & set(expected)
    if "a string" in expected and isinstance(value, bool):
        return f"quote it ('{str(value).lower()}') if you mean the text"
    if "a string" in expected and not numeric and isinstance(value, (int, float, dt.date)):
        return "quote the value (e.g. '1.10') so YAML keeps it as text, not a number or date"
    if (
        numeric
        and isinstance(value, str)
        and value.strip().lstrip("-").replace(".", "", 1).isdigit()
    ):
        return "remove the quotes: this field takes a number"
    if "a list" in expected and not isinstance(value, list):
        return "write it as a list, e.g. `[item]` or one `- item` per line"
    if value is None:
        return "give it a value, or remove the key to use the default"
    description = _description_at(model, path)
    return f"expected: {_sentence(description)}" if description else ""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "...'"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else ""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _field_model(model: Any, path: KeyPath) -> Any:
    """The annotation found by walking ``path`` through nested models, lists and dicts."""
    current: Any = model
    for part in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                return None
            current = info.annotation
        elif get_origin(current) in (list, dict):
            current = get_args(current)[-1]
        else:
            return None
    return _unwrap(current)


def _unwrap(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        models = [a for a in members if isinstance(a, type) and issubclass(a, BaseModel)]
        if models:
            return models[0]
        return members[0] if len(members) == 1 else annotation
    return annotation


def _fields_at(model: type[BaseModel], path: KeyPath) -> list[str]:
    target = _field_model(model, path)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return list(target.model_fields)
    return []


def _description_at(model: type[BaseModel], path: KeyPath) -> str:
    if not path:
        return ""
    parent = _field_model(model, path[:-1])
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        info = parent.model_fields.get(str(path[-1]))
        return info.description or "" if info else ""
    return ""


def _literal_values(model: type[BaseModel], path: KeyPath) -> list[str]:
    annotation = _field_model(model, path)
    return [str(a) for a in get_args(annotation) if isinstance(a, str)]


def _unknown_kind(doc: SourceDoc, kind_name: Any) -> Diagnostic:
    expected = next(
        (k.name for k in KINDS.values() if (doc.file + "/").startswith(k.directory + "/")), None
    )
    if kind_name is None or not isinstance(kind_name, str):
        hint = f"add `kind: {expected}`" if expected else f"add `kind:` (one of {_kinds()})"
        return Diagnostic(
            codes.UNKNOWN_KIND, "missing `kind`", doc.locate(("kind",)), "kind", _sentence(hint)
        )
    guess = closest(kind_name, KINDS)
    hint = f"did you mean {guess!r}?" if guess else f"known kinds: {_kinds()}"
    return Diagnostic(
        codes.UNKNOWN_KIND,
        f"unknown kind {kind_name!r}",
        doc.locate(("kind",)),
        "kind",
        _sentence(hint),
    )


def _kinds() -> str:
    return ", ".join(sorted(KINDS))


def _unknown_api_version(doc: SourceDoc, kind: Kind, api_version: Any) -> Diagnostic:
    supported = ", ".join(kind.api_versions)
    if not isinstance(api_version, str):
        return Diagnostic(
            codes.UNKNOWN_API_VERSION,
            "missing `apiVersion`",
            doc.locate(("apiVersion",)),
            "apiVersion",
            f"Add `apiVersion: {kind.api_versions[-1]}`",
        )
    guess = closest(api_version, kind.api_versions)
    hint = f"did you mean {guess!r}?" if guess else f"{kind.name} supports: {supported}"
    return Diagnostic(
        codes.UNKNOWN_API_VERSION,
        f"apiVersion {api_version!r} is not supported for kind {kind.name}",
        doc.locate(("apiVersion",)),
        "apiVersion",
        _sentence(hint),
    )


def _wrong_directory(doc: SourceDoc, kind: Kind) -> Diagnostic:
    target = f"{kind.directory}/{PurePosixPath(doc.file).name}"
    return Diagnostic(
        codes.WRONG_DIRECTORY,
        f"{kind.name} specs belong under {kind.directory}/",
        doc.locate(("kind",)),
        "kind",
        f"Move the file to {target}, or correct `kind`",
    )
