"""The bundled example platform: valid, and a tour of every field of every kind."""

from __future__ import annotations

import datetime as dt
import types
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from generators import pipeline
from generators.spec import KINDS
from tests.conftest import REPO


def model_fields(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every field path of ``model``; override blocks count as one field."""
    found = set()
    for field, info in model.model_fields.items():
        name = info.alias or field  # as written in YAML (`for`, not `for_`)
        path = f"{prefix}{name}"
        found.add(path)
        nested = _nested(info.annotation)
        if nested is not None and not nested.__name__.endswith("Override"):
            found |= model_fields(nested, path + ".")
    return found


def used_fields(model: type[BaseModel], data: Any, prefix: str = "") -> set[str]:
    found = set()
    for field, info in model.model_fields.items():
        name = info.alias or field
        if not isinstance(data, dict) or name not in data:
            continue
        path = f"{prefix}{name}"
        found.add(path)
        nested = _nested(info.annotation)
        if nested is None or nested.__name__.endswith("Override"):
            continue
        value = data[name]
        items = value if isinstance(value, list) else [value]
        if get_origin(_strip_none(info.annotation)) is dict:
            items = list(value.values())
        for item in items:
            found |= used_fields(nested, item, path + ".")
    return found


def _strip_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return members[0] if len(members) == 1 else annotation
    return annotation


def _nested(annotation: Any) -> type[BaseModel] | None:
    annotation = _strip_none(annotation)
    if get_origin(annotation) in (list, dict):
        annotation = _strip_none(get_args(annotation)[-1])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


RESULT = pipeline.validate_platform(REPO, on=dt.date(2026, 11, 28))  # the example's dates


def test_example_is_valid_without_warnings() -> None:
    assert RESULT.diagnostics == ()
    assert len(RESULT.platform.teams) >= 2
    assert len(RESULT.platform.services) >= 6
    assert set(RESULT.platform.environments) == {"dev", "staging", "production"}


def test_example_has_every_workload_type() -> None:
    types_ = {svc.spec.type for _, svc in RESULT.platform.services.values()}
    assert types_ == {"web", "worker", "cron", "job"}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_example_uses_every_field(kind: str) -> None:
    model = KINDS[kind].model
    used: set[str] = set()
    for doc in RESULT.platform.documents:
        if doc.kind.name == kind:
            used |= used_fields(model, doc.source.data)
    assert sorted(_probe_kinds(model_fields(model)) - _probe_kinds(used)) == []


def _probe_kinds(paths: set[str]) -> set[str]:
    """Probe fields count once for liveness, readiness and startup together."""
    out = set()
    for path in paths:
        for stage in (".liveness", ".readiness", ".startup"):
            path = path.replace(stage, ".<probe>")
        out.add(path)
    return out
