"""The compiler's stages wired together: what the CLI and the tests call."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import multiprocessing as mp
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from generators import __version__, ci, emit, repository_files
from generators.checks import run_checks
from generators.context import build_context
from generators.diagnostics import Diagnostic, Severity
from generators.documents import Parsed, kind_of_path, parse_document
from generators.errors import UsageError
from generators.graph import Platform, build_platform
from generators.load import discover, load_file
from generators.source import SourceDoc
from generators.suggest import did_you_mean
from generators.targets import TARGETS
from generators.targets.alerting import SILENCES_DIR
from generators.targets.argocd import ARGOCD_APP
from generators.targets.base import FILE_KIND

if TYPE_CHECKING:
    from generators.writer import RenderOutcome

#: Where render output goes, relative to the platform root.
OUTPUT_DIR = "rendered"
#: The stat cache of the last complete render (machine-local, git-ignored).
CACHE_FILE = ".platform-cache/render.json"


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


def tune_gc() -> None:
    """Collect garbage far less often (mypy does the same).

    A run builds many objects and few cycles; with the default thresholds a large run
    spends a third of its time in collection.
    """
    gc.set_threshold(200_000, 30, 30)


def today() -> dt.date:
    """The day secrets' rotation is judged against: ``PLATFORM_TODAY`` (tests), else today."""
    given = os.environ.get("PLATFORM_TODAY")
    if given:
        try:
            return dt.date.fromisoformat(given)
        except ValueError:
            raise UsageError(
                message=f"PLATFORM_TODAY={given!r} is not a date", hint="write it as YYYY-MM-DD"
            ) from None
    return dt.date.today()


def validate_platform(
    root: Path, files: Sequence[str] | None = None, on: dt.date | None = None
) -> Validation:
    """Load, parse and check every spec under ``root``; collect every problem.

    ``files`` is the result of :func:`discover` when the caller has it already; ``on``
    is the day rotation is judged against (default :func:`today`).
    """
    files = discover(root) if files is None else files
    found: list[Diagnostic] = []
    parsed: list[Parsed] = []
    unreadable: list[tuple[str, str]] = []
    for rel, (doc, problems) in zip(files, _load_all(root, files), strict=True):
        found += problems
        document = None
        if doc is not None:
            document, problems = parse_document(doc)
            found += problems
        if document is not None:
            parsed.append(document)
        elif (kind := kind_of_path(rel)) is not None:
            unreadable.append((kind.name, PurePosixPath(rel).stem))
    platform, problems = build_platform(parsed, unreadable)
    platform = replace(platform, today=on or today(), certificates=_certificates(root, platform))
    found += problems
    found += run_checks(platform)
    merged = _merge_environments(found, set(platform.environments))
    return Validation(root, tuple(files), tuple(sorted(merged, key=Diagnostic.sort_key)), platform)


def _certificates(root: Path, platform: Platform) -> dict[str, object]:
    """Each environment's sealing certificate, or why it cannot be used (a message)."""
    out: dict[str, object] = {}
    for env, (_, environment) in platform.environments.items():
        sealing = environment.spec.secrets.sealing
        if sealing is None:
            continue
        from generators import sealing as sealer  # cryptography: only when sealing is used

        path = root / sealing.certificate
        if not path.resolve().is_relative_to(root.resolve()) or not path.is_file():
            out[env] = f"the certificate file {sealing.certificate} does not exist"
            continue
        try:
            out[env] = sealer.load_certificate(path.read_bytes(), sealing.certificate)
        except UsageError as exc:
            out[env] = exc.message
        except OSError as exc:
            out[env] = f"the certificate file {sealing.certificate} cannot be read ({exc.strerror})"
    return out


#: Below this many files, reading in one process is faster than starting workers.
PARALLEL_FROM = 200


def _load_all(root: Path, files: Sequence[str]) -> list[tuple[SourceDoc | None, list[Diagnostic]]]:
    """Load every file; on several cores, in worker processes.

    Files are independent and loading is most of a validation. Workers are forked
    (where the platform can), so they start in milliseconds with the compiler loaded;
    they return plain located data, and the models are built here.
    """
    cores = _cores()
    if cores < 2 or len(files) < PARALLEL_FROM or "fork" not in mp.get_all_start_methods():
        return [load_file(root, rel) for rel in files]
    try:
        with mp.get_context("fork").Pool(min(cores, 4)) as pool:
            return pool.map(partial(load_file, root), files, chunksize=64)
    except OSError:  # no processes to be had (a sandbox, a limit): read them here
        return [load_file(root, rel) for rel in files]


