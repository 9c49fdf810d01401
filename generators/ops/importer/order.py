"""Keys of a written spec in the order the models declare their fields."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel


def ordered(document: dict[str, Any]) -> dict[str, Any]:
    """A Service spec document with every mapping's keys in model field order."""
    from generators.spec.service import Service

    return dict(_order(document, ("model", Service)))


def _order(data: Any, shape: tuple[str, Any] | None) -> Any:
    if shape is None:
        return data
    kind, inner = shape
    if kind == "model" and isinstance(data, dict):
        out: dict[str, Any] = {}
        for name, info in inner.model_fields.items():
            key = info.alias or name
            if key in data:
                out[key] = _order(data[key], _shape(info.annotation))
        out.update((k, v) for k, v in data.items() if k not in out)
        return out
    if kind == "list" and isinstance(data, list):
        return [_order(item, inner) for item in data]
    if kind == "dict" and isinstance(data, dict):
        return {k: _order(v, inner) for k, v in data.items()}
    return data


def _shape(annotation: Any) -> tuple[str, Any] | None:
    """What a field holds, as far as key order goes: a model, a list or map of them."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _shape(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _shape(arg)
            if found is not None:
                return found
        return None
    if origin is list:
        inner = _shape(typing.get_args(annotation)[0])
        return ("list", inner) if inner is not None else None
    if origin is dict:
        inner = _shape(typing.get_args(annotation)[1])
        return ("dict", inner) if inner is not None else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("model", annotation)
    return None
