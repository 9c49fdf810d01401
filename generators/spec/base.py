"""Shared pieces of every spec kind: the strict base model, common field types, partials."""

from __future__ import annotations

import re
import types
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model
from pydantic_core import PydanticCustomError

from generators.spec.quantity import parse_quantity

API_VERSION = "platform/v1"


class StrictModel(BaseModel):
    """Base of every spec model: unknown keys are errors, values are never coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


def _check_quantity(value: str | float) -> str | int | float:
    if isinstance(value, bool):
        raise PydanticCustomError("bad_quantity", "expected a quantity such as 250m or 512Mi")
    try:
        parse_quantity(value)
    except ValueError:
        raise PydanticCustomError(
            "bad_quantity",
            "the value is not a Kubernetes quantity (use e.g. 250m, 0.5 or 512Mi)",
        ) from None
    return value


#: A CPU or memory amount as Kubernetes writes it.
Quantity = Annotated[
    str | int | float,
    AfterValidator(_check_quantity),
    Field(examples=["250m", "0.5", "512Mi", "2Gi"]),
]

#: A reference to another spec by its ``metadata.name``; existence is checked later.
Ref = Annotated[str, Field(min_length=1, max_length=253)]

_LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
LabelKey = Annotated[str, Field(pattern=_LABEL_KEY.pattern, max_length=316)]
LabelValue = Annotated[
    str, Field(pattern=r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$", max_length=63)
]


class SecretRef(StrictModel):
    """A value kept in a secret, never written into a spec."""

    secret: Ref = Field(description="Name of the secret that holds the value.")
    key: str = Field(min_length=1, description="Key inside that secret.")


@dataclass(frozen=True)
class Kind:
    """How one spec kind is found, named and validated (an entry of the registry)."""

    name: str
    model: type[StrictModel]
    directory: str
    api_versions: tuple[str, ...] = (API_VERSION,)

    @property
    def schema_file(self) -> str:
        """File name of the kind's JSON Schema under ``schemas/``."""
        return f"{self.name.lower()}.schema.json"


@cache
def partial(model: type[StrictModel]) -> type[StrictModel]:
    """A copy of ``model`` where every field, at every depth, is optional.

    Override blocks are deep-merged onto the full spec, so each of their fields may be
    given alone; the merged result is then checked against the full model. Lists are
    kept whole because a list in an override replaces the base list.
    """
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation = _partial_annotation(info.annotation)
        if info.metadata:  # keep constraints (patterns, bounds) for the IDE schema
            annotation = Annotated[annotation, *info.metadata]
        fields[name] = (
            annotation | None,
            Field(default=None, description=info.description, alias=info.alias),
        )
    doc = f"Override of {model.__name__}: every field optional, merged onto the spec."
    return create_model(f"{model.__name__}Override", __base__=StrictModel, __doc__=doc, **fields)


def _partial_annotation(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, StrictModel):
        return partial(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        args = tuple(_partial_annotation(arg) for arg in get_args(annotation))
        out = args[0]
        for arg in args[1:]:
            out = out | arg
        return out
    if get_origin(annotation) is dict:
        # `null` for an entry removes it from the merged map (generators/model/layers.py).
        key, value = get_args(annotation)
        return dict[key, _partial_annotation(value) | None]  # type: ignore[valid-type,misc]
    return annotation
