"""Checks of the services' `source`: what their CI workflows could not do as written."""

from __future__ import annotations

from collections.abc import Iterator

from generators.checks.base import at, where
from generators.diagnostics import Diagnostic, codes
from generators.domain.ci.plan import builders, platform_repository, sources
from generators.model.platform import Platform


def check_sources(platform: Platform) -> Iterator[Diagnostic]:
    """A workflow can find the platform repository, and none builds into another's image.

    * Code in the platform repository needs its own directory: at the root, every
      change to the repository (its pin pull requests too) would build the image.
    * Code in another repository opens its pin pull requests on the platform
      repository, which an environment's `gitops.repoURL` must name on github.com.
    * Two services may not both build one image: their workflows would race to pin
      it. Services that run the same image are pinned with the one that builds it.
    """
    platform_repo = platform_repository(platform)
    for name, source in sources(platform).items():
        doc, _ = platform.services[name]
        if source.repository is None and source.path == ".":
            path = ("spec", "source", "path")
            yield at(
                doc,
                path if doc.source.has(path) else ("spec", "source"),
                codes.CI_SOURCE,
                "code in this platform repository needs its own directory, not `.`",
                "set `path` to the code's directory (e.g. `services/" + name + "`), or "
                "`repository` to the GitHub repository that holds it",
                key=not doc.source.has(path),
            )
        if source.repository is not None and platform_repo is None:
            yield at(
                doc,
                ("spec", "source", "repository"),
                codes.CI_SOURCE,
                "the workflow cannot open pin pull requests: no environment's "
                "`gitops.repoURL` names this platform repository on github.com",
                "set `gitops.repoURL` in the environments to this repository's GitHub URL "
                "(https://github.com/<owner>/<name>.git)",
            )
    for image, names in builders(platform).items():
        first = platform.services[names[0]][0]
        for name in names[1:]:
            yield at(
                platform.services[name][0],
                ("spec", "source"),
                codes.CI_SOURCE,
                f"image {image} is built from the source of {names[0]!r} already",
                f"keep `source` on one of them ({where(first)}); services that run the "
                "same image are pinned together with the one that builds it",
                key=True,
            )
