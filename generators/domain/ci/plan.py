"""What a service's CI workflow needs from the platform, computed once per service.

The workflow builder (generators/domain/ci/workflow.py) never sees specs: it sees a
:class:`Plan`, the service's source, its image, and the environment files its pin
pull requests edit. The checks (generators/checks/ci.py) use the same helpers, so what
they refuse is exactly what the builder could not render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generators.domain.layout import CI_DIR, CI_FILE, WORKFLOWS_DIR
from generators.model.platform import Platform
from generators.spec.ci import Source

_GITHUB_URL = re.compile(
    r"^(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<repo>[A-Za-z0-9-]+/[A-Za-z0-9._-]+?)(?:\.git)?/?$"
)


@dataclass(frozen=True)
class Pin:
    """One environment file a pin pull request edits."""

    environment: str
    #: ``environments/<env>.yaml``, relative to the git repository's root.
    file: str
    #: Every service there that runs the image (they share its pin), sorted.
    services: tuple[str, ...]
    #: The branch Argo CD syncs the environment from (the pull request's base), if known.
    base: str | None


@dataclass(frozen=True)
class Plan:
    """One service's CI workflow, as data."""

    service: str
    source: Source
    #: The image repository the workflow pushes to (the spec's image, without tag).
    image: str
    #: The spec file, named in the workflow's header.
    spec_file: str
    #: ``owner/name`` of the platform repository, for pull requests from another one.
    platform_repository: str | None
    #: The platform's directory inside its git repository (``""`` or ``"infra/"``).
    platform_path: str
    #: The first environment of the promotion chain it runs in, if not protected.
    first: Pin | None
    #: The protected environments it runs in, pinned after approval.
    protected: tuple[Pin, ...]

    @property
    def in_repo(self) -> bool:
        """Whether the code lives in the platform repository itself."""
        return self.source.repository is None

    @property
    def registry(self) -> str | None:
        """The registry host to log in to; None for Docker Hub."""
        return registry(self.image)


def image_repository(image: str) -> str:
    """An image reference without its tag or digest (what a build pushes to)."""
    name = image.split("@", 1)[0]
    head, _, last = name.rpartition("/")
    if ":" in last:
        last = last.rsplit(":", 1)[0]
    return f"{head}/{last}" if head else last


def registry(image: str) -> str | None:
    """The registry host of an image repository; None for Docker Hub (`acme/web`)."""
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first
    return None


def github_repository(url: str) -> str | None:
    """``owner/name`` of a github.com git URL (https, ssh or scp-like), else None."""
    match = _GITHUB_URL.match(url)
    return match["repo"] if match else None


def platform_repository(platform: Platform) -> str | None:
    """The platform repository on GitHub: the first environment's `gitops.repoURL` that names one.

    Every environment file lives in this repository, so any of them names it; the
    environments are read in promotion order.
    """
    ordered = sorted(
        platform.environments.items(), key=lambda item: (item[1][1].spec.order, item[0])
    )
    for _, (_, environment) in ordered:
        gitops = environment.spec.gitops
        found = github_repository(gitops.repoURL) if gitops is not None else None
        if found is not None:
            return found
    return None


def sources(platform: Platform) -> dict[str, Source]:
    """Every valid service with a `source`, by name (sorted)."""
    return {
        name: service.spec.source
        for name, (_, service) in sorted(platform.services.items())
        if service.spec.source is not None
    }


def builders(platform: Platform) -> dict[str, list[str]]:
    """Image repository -> the services with a `source` that build it (sorted)."""
    out: dict[str, list[str]] = {}
    for name in sources(platform):
        image = image_repository(platform.services[name][1].spec.image)
        out.setdefault(image, []).append(name)
    return out


def plans(platform: Platform, platform_path: str = "") -> list[Plan]:
    """The plan of every service with a `source`, sorted by service name.

    Call only on a platform that validated without errors (the checks guarantee that
    an external source has a platform repository to open pull requests on).
    """
    repository = platform_repository(platform)
    out = []
    for name, source in sources(platform).items():
        doc, service = platform.services[name]
        image = image_repository(service.spec.image)
        ordered = sorted(
            (env.spec.order, env_name)
            for env_name, (_, env) in platform.environments.items()
            if (env_name, name) in platform.resolved and platform.deploys(name, env_name)
        )
        chain = [
            pin
            for _, env_name in ordered
            if (pin := _pin(platform, env_name, name, image, platform_path)).services
        ]
        first = chain[0] if chain and not _protected(platform, chain[0].environment) else None
        out.append(
            Plan(
                service=name,
                source=source,
                image=image,
                spec_file=doc.source.file,
                platform_repository=None if source.repository is None else repository,
                platform_path=platform_path,
                first=first,
                protected=tuple(p for p in chain if _protected(platform, p.environment)),
            )
        )
    return out


def _protected(platform: Platform, environment: str) -> bool:
    return platform.environments[environment][1].spec.protected


def _pin(platform: Platform, environment: str, service: str, image: str, prefix: str) -> Pin:
    """The environment's pin of ``service``, with every service there sharing its image.

    A service that runs the same image and has no `source` of its own (a worker or a
    migration job next to the API that builds it) is pinned together with it. None runs
    it where an environment overrides the service's image with another one.
    """
    sharing = sorted(
        other
        for other, (_, spec) in platform.services.items()
        if (other == service or spec.spec.source is None)
        and (environment, other) in platform.resolved
        and platform.deploys(other, environment)
        and image_repository(platform.resolved[(environment, other)].workload.image) == image
    )
    gitops = platform.environments[environment][1].spec.gitops
    base = gitops.targetRevision if gitops is not None else None
    return Pin(
        environment=environment,
        file=f"{prefix}environments/{environment}.yaml",
        services=tuple(sharing),
        base=None if base in (None, "HEAD") else base,
    )


def workflow_path(plan: Plan) -> str:
    """Where the workflow goes: ``.github/workflows/<service>.yml`` or ``_ci/<service>/ci.yml``.

    The first (code kept in the platform repository) is relative to the repository's
    root; the second to the rendered tree.
    """
    if plan.in_repo:
        return f"{WORKFLOWS_DIR}/{plan.service}.yml"
    return f"{CI_DIR}/{plan.service}/{CI_FILE}"
