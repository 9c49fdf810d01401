"""Maps every pydantic validation error to its exact place, in words users can act on."""

from __future__ import annotations

import datetime as dt
import re
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from generators.diagnostics import Diagnostic, codes
from generators.diagnostics.suggest import closest, did_you_mean
from generators.source.located import KeyPath, Origin, dotted

#: Finds where a key path of the validated data was written (one file, or several
#: layers): the location, and the key path as it appears in that file.
Locator = Callable[[KeyPath, bool], Origin]


M = TypeVar("M", bound=BaseModel)


def validate_model(
    model: type[M], data: Any, locate: Locator, *, environment: str = ""
) -> tuple[M | None, list[Diagnostic]]:
    """Validate ``data``: the model, or ``None`` and one located diagnostic per problem.

    Args:
        model: the pydantic model to validate against.
        data: plain data as loaded.
        locate: maps a key path of ``data`` to a file location.
        environment: the environment ``data`` was resolved for, if any.
    """
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        grouped: dict[tuple[KeyPath, str], list[Mapping[str, Any]]] = {}
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            if _family(error["type"]) == "type" and loc and _is_union_tag(loc[-1]):
                loc = loc[:-1]  # a union member's tag, even if the data has such a key
            path, extra = _data_path(data, loc)
            missing_key = error["type"] in ("extra_forbidden", "missing")
            if missing_key and extra and extra[-1] == loc[-1]:
                path = (*path, extra[-1])
            family = "key" if "[key]" in extra else _family(error["type"])
            grouped.setdefault((path, family), []).append(error)
        environments = (environment,) if environment else ()
        return None, [
            replace(
                _key_diagnostic(model, path, errors[0], locate)
                if family == "key"
                else _diagnostic(model, path, errors, locate, environment),
                environments=environments,
            )
            for (path, family), errors in grouped.items()
        ]


def _is_union_tag(part: str | int) -> bool:
    return isinstance(part, str) and (part in _UNION_TAGS or "[" in part)


_UNION_TAGS = {"str", "int", "float", "bool", "none", "list", "dict"}


def _key_diagnostic(
    model: type[BaseModel], path: KeyPath, error: Mapping[str, Any], locate: Locator
) -> Diagnostic:
    """A mapping key that the field does not accept (e.g. an env var name)."""
    location, where, _ = locate(path, True)
    description = _description_at(model, path[:-1])
    pattern = (error.get("ctx") or {}).get("pattern", "")
    rule = "letters, digits and '_', not starting with a digit" if "A-Za-z_" in pattern else ""
    hint = f"names here are {rule}" if rule else (f"expected: {description}" if description else "")
    return Diagnostic(
        codes.INVALID_VALUE,
        f"{str(path[-1])[:40]!r} is not a valid name here",
        location,
        dotted(where),
        hint,
    )


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
        whole = path[:-3]  # `spec` of `spec.environments.<env>.<field>`
        if len(path) >= 3 and path[-3] == "environments" and field in _fields_at(model, whole):
            hint = f"`{field}` cannot differ per environment: set it under `{dotted(whole)}`"
        location, where, _ = locate(path, True)
        return Diagnostic(
            codes.UNKNOWN_FIELD,
            f"unknown field {field!r}",
            location,
            dotted(where),
            hint or "remove it",
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
            error["msg"].replace("the value", f"the {_field_label(path)} value", 1),
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
    message = message.replace("the value", f"the {_field_label(path)} value", 1)
    if not hint and description:
        hint = f"expected: {_unsentence(description)}"
    return Diagnostic(codes.INVALID_VALUE, message, location, dotted(where), hint)


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
        # The value itself is not repeated: it may be a secret pasted in the wrong place.
        message = "the value is not in the expected format"
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


def _field_label(path: KeyPath) -> str:
    """The name of the field a path ends in (list items take their list's name)."""
    return next((str(p) for p in reversed(path) if isinstance(p, str)), "")


def _short(value: Any) -> str:
    if isinstance(value, str) and len(value) > 24:
        return "the value"  # long text may be a secret pasted in the wrong place
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "...'"


def _unsentence(text: str) -> str:
    """A field description, as a clause inside a hint (no full stop)."""
    return text.rstrip(".")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _field_model(model: Any, path: KeyPath) -> Any:
    """The annotation found by walking ``path`` through nested models, lists and dicts."""
    current: Any = model
    for part in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = _field_info(current, part)
            if info is None:
                return None
            current = info.annotation
        elif get_origin(current) in (list, dict):
            current = get_args(current)[-1]
        else:
            return None
    return _unwrap(current)


def _field_info(model: type[BaseModel], key: str | int) -> Any:
    """A field by the key written in the data: its alias where it has one (`class`)."""
    fields = model.model_fields
    return next((info for name, info in fields.items() if (info.alias or name) == str(key)), None)


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:  # a discriminated union, a tagged member
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        members = [_unwrap(a) for a in get_args(annotation) if a is not type(None)]
        models = [a for a in members if isinstance(a, type) and issubclass(a, BaseModel)]
        if models:
            return models[0]
        return members[0] if len(members) == 1 else annotation
    return annotation


def _is_required(model: type[BaseModel], path: KeyPath) -> bool:
    parent = _field_model(model, path[:-1]) if path else None
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        info = _field_info(parent, path[-1])
        return bool(info and info.is_required())
    return False


def _fields_at(model: type[BaseModel], path: KeyPath) -> list[str]:
    target = _field_model(model, path)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return [info.alias or name for name, info in target.model_fields.items()]
    return []


def _description_at(model: type[BaseModel], path: KeyPath) -> str:
    if not path:
        return ""
    parent = _field_model(model, path[:-1])
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        info = _field_info(parent, path[-1])
        return info.description or "" if info else ""
    return ""


def _literal_values(model: type[BaseModel], path: KeyPath) -> list[str]:
    annotation = _field_model(model, path)
    return [str(a) for a in get_args(annotation) if isinstance(a, str)]
