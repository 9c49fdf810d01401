"""Where a service's code lives and how it builds: what its generated CI workflow runs."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from generators.spec.base import StrictModel

Stack = Literal["nextjs", "node", "go", "python"]

#: Toolchain versions used when `version` is omitted (Go reads its go.mod instead).
DEFAULT_VERSIONS: dict[str, str] = {"nextjs": "24", "node": "24", "python": "3.13"}


class Source(StrictModel):
    """The service's code: a GitHub repository, a directory in it, and its stack.

    Every service with a `source` gets a CI workflow (docs/ci.md): lint and test, build
    and push the image, scan it, record its SBOM, then pull requests that pin it in the
    first environment and, after approval, in the protected ones.
    """

    repository: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$",
        description="GitHub repository holding the code, as `owner/name`. Omitted: this "
        "platform repository (the workflow goes to `.github/workflows/<service>.yml`); "
        "otherwise it is rendered to `rendered/_ci/<service>/ci.yml` for that repository.",
    )
    path: str = Field(
        default=".",
        pattern=r"^(\.|[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*)$",
        max_length=200,
        description="Directory of the code and its Dockerfile, relative to the repository's "
        "root (`.` for the root itself); no `..` or leading `/`.",
    )
    stack: Stack = Field(
        description="Language and framework, which decide the lint and test steps: `nextjs` "
        "and `node` (npm: `lint`, `test` and for Next.js `build` scripts), `go` (gofmt, "
        "go vet, go test) or `python` (requirements-dev.txt, ruff, pytest)."
    )
    version: str | None = Field(
        default=None,
        pattern=r"^[0-9][0-9A-Za-z.+-]{0,31}$",
        description="Toolchain version (`24` for Node, `1.23` for Go, `3.12` for Python). "
        "Omitted: Node 24, Python 3.13, and for Go the version its go.mod names.",
    )
    branch: str = Field(
        default="main",
        pattern=r"^[A-Za-z0-9._/-]{1,100}$",
        description="Branch whose pushes publish the image and open the pin pull requests; "
        "other branches and pull requests only lint, test, build and scan.",
    )
