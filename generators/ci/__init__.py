"""CI workflows: one GitHub Actions workflow per service whose spec has a `source`.

A service whose code lives in its own repository gets ``rendered/_ci/<service>/ci.yml``
(outside every environment's directory: Argo CD never reads it) to commit there; one
whose code lives in the platform repository gets ``.github/workflows/<service>.yml``,
which `platform render` owns (generators/pipeline.py). See docs/ci.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from generators.ci.plan import WORKFLOWS_DIR, Plan, output_path, plans
from generators.ci.workflow import text
from generators.graph import Platform


@dataclass(frozen=True)
class Workflows:
    """Rendered workflows: those for rendered/ and those for .github/workflows/."""

    #: ``{path under rendered/: text}``.
    rendered: dict[str, str]
    #: ``{file name under .github/workflows/: text}``.
    repository: dict[str, str]


def render(platform: Platform, platform_path: str = "", output_dir: str = "rendered") -> Workflows:
    """Every service's workflow, at its place; sorted by path.

    ``platform_path`` is the platform's directory in its git repository (``""`` at the
    top), ``output_dir`` the rendered tree's directory in the platform.
    """
    rendered: dict[str, str] = {}
    repository: dict[str, str] = {}
    for plan in plans(platform, platform_path):
        (repository if plan.in_repo else rendered)[output_path(plan)] = text(plan, output_dir)
    return Workflows(dict(sorted(rendered.items())), dict(sorted(repository.items())))


__all__ = ["WORKFLOWS_DIR", "Plan", "Workflows", "render"]
