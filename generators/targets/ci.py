"""CI workflows: one GitHub Actions workflow per service whose spec has a `source`.

A service whose code lives in its own repository gets ``rendered/_ci/<service>/ci.yml``
(outside every environment's directory: Argo CD never reads it) to commit there; one
whose code lives in the platform repository gets ``.github/workflows/<service>.yml``
at the top of the repository, which `platform render` owns (generators/output/
repository.py). The workflows are built from plans (generators/domain/ci/); see
docs/ci.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from generators.domain.ci.plan import Plan, plans, workflow_path
from generators.domain.ci.workflow import text
from generators.targets.base import File, Output, Target
from generators.targets.context import PlatformContext


class CITarget(Target):
    """Renders the CI workflow of every service with a `source`, once per complete render."""

    name = "ci"

    def render_platform(self, context: PlatformContext) -> Iterator[Output]:
        """Each service's workflow at its place, by service name."""
        for plan in plans(context.platform, context.repository_path):
            yield workflow_path(plan), self.workflow(context, plan)

    def workflow(self, context: PlatformContext, plan: Plan) -> File:
        """The workflow file, with the header that says where it comes from."""
        return File(
            text(plan, context.output_dir),
            root="repository" if plan.in_repo else "output",
        )
