"""`platform diff`: compile the specs at a git revision and the working tree, and compare.

The base is read straight from git's object database (pygit2): its spec directories
are written to a temporary directory, never checked out, so the working tree is left
exactly as it is and a CI clone needs only the base commit's objects.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from generators.diagnostics import Diagnostic, Severity, SpecErrors, codes
from generators.diagnostics.suggest import did_you_mean
from generators.diff import costs, impact, lifecycle, promotions
from generators.diff.objects import TreeDiff, diff_objects, differing, objects
from generators.domain.cost import Line, estimate
from generators.domain.layout import PLATFORM_WIDE, WORKFLOWS_DIR, place
from generators.errors import UsageError
from generators.pipeline import Rendering, render_platform
from generators.source import git
from generators.source.discover import SOURCE_TOPS

#: Errors that depend on the day, not on the specs: a base committed when its secrets
#: were in date is still rendered (the working tree is held to them as usual).
DATED = frozenset({codes.ROTATION_OVERDUE.id})


@dataclass(frozen=True)
class Side:
    """One compiled side of a diff."""

    label: str
    commit: str | None
    tree: Mapping[str, bytes]
    #: The side's errors when its specs do not validate (its tree is then empty).
    errors: tuple[Diagnostic, ...] = ()
    #: Its monthly cost estimate, a line per service and integration per environment.
    costs: tuple[Line, ...] = ()
    #: Its teams' budgets: team -> (monthly, currency).
    budgets: Mapping[str, tuple[Decimal, str]] = field(default_factory=dict)
    #: Each service's lifecycle stage.
    stages: Mapping[str, str] = field(default_factory=dict)
    #: Its spec files' digests and its environments' pins (for PL314).
    specs: promotions.Specs = field(default_factory=promotions.Specs)


@dataclass(frozen=True)
class Diff:
    """The comparison, limited to the environments asked for."""

    base: Side
    head: Side
    environments: tuple[str, ...]
    changes: TreeDiff
    findings: list[impact.Finding] = field(default_factory=list)
    #: Environment -> requests (before, after) of the files that differ: their difference
    #: is the environment's, since unchanged files cancel out.
    requests: dict[str, tuple[impact.Requests, impact.Requests]] = field(default_factory=dict)
    #: The monthly cost delta of what changes, and the budgets it crosses.
    cost: costs.CostDiff = field(default_factory=costs.CostDiff)

    @property
    def empty(self) -> bool:
        """Whether nothing changes."""
        return not self.changes.changes


def compile_base(root: Path, ref: str | None) -> Side:
    """Render every environment of ``ref`` (default: the merge-base with the default branch).

    Raises:
        UsageError: outside git, or when the revision is not in this clone.
    """
    opened = git.open_repository(root)
    if opened is None:
        raise UsageError(
            message=f"{root} is not in a git repository",
            hint="run `platform diff` inside the platform repository's clone",
        )
    repo, prefix = opened
    if ref is None:
        commit, how = git.default_base(repo)
    else:
        commit, how = git.resolve(repo, ref), ref
    sha = str(commit.id)
    label = f"{sha[:12]} ({how})" if how != sha else sha[:12]
    with tempfile.TemporaryDirectory(prefix="platform-base-") as tmp:
        git.export(repo, commit, prefix, SOURCE_TOPS, Path(tmp))
        rendering = render_platform(Path(tmp), prefix=prefix, tolerate=DATED)
        errors = tuple(
            d
            for d in rendering.validation.diagnostics
            if d.level is Severity.ERROR and d.code.id not in DATED
        )
        if errors:
            return Side(label, sha, {}, errors)
        return _side(label, sha, rendering, Path(tmp))


def _side(label: str, commit: str | None, rendering: Rendering, root: Path) -> Side:
    validation = rendering.validation
    stages = lifecycle.stages(validation.platform)
    specs = promotions.read(root, validation.files, validation.platform)
    return Side(label, commit, _with_workflows(rendering), (), *_costs(rendering), stages, specs)


def _costs(rendering: Rendering) -> tuple[tuple[Line, ...], dict[str, tuple[Decimal, str]]]:
    """A side's cost lines and its teams' budgets."""
    platform = rendering.validation.platform
    budgets = {
        name: (Decimal(str(team.spec.budget.monthly)), team.spec.budget.currency)
        for name, (_, team) in platform.teams.items()
        if team.spec.budget is not None
    }
    return tuple(estimate(platform)), budgets


def _with_workflows(rendering: Rendering) -> dict[str, bytes]:
    """The rendered tree, plus the repository's generated workflows (platform-wide)."""
    tree = dict(rendering.tree)
    tree.update((f"{WORKFLOWS_DIR}/{name}", data) for name, data in rendering.workflows.items())
    return tree


def compare(root: Path, base: str | None = None, environments: Sequence[str] = ()) -> Diff:
    """Compare the base revision with the working tree, per environment.

    Raises:
        UsageError: for an unknown environment, outside git, or a revision not here.
        SpecErrors: when the working tree's specs have errors.
    """
    rendering = render_platform(root)
    rendering.validation.require_valid("Nothing to compare: fix the errors above first.")
    head = _side("working tree", None, rendering, root)
    before_side = compile_base(root, base)
    platform = rendering.validation.platform
    refused = (
        *lifecycle.moves(before_side.stages, platform),
        *promotions.alone(before_side.specs, head.specs, platform),
    )
    if refused:  # as validation errors would be: the PR comment lists them
        raise SpecErrors(
            diagnostics=tuple(sorted(refused, key=Diagnostic.sort_key)),
            files=len(rendering.validation.files),
            root=root,
            message="This change breaks a rule of pull requests (docs/pull-requests.md).",
        )
    # Paths say which environments and apps exist; only differing files are parsed.
    apps_before = {place(p) for p in before_side.tree}
    apps_after = {place(p) for p in head.tree}
    known = sorted({env for env, _ in apps_before | apps_after if env != PLATFORM_WIDE})
    for env in environments:
        if env not in known:
            raise UsageError(
                message=f"unknown environment {env!r}",
                hint=did_you_mean(env, known, what="environments"),
            )
    # Platform-wide files (per-service CI workflows) belong to every environment's review.
    chosen = (
        (*sorted(set(environments)), PLATFORM_WIDE) if environments else (*known, PLATFORM_WIDE)
    )
    old, new = differing(_only(before_side.tree, chosen), _only(head.tree, chosen))
    before, after = objects(old), objects(new)
    changes = diff_objects(before, after)
    # Requests of the changed files on each side: the unchanged ones cancel out.
    was, now = impact.requests(before), impact.requests(after)
    requests = {
        env: (was.get(env, impact.Requests()), now.get(env, impact.Requests())) for env in chosen
    }
    found = impact.findings(
        changes,
        {a for a in apps_before if a[0] in chosen},
        {a for a in apps_after if a[0] in chosen},
    )
    cost = costs.compare(before_side.costs, head.costs, chosen, head.budgets, before_side.budgets)
    return Diff(before_side, head, chosen, changes, found, requests, cost)


def _only(tree: Mapping[str, bytes], environments: Sequence[str]) -> dict[str, bytes]:
    wanted = set(environments)
    return {path: data for path, data in tree.items() if place(path)[0] in wanted}
