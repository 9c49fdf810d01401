"""Lint and test steps per stack: what the `test` job runs in the code's directory.

Each stack has a small contract with the code, written down in docs/ci.md:

* `nextjs`, `node`: a package-lock.json and npm scripts `lint` and `test` (Next.js:
  also `build`, which type-checks the app);
* `go`: a go.mod and go.sum; code formatted with gofmt, clean under `go vet`;
* `python`: a requirements-dev.txt that installs the service and its tools (ruff and
  pytest), pinned.
"""

from __future__ import annotations

from typing import Any

from generators.domain.ci.actions import uses
from generators.spec.ci import DEFAULT_VERSIONS, Source

Step = dict[str, Any]

_GOFMT = """\
unformatted="$(gofmt -l .)"
if [ -n "$unformatted" ]; then
  echo "::error::gofmt would reformat these files:"
  echo "$unformatted"
  exit 1
fi
"""


def in_code(source: Source, name: str) -> str:
    """A file of the code's directory, relative to the repository's root."""
    return name if source.path == "." else f"{source.path}/{name}"


def steps(source: Source) -> list[Step]:
    """The toolchain set-up, then install, lint and test, for the source's stack."""
    if source.stack in ("nextjs", "node"):
        return _node(source)
    if source.stack == "go":
        return _go(source)
    return _python(source)


def _node(source: Source) -> list[Step]:
    out: list[Step] = [
        {
            "name": "Set up Node.js",
            "uses": uses("actions/setup-node"),
            "with": {
                "node-version": source.version or DEFAULT_VERSIONS[source.stack],
                "cache": "npm",
                "cache-dependency-path": in_code(source, "package-lock.json"),
            },
        },
        {"name": "Install", "run": "npm ci"},
        {"name": "Lint", "run": "npm run lint"},
        {"name": "Test", "run": "npm test"},
    ]
    if source.stack == "nextjs":
        out.append(
            {
                "name": "Build (type-checks the app)",
                "run": "npm run build",
                "env": {"NEXT_TELEMETRY_DISABLED": "1"},
            }
        )
    return out


def _go(source: Source) -> list[Step]:
    version: dict[str, str] = (
        {"go-version": source.version}
        if source.version
        else {"go-version-file": in_code(source, "go.mod")}
    )
    return [
        {
            "name": "Set up Go",
            "uses": uses("actions/setup-go"),
            "with": {**version, "cache-dependency-path": in_code(source, "go.sum")},
        },
        {"name": "Check formatting", "run": _GOFMT},
        {"name": "Vet", "run": "go vet ./..."},
        {"name": "Test", "run": "go test -race ./..."},
    ]


def _python(source: Source) -> list[Step]:
    return [
        {
            "name": "Set up Python",
            "uses": uses("actions/setup-python"),
            "with": {
                "python-version": source.version or DEFAULT_VERSIONS["python"],
                "cache": "pip",
                "cache-dependency-path": in_code(source, "requirements*.txt"),
            },
        },
        {"name": "Install", "run": "python -m pip install -r requirements-dev.txt"},
        {"name": "Lint", "run": "ruff check .\nruff format --check .\n"},
        {"name": "Test", "run": "pytest"},
    ]
