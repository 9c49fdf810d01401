"""CI workflows: one per service whose spec has a `source`, and the protected review gate.

A service whose code lives in its own repository gets ``rendered/_ci/<service>/ci.yml``
(outside every environment's directory: Argo CD never reads it) to commit there; one
whose code lives in the platform repository gets ``.github/workflows/<service>.yml``
at the top of the repository, which `platform render` owns (generators/output/
repository.py). The workflows are built from plans (generators/domain/ci/); see
docs/ci.md. With a protected environment, ``.github/workflows/platform.protected.yml``
holds a pull request changing one for a required reviewer (generators/domain/ci/review.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from generators.domain.ci import review
from generators.domain.ci.plan import Plan, plans, workflow_path
from generators.domain.ci.workflow import text
from generators.targets.base import File, Output, Target
from generators.targets.context import PlatformContext


class CITarget(Target):
    """Renders the CI workflow of every service with a `source`, once per complete render."""

    name = "ci"

    def render_platform(self, context: PlatformContext) -> Iterator[Output]:
        """Each service's workflow at its place, by service name; then the review gate."""
        for plan in plans(context.platform, context.repository_path):
            yield workflow_path(plan), self.workflow(context, plan)
        gate = self.review(context)
        if gate is not None:
            yield review.REVIEW_WORKFLOW, gate

    def review(self, context: PlatformContext) -> File | None:
        """The workflow that holds a change to a protected environment for its reviewers."""
        flow = review.text(context.platform, context.repository_path, context.output_dir)
        return None if flow is None else File(flow, root="repository")

    def workflow(self, context: PlatformContext, plan: Plan) -> File:
        """The workflow file, with the header that says where it comes from."""
        return File(
            text(plan, context.output_dir),
            root="repository" if plan.in_repo else "output",
        )
