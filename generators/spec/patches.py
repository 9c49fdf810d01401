"""The escape hatch of a Service spec: patches applied to its rendered Kubernetes objects."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from generators.spec.base import StrictModel

#: A patch's name: the key it is written under in `patches`.
PatchName = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63)]


class PatchTarget(StrictModel):
    """Which rendered object a patch applies to."""

    kind: str = Field(
        pattern=r"^[A-Z][A-Za-z0-9]*$",
        description="Kind of the object, e.g. `Deployment`, `Service`, `NetworkPolicy`.",
    )
    name: str | None = Field(
        default=None,
        description="Name of the object; default the service's name (most objects of a "
        "service are named after it; e.g. its egress policy is `<service>-egress`).",
    )


class Operation(StrictModel):
    """One JSON Patch operation (RFC 6902)."""

    op: Literal["add", "remove", "replace", "move", "copy", "test"] = Field(
        description="What to do at `path`."
    )
    path: str = Field(
        pattern=r"^(/.*)?$",
        description="A JSON Pointer (RFC 6901) into the object, e.g. "
        "`/spec/template/spec/hostAliases`; `~1` stands for '/' in a key.",
    )
    value: Any = Field(default=None, description="The value, for add, replace and test.")
    from_: str | None = Field(
        default=None,
        alias="from",
        pattern=r"^(/.*)?$",
        description="The source pointer, for move and copy.",
    )

    @model_validator(mode="after")
    def _operands(self) -> Self:
        if self.op in ("move", "copy") and self.from_ is None:
            raise PydanticCustomError("invalid_combination", "`{op}` needs `from`", {"op": self.op})
        if self.op in ("add", "replace", "test") and "value" not in self.model_fields_set:
            raise PydanticCustomError(
                "invalid_combination", "`{op}` needs `value`", {"op": self.op}
            )
        return self

    def as_json(self) -> dict[str, Any]:
        """The operation as the jsonpatch package takes it."""
        out: dict[str, Any] = {"op": self.op, "path": self.path}
        if self.op in ("add", "replace", "test"):
            out["value"] = self.value
        if self.from_ is not None:
            out["from"] = self.from_
        return out


class Patch(StrictModel):
    """A change to one rendered object: a JSON Patch, or a partial object merged onto it.

    Prefer a spec field where one exists: fields are checked against each other and
    carried through promotion; a patch is checked only against the Kubernetes schema.
    """

    target: PatchTarget = Field(description="The object to patch.")
    jsonPatch: list[Operation] | None = Field(
        default=None, description="RFC 6902 operations, applied in order."
    )
    merge: dict[str, Any] | None = Field(
        default=None,
        description="A partial object merged strategic-merge style: maps merge, lists of "
        "named items (containers, volumes, env, ports) merge by name, other lists replace, "
        "`null` removes a key, and `$patch: delete` in a list item removes that item.",
    )
    reason: str = Field(
        default="", description="Why the patch is needed (shown in review and in `import`)."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.jsonPatch is None) == (self.merge is None):
            raise PydanticCustomError(
                "invalid_combination", "a patch needs exactly one of `jsonPatch` or `merge`"
            )
        return self
