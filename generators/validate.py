"""Turns loaded documents into spec models; maps every pydantic error to its exact place."""

from __future__ import annotations

import datetime as dt
import re
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from generators import diagnostics as codes
from generators.diagnostics import Diagnostic
from generators.source import KeyPath, Origin, SourceDoc, dotted
from generators.spec import KINDS, Kind, StrictModel
from generators.suggest import closest, did_you_mean

#: Finds where a key path of the validated data was written (one file, or several
#: layers): the location, and the key path as it appears in that file.
Locator = Callable[[KeyPath, bool], Origin]


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
    errors = validation_errors(kind.model, data, lambda path, key: doc.origin(path, key=key))
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
            replace(
                _diagnostic(model, path, errors, locate, environment), environments=environments
            )
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
    environment: str,
) -> Diagnostic:
    error = errors[0]
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    description = _description_at(model, path)
    if kind == "extra_forbidden":
        field = str(path[-1])
        allowed = _fields_at(model, path[:-1])
        hint = did_you_mean(field, allowed, what="fields here") if allowed else ""
        location, where, _ = locate(path, True)
        return Diagnostic(
            codes.UNKNOWN_FIELD,
            f"unknown field {field!r}",
            location,
            dotted(where),
            _sentence(hint or "remove it"),
        )
    if kind == "missing":
        field = str(path[-1])
        location, where, present = locate(path, True)
        if present:
            # Present in a layer, yet missing after the merge: a `null` removed it.
            return Diagnostic(
                codes.MISSING_FIELD,
                f"required field {field!r} is removed by `null`",
                location,
                dotted(where),
                f"remove `{field}: null`; {field!r} is required",
            )
        hint = f"add `{field}:`" + (f" — {_unsentence(description)}" if description else "")
        return Diagnostic(
            codes.MISSING_FIELD, f"missing required field {field!r}", location, dotted(where), hint
        )
    location, where, _ = locate(path, False)
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
            location,
            dotted(where),
            _type_hint(expected, value, _is_required(model, path), description),
        )
    if kind == "literal_error":
        allowed = _literal_values(model, path)
        guess = closest(str(value), allowed)
        return Diagnostic(
            codes.INVALID_VALUE,
            f"{_short(value)} is not one of " + ", ".join(repr(a) for a in allowed),
            location,
            dotted(where),
            f"did you mean {guess!r}?" if guess else "",
        )
    if kind == "bad_quantity":
        return Diagnostic(
            codes.BAD_QUANTITY,
            error["msg"],
            location,
            dotted(where),
            "use a number with an optional suffix: m (milli), k, M, G "
            "(powers of 10) or Ki, Mi, Gi (powers of 2), e.g. 512Mi",
        )
    if kind == "invalid_combination":
        hint = (
            (
                "an environment block merges onto the service's spec: set inherited "
                "fields you do not want to `null` in that block"
            )
            if environment
            else ""
        )
        return Diagnostic(codes.INVALID_COMBINATION, error["msg"], location, dotted(where), hint)
    message, hint = _value_problem(kind, value, ctx, error["msg"])
    if not hint and description:
        hint = f"expected: {_unsentence(description)}"
    return Diagnostic(codes.INVALID_VALUE, message, location, dotted(where), _sentence(hint))


def _value_problem(kind: str, value: Any, ctx: Mapping[str, Any], fallback: str) -> tuple[str, str]:
    """Message and hint for a value of the right type that the field does not allow."""
    shown = _short(value)
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        return f"{shown} is too small: the lowest allowed is {bound}", ""
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return f"{shown} is too large: the highest allowed is {bound}", ""
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return f"needs at least {least} item{'s' if least != 1 else ''}", ""
    if kind == "string_too_short":
        return "must not be empty", ""
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters", ""
    if kind == "string_pattern_mismatch":
        message = f"{shown} is not in the expected format"
        pattern = str(ctx.get("pattern", ""))
        if isinstance(value, str) and value != value.lower() and re.match(pattern, value.lower()):
            return message, "use lowercase letters only"
        if isinstance(value, str) and value != value.strip():
            return message, "remove the surrounding spaces"
        return message, ""
    return _lower_first(fallback), ""


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


def _type_hint(expected: list[str], value: Any, required: bool, description: str) -> str:
    numeric = {"a number", "an integer"} & set(expected)
    if value is None:
        return "give it a value" if required else "give it a value, or remove the key"
    if "a string" in expected and isinstance(value, bool):
        return f"quote it ('{str(value).lower()}') if you mean the text"
    quotable = isinstance(value, (float, dt.date)) or (isinstance(value, int) and not numeric)
    if "a string" in expected and quotable:
        return (
            "put the value in quotes so YAML keeps it exactly as written "
            "(unquoted, 1.10 becomes the number 1.1)"
        )
    if "true or false" in expected and isinstance(value, str):
        return "write true or false (YAML 1.2 reads yes/no/on/off as text)"
    if numeric and isinstance(value, str):
        digits = value.strip().rstrip("%").strip()
        if digits.lstrip("-").replace(".", "", 1).isdigit():
            return "write a plain number, without quotes" + (" or %" if "%" in value else "")
    if "a list" in expected and not isinstance(value, list):
        return "write it as a list, e.g. `[item]` or one `- item` per line"
    return f"expected: {_unsentence(description)}" if description else ""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "...'"


def _unsentence(text: str) -> str:
    """A field description, as a clause inside a hint (no full stop)."""
    return text.rstrip(".")


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


def _is_required(model: type[BaseModel], path: KeyPath) -> bool:
    parent = _field_model(model, path[:-1]) if path else None
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        info = parent.model_fields.get(str(path[-1]))
        return bool(info and info.is_required())
    return False


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


def kind_of_path(rel: str) -> Kind | None:
    """The kind whose directory holds ``rel``, if any."""
    return next((k for k in KINDS.values() if rel.startswith(k.directory + "/")), None)


def _unknown_kind(doc: SourceDoc, kind_name: Any) -> Diagnostic:
    expected = getattr(kind_of_path(doc.file), "name", None)
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