def _merge_environments(found: Iterable[Diagnostic], every: set[str]) -> list[Diagnostic]:
    """Fold copies of one problem (several environments, or aliases) into one diagnostic.

    A problem present in every environment names none; otherwise it lists where.
    """
    merged: dict[tuple[object, ...], tuple[Diagnostic, set[str]]] = {}
    for diagnostic in found:
        # One place in a file is one mistake, even when a YAML alias makes it reachable
        # under several key paths: the first path found names it.
        key = (diagnostic.code, diagnostic.location, diagnostic.message, diagnostic.hint)
        merged.setdefault(key, (diagnostic, set()))[1].update(diagnostic.environments)
    return [
        replace(
            first,
            environments=() if envs >= (set(first.within) or every) else tuple(sorted(envs)),
            within=(),
        )
        for first, envs in merged.values()
    ]


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
        return tuple(
            prefix
            for env in self.environments
            for prefix in (f"{env}/", f"{ARGOCD_APP}/{env}/", f"{SILENCES_DIR}/{env}/")
        )


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
    validation = validate_platform(root, files)
    known = sorted(validation.platform.environments)
    for env in environments:
        if env not in known:
            raise UsageError(
                message=f"unknown environment {env!r}",
                hint=did_you_mean(env, known, what="environments"),
            )
    chosen = tuple(sorted(set(environments))) if environments else tuple(known)
    if any(d.level is Severity.ERROR and d.code.id not in tolerate for d in validation.diagnostics):
        return Rendering(validation, chosen, {}, bool(environments))
    prefix = repository_files.repository_path(root) if prefix is None else prefix
    rendered = build_tree(validation.platform, chosen, prefix + OUTPUT_DIR)
    if environments:
        return Rendering(validation, chosen, rendered, True)
    workflows = ci.render(validation.platform, prefix, OUTPUT_DIR)
    rendered.update((path, text.encode()) for path, text in workflows.rendered.items())
    return Rendering(
        validation,
        chosen,
        dict(sorted(rendered.items())),
        workflows={name: text.encode() for name, text in workflows.repository.items()},
    )


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
    if len(environments) > 1 and work >= PARALLEL_RENDER_FROM and _cores() > 1:
        parts = _render_forked(platform, environments, output_path)
    if parts is None:
        parts = [_render_environment(env, platform, output_path) for env in environments]
    files = {path: text for part in parts for path, text in part.items()}
    return {path: files[path].encode() for path in sorted(files)}


#: From this many service-environments on, rendering uses forked workers.
PARALLEL_RENDER_FROM = 600
_FORKED: tuple[Platform, str] | None = None


def _render_forked(
    platform: Platform, environments: Sequence[str], output_path: str
) -> list[dict[str, str]] | None:
    """Each environment rendered in a forked worker; None where forking is not possible."""
    global _FORKED
    if "fork" not in mp.get_all_start_methods():
        return None
    _FORKED = (platform, output_path)  # inherited by the forked workers, never pickled
    try:
        with mp.get_context("fork").Pool(min(_cores(), len(environments), 4)) as pool:
            return pool.map(_render_environment, environments, chunksize=1)
    except OSError:  # no processes to be had (a sandbox, a limit): render here
        return None
    finally:
        _FORKED = None


def _render_environment(
    env: str, platform: Platform | None = None, output_path: str | None = None
) -> dict[str, str]:
    """One environment's files: ``{path: text}`` (the documents joined)."""
    if platform is None:
        assert _FORKED is not None
        platform, output_path = _FORKED
    assert output_path is not None
    files: dict[str, list[str]] = {}
    seen: set[tuple[str, str, str, str]] = set()
    context = build_context(platform, env, output_path)
    for target in TARGETS.values():
        for path, obj in target.render(context):
            meta = obj["metadata"]
            key = (path, obj["kind"], meta.get("namespace", ""), meta["name"])
            if key in seen:  # the same object twice: a bug in a target
                raise AssertionError(f"{target.name} renders {key} a second time")
            seen.add(key)
            if obj["kind"] == FILE_KIND:  # a whole file of its own, not a YAML document
                files[path] = [obj["text"]]
                continue
            files.setdefault(path, []).append(emit.dump(obj))
    return {path: "---\n".join(documents) for path, documents in files.items()}


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


@cache
def compiler_digest() -> str:
    """The compiler's version and source: an edited checkout renders anew."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0")
        digest.update(source.read_bytes())
    return digest.hexdigest()


def render_to_disk(
    root: Path, environments: Sequence[str] = (), *, check: bool = False
) -> RenderOutcome:
    """Render into ``<root>/rendered`` (or, with ``check``, compare): generators/writer.py."""
    from generators import writer  # the writer builds on this module

    return writer.render_to_disk(root, environments, check=check)


def fingerprint(root: Path, specs: Sequence[str]) -> str:
    """A digest of everything a render depends on: the spec files and the compiler.

    The day counts too (secrets' rotation is judged against it), and so do sealing
    certificates kept under ``environments/``.
    """
    digest = hashlib.sha256(compiler_digest().encode())
    digest.update(today().isoformat().encode())
    certs = sorted(p for p in (root / "environments").rglob("*") if p.suffix in (".pem", ".crt"))
    specs = [*specs, *(p.relative_to(root).as_posix() for p in certs)]
    for rel in specs:
        digest.update(rel.encode() + b"\0")
        try:
            digest.update((root / rel).read_bytes())
        except OSError:
            digest.update(b"\0unreadable")
    return digest.hexdigest()
