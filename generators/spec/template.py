"""A service template's manifest (`templates/services/<name>/template.yaml`) and its parameters."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from generators.spec.base import StrictModel
from generators.spec.ci import Stack
from generators.spec.pods import ResourceAmounts

#: What a parameter's answer is, and what it is checked against.
ParameterType = Literal[
    "string",
    "integer",
    "boolean",
    "choice",
    "quantity",
    "name",
    "team",
    "environments",
    "services",
    "integrations",
    "secret",
]
#: Types whose answer is a list of names.
LIST_TYPES = frozenset({"environments", "services", "integrations"})
#: A parameter's name: what answers files and `--set` use, and what templates read.
ParameterName = Annotated[str, Field(pattern=r"^[a-z][A-Za-z0-9]*$", max_length=40)]
Answer = str | int | bool | list[str] | None
PresetName = Literal["S", "M", "L"]


class Parameter(StrictModel):
    """One question a template asks: its type, default and the rules an answer must meet."""

    name: ParameterName = Field(description="Parameter name, e.g. `port` (camelCase).")
    type: ParameterType = Field(
        description="`string`, `integer`, `boolean`, `choice` (one of `choices`), `quantity` "
        "(a Kubernetes CPU or memory amount), `name` (a new service's name: a DNS-1035 "
        "label no service has), `team` (an existing team), `environments` (unprotected "
        "environments), `services` (existing services), `integrations` (integration "
        "instances), `secret` (an existing Secret spec, or empty for none)."
    )
    description: str = Field(min_length=1, description="The question, as the wizard asks it.")
    default: Answer = Field(
        default=None,
        description="The answer when none is given; a string may use `{{ other }}` to "
        "refer to an earlier parameter's answer. `environments` defaults to the "
        "unprotected ones when omitted.",
    )
    required: bool = Field(
        default=False, description="An answer must be given (there is no usable default)."
    )
    pattern: str | None = Field(
        default=None, description="`string`: a regular expression the whole answer matches."
    )
    maxLength: int | None = Field(
        default=None, ge=1, description="`string`, `name`: the most characters an answer has."
    )
    minimum: int | None = Field(default=None, description="`integer`: the lowest answer.")
    maximum: int | None = Field(default=None, description="`integer`: the highest answer.")
    choices: list[str] = Field(
        default_factory=list, description="`choice`: the answers allowed, in the order shown."
    )

    @model_validator(mode="after")
    def _fits_type(self) -> Self:
        if (self.type == "choice") != bool(self.choices):
            raise PydanticCustomError(
                "invalid_combination", "`choices` is given exactly when the type is `choice`"
            )
        if self.pattern is not None and self.type != "string":
            raise PydanticCustomError("invalid_combination", "`pattern` is for `string` only")
        return self


class Preset(StrictModel):
    """A resource preset (S, M, L): the requests and limits it stands for."""

    requests: ResourceAmounts = Field(description="CPU and memory the scheduler reserves.")
    limits: ResourceAmounts = Field(description="CPU and memory caps.")


class TemplateSpec(StrictModel):
    """What a template generates, and the questions it asks first."""

    stack: Stack | None = Field(
        default=None,
        description="The skeleton's stack (the generated CI workflow's); none when the "
        "template writes specs only.",
    )
    parameters: list[Parameter] = Field(
        min_length=1, description="The questions, in the order asked; answers see earlier ones."
    )
    presets: dict[PresetName, Preset] = Field(
        default_factory=dict,
        description="Resource presets a `resources` choice parameter picks from (S, M, L).",
    )
    specs: dict[str, str] = Field(
        min_length=1,
        description="Spec files written into the platform: output path (may use "
        "`{{ name }}`) to the jinja2 template file in the template's folder.",
    )
    skeleton: bool = Field(
        default=True,
        description="Whether the template has a starter code `skeleton/` directory.",
    )


class TemplateMetadata(StrictModel):
    """A template's name and what it is for."""

    name: str = Field(pattern=r"^[a-z][-a-z0-9]*$", description="Template name: the folder's name.")
    description: str = Field(min_length=1, description="One paragraph: what the template makes.")


class ServiceTemplate(StrictModel):
    """A service template manifest: `templates/services/<name>/template.yaml`."""

    apiVersion: Literal["platform/v1"] = Field(description="Manifest format version.")
    kind: Literal["ServiceTemplate"] = Field(description="Always `ServiceTemplate`.")
    metadata: TemplateMetadata = Field(description="Name and description.")
    spec: TemplateSpec = Field(description="Parameters, presets, specs and skeleton.")

    @model_validator(mode="after")
    def _unique_parameters(self) -> Self:
        names = [p.name for p in self.spec.parameters]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise PydanticCustomError(
                "invalid_combination",
                "parameters named twice: {names}",
                {"names": ", ".join(twice)},
            )
        return self

    def parameter(self, name: str) -> Parameter | None:
        """The parameter of that name, if the template has one."""
        return next((p for p in self.spec.parameters if p.name == name), None)
