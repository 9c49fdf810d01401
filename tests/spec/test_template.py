"""The service template manifest's model: every bundled template validates, every field
is described, and a bad manifest is a located error."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from generators.diagnostics import SpecErrors
from generators.ops.scaffold import TEMPLATES_DIR, load_template, template_names
from generators.spec.template import Parameter, ServiceTemplate
from tests.conftest import REPO, build_tree

TEMPLATES = REPO / TEMPLATES_DIR


def test_the_bundled_templates_are_the_four() -> None:
    assert template_names(TEMPLATES) == ["database", "go-api", "nextjs", "worker"]


@pytest.mark.parametrize("name", template_names(TEMPLATES))
def test_each_manifest_validates(name: str) -> None:
    template = load_template(TEMPLATES, name)
    assert template.manifest.parameter("name") is not None
    assert template.manifest.parameter("team") is not None
    assert template.manifest.parameter("environments") is not None


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    seen.add(model)
    for info in model.model_fields.values():
        for arg in _types(info.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in seen:
                _models(arg, seen)
    return seen


def _types(annotation: object) -> list[object]:
    from typing import get_args

    out = [annotation]
    for arg in get_args(annotation):
        out += _types(arg)
    return out


def test_every_field_has_a_description() -> None:
    missing = [
        f"{model.__name__}.{name}"
        for model in _models(ServiceTemplate, set())
        for name, info in model.model_fields.items()
        if not info.description
    ]
    assert missing == []


def test_choices_go_with_the_choice_type() -> None:
    with pytest.raises(ValueError, match="choices"):
        Parameter.model_validate({"name": "size", "type": "choice", "description": "Size."})
    with pytest.raises(ValueError, match="pattern"):
        Parameter.model_validate(
            {"name": "port", "type": "integer", "description": "Port.", "pattern": "^1$"}
        )


def test_a_bad_manifest_is_located(tmp_path: Path) -> None:
    build_tree(
        tmp_path,
        {
            "broken/template.yaml": """
                apiVersion: platform/v1
                kind: ServiceTemplate
                metadata: {name: broken, description: Broken.}
                spec:
                  parameters:
                    - name: port
                      type: integr
                      description: The port.
                  specs: {"platform/services/x.yaml": service.yaml.j2}
            """
        },
    )
    with pytest.raises(SpecErrors) as caught:
        load_template(tmp_path, "broken")
    [problem] = caught.value.diagnostics
    assert (problem.location.file, problem.location.line, problem.location.col) == (
        "broken/template.yaml",
        7,
        13,
    )
    assert problem.key_path == "spec.parameters[0].type"
    assert "'integer'" in problem.hint
