"""The service templates on disk: listing them and loading each one's validated manifest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generators.diagnostics import SpecErrors
from generators.errors import UsageError
from generators.source.load import load_file
from generators.source.pydantic_errors import validate_model
from generators.spec.template import ServiceTemplate

#: Where a platform keeps its service templates, relative to its root.
TEMPLATES_DIR = "templates/services"
MANIFEST = "template.yaml"


@dataclass(frozen=True)
class Template:
    """One template: its folder and its validated manifest."""

    directory: Path
    manifest: ServiceTemplate

    @property
    def name(self) -> str:
        """The template's name (its folder's)."""
        return self.manifest.metadata.name

    @property
    def skeleton(self) -> Path | None:
        """The starter code directory, if the template has one."""
        return self.directory / "skeleton" if self.manifest.spec.skeleton else None


def template_names(directory: Path) -> list[str]:
    """The templates under ``directory`` (folders holding a manifest), sorted."""
    if not directory.is_dir():
        return []
    return sorted(
        p.name for p in directory.iterdir() if (p / MANIFEST).is_file() and p.name[:1] != "."
    )


def list_templates(directory: Path) -> list[Template]:
    """Every template under ``directory``, loaded; a broken manifest raises SpecErrors."""
    return [load_template(directory, name) for name in template_names(directory)]


def load_template(directory: Path, name: str) -> Template:
    """The template ``name`` under ``directory``.

    Raises:
        UsageError: no such template (with the closest name).
        SpecErrors: its manifest does not validate (located in the manifest).
    """
    known = template_names(directory)
    if name not in known:
        from generators.diagnostics.suggest import did_you_mean

        raise UsageError(
            message=f"there is no service template {name!r}",
            hint=did_you_mean(name, known, what="templates"),
        )
    rel = f"{name}/{MANIFEST}"
    doc, problems = load_file(directory, rel)
    manifest: ServiceTemplate | None = None
    if doc is not None:
        manifest, problems = validate_model(
            ServiceTemplate, doc.data, lambda path, key: doc.origin(path, key=key)
        )
    if manifest is None or problems:
        raise SpecErrors(
            diagnostics=problems,
            files=1,
            root=directory,
            message=f"the template {name!r} cannot be used: its manifest has errors",
        )
    if manifest.metadata.name != name:
        raise UsageError(
            message=f"{directory / rel} names the template {manifest.metadata.name!r}",
            hint=f"set `metadata.name: {name}` (the folder's name)",
        )
    return Template(directory / name, manifest)
