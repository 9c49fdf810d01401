"""A platform's spec directories copied aside, to validate a change before writing it."""

from __future__ import annotations

import shutil
from pathlib import Path

from generators.errors import UsageError
from generators.ops import roundtrip
from generators.source.discover import SOURCE_TOPS


def copy_platform(root: Path, stage: Path) -> None:
    """The spec directories, and sealing certificates kept elsewhere in the repository."""
    for top in SOURCE_TOPS:
        if (root / top).is_dir():
            shutil.copytree(root / top, stage / top, symlinks=True)
    for env in sorted((root / "environments").glob("*.y*ml")):
        try:
            spec = (roundtrip.parse(env.read_text(encoding="utf-8")) or {}).get("spec") or {}
        except (UsageError, OSError, UnicodeDecodeError, AttributeError):
            continue  # validation reports the file
        sealing = (
            ((spec.get("secrets") or {}).get("sealing") or {}) if isinstance(spec, dict) else {}
        )
        certificate = sealing.get("certificate") if isinstance(sealing, dict) else None
        if not isinstance(certificate, str):
            continue
        source, target = root / certificate, stage / certificate
        if (
            source.is_file()
            and not target.exists()
            and source.resolve().is_relative_to(root.resolve())
        ):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
