"""The compiler's stages in order, as data: spec files in, a rendered tree (path -> bytes) out.

    load → parse → resolve → check → verify → generate

Each stage is a function from the run so far to the run with its part added
(:data:`STAGES`); validating is every stage but the last. Nothing here writes: the tree
is data, which generators/output/ writes or checks and generators/diff/ compares.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from generators import emit, workers
from generators.checks import run_checks
from generators.diagnostics import Diagnostic, Severity, SpecErrors, merge_environments
from generators.diagnostics.suggest import did_you_mean
from generators.domain.layout import OUTPUT_DIR, WORKFLOWS_DIR, environment_prefixes
from generators.domain.secrets.certificates import load_certificates
from generators.errors import UsageError
from generators.model.clock import today
from generators.model.platform import Platform, build_platform
from generators.source.discover import discover, load_all, repository_path
from generators.source.documents import Parsed, kind_of_path, parse_document
from generators.source.located import SourceDoc

if TYPE_CHECKING:  # the targets load only when a run renders (a hook's validate never does)
    from generators.targets import File
    from generators.targets.context import PlatformContext


#: Parse results by (path, text): see :attr:`Run.memo`.
Memo = dict[tuple[str, str], tuple[Parsed | None, tuple[Diagnostic, ...]]]


@dataclass(frozen=True)
class Run:
    """One run through the stages: what was asked, and what each stage has added so far."""

    root: Path
    files: tuple[str, ...]
    #: The day dates are judged against (secrets' rotation, silences).
    today: dt.date
    #: What to render: these environments (``--env``); all of them when ``complete``.
    environments: tuple[str, ...] = ()
    complete: bool = True
    #: The platform's directory in its git repository (``""`` at the top).
    repository_path: str = ""
    #: Error codes that do not stop the render (see :func:`render_platform`).
    tolerate: frozenset[str] = frozenset()
    #: Spec files given as text instead of read from disk: a change checked before it
    #: is written (`platform new`). A path here is part of the run, on disk or not.
    overlay: Mapping[str, str] = field(default_factory=dict)
    #: Parse results by (path, text), shared by the runs of one command that reads the
    #: platform twice (`platform new`: its answers' facts, then the platform with them).
    memo: Memo | None = field(default=None, compare=False, repr=False)
    #: load: every file's document (None where it could not be read).
    loaded: tuple[SourceDoc | None, ...] = ()
    #: parse: documents with a readable envelope; (kind, name) guessed for the others.
    parsed: tuple[Parsed, ...] = ()
    unreadable: tuple[tuple[str, str], ...] = ()
    #: resolve: the platform model.
    platform: Platform = field(default_factory=lambda: Platform(documents=()))
    #: Every problem found so far; after check, merged and in reading order.
    diagnostics: tuple[Diagnostic, ...] = ()
    #: generate: ``{path under rendered/: bytes}``, and the repository's workflows by name.
    tree: Mapping[str, bytes] = field(default_factory=dict)
    workflows: Mapping[str, bytes] = field(default_factory=dict)


def load(run: Run) -> Run:
    """Read every spec file into located plain data (generators/source/)."""
    from_disk = [rel for rel in run.files if rel not in run.overlay]
    read = dict(zip(from_disk, load_all(run.root, from_disk), strict=True))
    if run.overlay:
        from generators.source.load import load_text

        for rel, text in run.overlay.items():
            read[rel] = load_text(rel, text.encode("utf-8"))
    loaded = [read[rel] for rel in run.files]
    problems = tuple(problem for _, found in loaded for problem in found)
    return replace(run, loaded=tuple(doc for doc, _ in loaded), diagnostics=problems)


def parse(run: Run) -> Run:
    """Read each document's envelope and validate it against its kind's model; index them."""
    parsed: list[Parsed] = []
    unreadable: list[tuple[str, str]] = []
    found = list(run.diagnostics)
    for rel, doc in zip(run.files, run.loaded, strict=True):
        document = None
        if doc is not None:
            document, problems = _parse_document(run, doc)
            found += problems
        if document is not None:
            parsed.append(document)
        elif (kind := kind_of_path(rel)) is not None:
            unreadable.append((kind.name, PurePosixPath(rel).stem))
    return replace(
        run,
        parsed=tuple(parsed),
        unreadable=tuple(unreadable),
        # The specs indexed, no service resolved yet: enough for facts (`platform new`).
        platform=Platform(documents=tuple(parsed), unreadable=frozenset(unreadable)),
        diagnostics=tuple(found),
    )


def _parse_document(run: Run, doc: SourceDoc) -> tuple[Parsed | None, tuple[Diagnostic, ...]]:
    """A document parsed, or its parse from an earlier run of the same command."""
    if run.memo is None:
        document, problems = parse_document(doc)
        return document, tuple(problems)
    key = (doc.file, doc.text)
    if key not in run.memo:
        document, problems = parse_document(doc)
        run.memo[key] = (document, tuple(problems))
    return run.memo[key]


def resolve(run: Run) -> Run:
    """Index the specs and resolve every service in every environment (generators/model/)."""
    platform, problems = build_platform(run.parsed, run.unreadable)
    platform = replace(
        platform, today=run.today, certificates=load_certificates(run.root, platform)
    )
    return replace(run, platform=platform, diagnostics=(*run.diagnostics, *problems))


def check(run: Run) -> Run:
    """Run every cross-reference check; fold per-environment copies; order for reading."""
    found = [*run.diagnostics, *run_checks(run.platform)]
    merged = merge_environments(found, set(run.platform.environments))
    return replace(run, diagnostics=tuple(sorted(merged, key=Diagnostic.sort_key)))


def verify(run: Run) -> Run:
    """Apply each service's `patches` to its rendered objects and check the result strictly.

    Patches change rendered objects, so they are checked on a platform that renders:
    this stage runs when the earlier ones found no error, and only builds what is patched.
    """
    if _blocked(run) or not any(r.workload.patches for r in run.platform.resolved.values()):
        return run
    from generators.targets.kubernetes import verify_patches

    found = merge_environments(verify_patches(run.platform), set(run.platform.environments))
    merged = sorted((*run.diagnostics, *found), key=Diagnostic.sort_key)
    return replace(run, diagnostics=tuple(merged))


def _blocked(run: Run) -> bool:
    """Whether an error (other than the tolerated ones) stops the run before rendering."""
    return any(d.level is Severity.ERROR and d.code.id not in run.tolerate for d in run.diagnostics)


def generate(run: Run) -> Run:
    """Run every target (generators/targets/) unless the specs have errors."""
    if _blocked(run):
        return run
    tree = build_tree(run.platform, run.environments, run.repository_path + OUTPUT_DIR)
    workflows: dict[str, bytes] = {}
    if run.complete:
        from generators.targets.context import PlatformContext

        context = PlatformContext(run.platform, run.repository_path, OUTPUT_DIR)
        for path, file in _platform_files(context):
            if file.root == "output":
                tree[path] = file.text.encode()
            else:  # outside rendered/: only .github/workflows/ has a writer (output/repository.py)
                assert path.startswith(f"{WORKFLOWS_DIR}/"), f"no writer owns {path}"
                workflows[path.removeprefix(f"{WORKFLOWS_DIR}/")] = file.text.encode()
    return replace(run, tree=dict(sorted(tree.items())), workflows=dict(sorted(workflows.items())))


#: The stages, in order: each takes the run so far and returns it with its part added.
STAGES: tuple[Callable[[Run], Run], ...] = (load, parse, resolve, check, verify, generate)
#: Validating is every stage but generate.
VALIDATE = STAGES[:-1]
#: The platform model alone (`platform promote` reads the pins it resolves).
MODEL = STAGES[: STAGES.index(check)]
#: The specs read and indexed, nothing resolved: what a new service's answers are
#: checked against before the platform with it is validated whole (`platform new`).
INDEX = STAGES[: STAGES.index(resolve)]
#: Checking the specs alone, for reports on the model that render nothing (`platform
#: cost`): every stage before verify, which renders the patched services.
CHECK = STAGES[: STAGES.index(verify)]


@dataclass(frozen=True)
class Validation:
    """The outcome of validating a platform repository."""

    root: Path
    files: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    platform: Platform

    @property
    def errors(self) -> int:
        """Number of error diagnostics."""
        return sum(d.level is Severity.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        """Number of warning diagnostics."""
        return sum(d.level is Severity.WARNING for d in self.diagnostics)

    def exit_code(self, *, strict: bool = False) -> int:
        """1 when there are errors (or warnings under ``strict``), else 0."""
        return 1 if self.errors or (strict and self.warnings) else 0

    def require_valid(self, refused: str, shown_at: Path | None = None) -> None:
        """Raise SpecErrors when the specs have errors; ``refused`` says what was not done.

        ``shown_at`` is where the files are read for the source lines shown (default:
        where they were validated; a revision's checkout, when that is gone).
        """
        if self.errors:
            raise SpecErrors(
                diagnostics=self.diagnostics,
                files=len(self.files),
                root=shown_at or self.root,
                message=refused,
            )


@dataclass(frozen=True)
class Rendering:
    """The outcome of a render: the validation, and the tree when the specs are valid."""

    validation: Validation
    environments: tuple[str, ...]
    tree: Mapping[str, bytes]
    #: Whether only some environments were asked for (``--env``).
    partial: bool = False
    #: Workflows for the repository's .github/workflows/, by file name (complete renders).
    workflows: Mapping[str, bytes] = field(default_factory=dict)

    @property
    def scope(self) -> tuple[str, ...]:
        """Path prefixes this render covers: none (everything) without ``--env``.

        A complete render covers the whole output, so the files of an environment that
        no longer exists are stale too. CI workflows (``_ci/``) belong to no environment:
        only a complete render writes them.
        """
        if not self.partial:
            return ()
        return tuple(prefix for env in self.environments for prefix in environment_prefixes(env))


def _through(run: Run, stages: Sequence[Callable[[Run], Run]]) -> Run:
    for stage in stages:
        run = stage(run)
    return run


def _validation(run: Run) -> Validation:
    return Validation(run.root, run.files, run.diagnostics, run.platform)


def validate_platform(
    root: Path,
    files: Sequence[str] | None = None,
    on: dt.date | None = None,
    stages: Sequence[Callable[[Run], Run]] = VALIDATE,
    overlay: Mapping[str, str] | None = None,
    memo: Memo | None = None,
) -> Validation:
    """Load, parse and check every spec under ``root``; collect every problem.

    ``files`` is the result of :func:`discover` when the caller has it already; ``on``
    is the day rotation is judged against (default: generators/model/clock.py);
    ``stages`` may be :data:`CHECK` for a report that reads the model and renders
    nothing (patches are then not checked). ``overlay`` gives spec files as text, new
    or in place of the disk's (a change validated before it is written); ``memo`` keeps
    parse results for a later run of the same command (see :attr:`Run.memo`).
    """
    found = discover(root) if files is None else list(files)
    chosen = tuple(sorted({*found, *overlay})) if overlay else tuple(found)
    run = Run(root, chosen, on or today(), overlay=dict(overlay or {}), memo=memo)
    return _validation(_through(run, stages))


def render_platform(
    root: Path,
    environments: Sequence[str] = (),
    files: Sequence[str] | None = None,
    prefix: str | None = None,
    tolerate: frozenset[str] = frozenset(),
) -> Rendering:
    """Validate, then render every environment (or those named) into a tree in memory.

    ``prefix`` is ``root``'s path inside its git repository (``""`` at the top; Argo
    CD's paths and the workflows' directories start with it); by default worked out
    from where ``root`` is (a revision exported to a temporary directory passes it).
    Errors with a code in ``tolerate`` do not stop the render (a diff's base is
    compiled today, when a secret it holds may have fallen overdue since).

    Raises:
        UsageError: when an environment named does not exist.
    """
    files = discover(root) if files is None else files
    run = _through(Run(root, tuple(files), today()), VALIDATE)
    known = sorted(run.platform.environments)
    for env in environments:
        if env not in known:
            raise UsageError(
                message=f"unknown environment {env!r}",
                hint=did_you_mean(env, known, what="environments"),
            )
    chosen = tuple(sorted(set(environments))) if environments else tuple(known)
    run = generate(
        replace(
            run,
            environments=chosen,
            complete=not environments,
            repository_path=repository_path(root) if prefix is None else prefix,
            tolerate=tolerate,
        )
    )
    return Rendering(_validation(run), chosen, run.tree, bool(environments), run.workflows)


def _platform_files(context: PlatformContext) -> list[tuple[str, File]]:
    """What the targets render once per complete render: whole files only."""
    from generators.targets import TARGETS, File

    out = []
    for target in TARGETS.values():
        for path, obj in target.render_platform(context):
            assert isinstance(obj, File), f"{target.name}: platform-wide output is files"
            out.append((path, obj))
    return out


#: From this many service-environments on, rendering uses forked workers.
PARALLEL_RENDER_FROM = 600


def build_tree(
    platform: Platform, environments: Sequence[str], output_path: str = OUTPUT_DIR
) -> dict[str, bytes]:
    """Run every target on every environment: ``{path: bytes}``, sorted by path.

    Objects a target puts at one path become the documents of that file, in the order
    the target rendered them. Environments render independently (every path starts
    with its environment), so a large platform renders them in forked workers, one
    environment each, like loading; the result is the same either way.
    """
    work = sum(1 for env, _ in platform.resolved if env in environments)
    parts = None
    if len(environments) > 1 and work >= PARALLEL_RENDER_FROM and workers.cores() > 1:
        parts = _render_forked(platform, environments, output_path)
    if parts is None:
        parts = [_render_environment((platform, output_path), env) for env in environments]
    files = {path: content for part in parts for path, content in part.items()}
    return {path: files[path] for path in sorted(files)}


def _render_forked(
    platform: Platform, environments: Sequence[str], output_path: str
) -> list[dict[str, bytes]] | None:
    """Each environment rendered in a forked worker; None where forking is not possible."""
    return workers.fork_map(_render_environment, (platform, output_path), environments, processes=4)


def _render_environment(shared: tuple[Platform, str], env: str) -> dict[str, bytes]:
    """One environment's files: ``{path: bytes}`` (the documents joined, encoded).

    Encoded here, so a worker hands back bytes and the caller never holds the text and
    its encoding at once (tens of megabytes each on a large platform).
    """
    platform, output_path = shared
    files: dict[str, list[str]] = {}
    seen: set[tuple[str, str, str, str]] = set()
    from generators.targets import TARGETS, File
    from generators.targets.context import build_context

    context = build_context(platform, env, output_path)
    for target in TARGETS.values():
        for path, obj in target.render(context):
            if isinstance(obj, File):  # a whole file of its own, not a YAML document
                key = (path, "File", "", path)
            else:
                meta = obj["metadata"]
                key = (path, obj["kind"], meta.get("namespace", ""), meta["name"])
            if key in seen:  # the same object twice: a bug in a target
                raise AssertionError(f"{target.name} renders {key} a second time")
            seen.add(key)
            if isinstance(obj, File):
                assert obj.root == "output", f"{target.name}: {path} is not per environment"
                files[path] = [obj.text]
                continue
            files.setdefault(path, []).append(emit.dump(obj))
    # Each file's documents are let go once joined: the texts and the bytes of a whole
    # environment (30 MB each at 1,000 services) are never all held at once.
    return {path: "---\n".join(files.pop(path)).encode() for path in list(files)}
