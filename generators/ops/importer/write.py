"""The imported specs validated with the platform in memory, then written atomically."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from generators.errors import UsageError
from generators.ops import roundtrip
from generators.ops.importer.mapping import import_manifests
from generators.ops.importer.report import Report


@dataclass(frozen=True)
class Outcome:
    """What an import did: its report, the spec texts, and what validation printed."""

    report: Report
    specs: dict[str, str]
    #: The problems validation found, as `platform validate` prints them ("" if none).
    diagnostics: str


def run_import(
    root: Path,
    paths: Sequence[Path],
    *,
    team: str | None,
    lifecycle: str = "production",
    dry_run: bool = False,
    force: bool = False,
    color: bool = False,
) -> Outcome:
    """Import the manifests into the platform at ``root``: validate, then write the specs.

    Nothing is written on a dry run, or when the platform with the new specs has errors
    (the outcome's report counts them). Each spec is written atomically.

    Raises:
        UsageError: for input that cannot be imported, or a spec file that exists
            already (without ``force``).
    """
    from generators import pipeline
    from generators.diagnostics import formats

    services = root / "platform" / "services"
    known = sorted(p.stem for p in services.glob("*.yaml")) if services.is_dir() else []
    imports = import_manifests(paths, team=team, lifecycle=lifecycle, known=known)
    existing = sorted(path for path in imports.specs if (root / path).exists())
    if existing and not force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise UsageError(
            message=f"{existing[0]} exists already{more}; nothing was written",
            hint="pass --force to overwrite, or leave that workload out of the import",
        )
    # The new specs as text beside the platform's files: nothing is written yet.
    validation = pipeline.validate_platform(root, overlay=imports.specs)
    shown = ""
    if validation.diagnostics:
        shown = formats.render(
            validation.diagnostics,
            fmt="human",
            root=root,
            files=len(validation.files),
            color=color,
            sources=imports.specs,  # their lines, as they would be written
        )
    report = replace(
        imports.report,
        dry_run=dry_run,
        errors=validation.errors,
        warnings=validation.warnings,
    )
    if validation.errors or dry_run:
        return Outcome(report, imports.specs, shown)
    for path, text in sorted(imports.specs.items()):
        roundtrip.write(root / path, text)
    return Outcome(replace(report, written=tuple(sorted(imports.specs))), imports.specs, shown)
