"""Hypothesis strategies for fuzzing whole spec trees, and the property every tree must keep.

Shared by tests/test_fuzz.py (a few hundred cases in the suite) and bench/fuzz.py (ten
thousand and more, outside the suite's time). A case starts from a valid platform (the
bundled example, or the small base of the golden cases) and applies one to four edits
across its files: a structural mutation of a document, a text or byte mutation, a new
service assembled from plausible and implausible pieces (names that clash or dangle,
cycles, odd ports, schedules and references), a file deleted or copied elsewhere.

The property (:func:`check`): validating never raises; every diagnostic is located in
a file of the tree, at a line and column from 1, with a message; every report format
renders; and a tree that validates renders without raising, twice to the same bytes.
"""

from __future__ import annotations

import json
import shutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from generators import pipeline
from generators.diagnostics import formats
from generators.source.discover import discover
from generators.source.load import load_text
from tests.conftest import BASE, REPO

#: The valid platforms a case starts from.
STARTS = {"example": REPO, "base": BASE}
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(["", "0", "-", "${", "${services.x.url}", "web", "http", "1.10", "a" * 80]),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3)
    ),
    max_leaves=8,
)
# Fragments that reach rarely used corners of YAML: tags, anchors, merges, dates,
# document markers, flow collections and block scalars.
YAML_SNIPPETS = [
    "2024-02-30", "!!int abc", "!!float x", "!!bool maybe", "!!timestamp no", "!!set {}",
    "!Ref x", "&a", "*a", "<<: *a", "<<: x", "=", "~", "null", "---\n", "...\n", "? ", ": ",
    "- ", "{", "}", "[", "]", "|\n  x", ">-\n  y", "'", '"', "\t", "#", "%YAML 1.1\n",
    "9" * 5000, "\u2028", "\x85", "\x07", "\ufeff",
]  # fmt: skip


def copy_platform(start: Path, root: Path) -> list[str]:
    """A copy of a starting platform at ``root``; its spec files."""
    for top in ("platform", "environments", "templates"):
        if (start / top).is_dir():
            shutil.copytree(start / top, root / top)
    return discover(root)


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path into ``data`` (mapping keys and list indexes)."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


def mutate(data: Any, path: tuple[Any, ...], operation: str, value: Any, key: str) -> Any:
    """``data`` with one structural change at ``path``."""
    if not path:
        return value if operation == "replace" else data
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if operation == "delete":
        del parent[last]
    elif operation == "replace":
        parent[last] = value
    elif operation == "rename" and isinstance(parent, dict):
        parent[key] = parent.pop(last)
    elif operation == "insert" and isinstance(parent, dict):
        parent[key] = value
    elif operation == "insert" and isinstance(parent, list):
        parent.insert(last, value)
    return data


Edit = Callable[[Path, list[str]], str]


def _structural(draw: st.DrawFn, files: list[str]) -> Edit:
    rel = draw(st.sampled_from(files))
    operation = draw(st.sampled_from(["delete", "replace", "rename", "insert"]))
    value, key = draw(VALUES), draw(st.text(max_size=12))
    pick = draw(st.integers(0, 10**6))

    def edit(root: Path, files: list[str]) -> str:
        if not (root / rel).is_file():
            return f"{rel}: gone, left alone"
        doc, _ = load_text(rel, (root / rel).read_bytes())
        if doc is None:
            return f"{rel}: unreadable, left alone"
        tree = json.loads(json.dumps(doc.data, default=str))
        options = paths(tree)
        path = options[pick % len(options)]
        # JSON is YAML 1.2, so this is a spec file with one mutation.
        (root / rel).write_text(json.dumps(mutate(tree, path, operation, value, key), indent=1))
        return f"{rel}: {operation} at {path!r}"

    return edit


def _text(draw: st.DrawFn, files: list[str]) -> Edit:
    rel = draw(st.sampled_from(files))
    junk = draw(st.text(max_size=8) | st.sampled_from(YAML_SNIPPETS))
    start, width = draw(st.integers(0, 10**6)), draw(st.integers(0, 10))

    def edit(root: Path, files: list[str]) -> str:
        if not (root / rel).is_file():
            return f"{rel}: gone, left alone"
        text = (root / rel).read_text(errors="replace")
        at = start % (len(text) + 1)
        (root / rel).write_text(text[:at] + junk + text[at + width :])
        return f"{rel}: text {junk!r} at {at}"

    return edit


def _bytes(draw: st.DrawFn, files: list[str]) -> Edit:
    rel = draw(st.sampled_from(files))
    raw, start = draw(st.binary(max_size=16)), draw(st.integers(0, 10**6))

    def edit(root: Path, files: list[str]) -> str:
        if not (root / rel).is_file():
            return f"{rel}: gone, left alone"
        content = (root / rel).read_bytes()
        at = start % (len(content) + 1)
        (root / rel).write_bytes(content[:at] + raw + content[at:])
        return f"{rel}: bytes {raw!r} at {at}"

    return edit


NAMES = st.sampled_from(
    ["api", "worker", "web", "checkout-api", "catalog-api", "new", "new-2", "Bad_Name", "a" * 70]
)
TEAMS = st.sampled_from(["shop", "payments", "storefront", "platform", "shp", "nobody"])
SECRETS = st.sampled_from(["api-db", "stripe", "checkout-db", "ledger", "missing"])
KEYS = st.sampled_from(["password", "secret-key", "webhook-secret", "nope"])
PORTS = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(["http", "grpc", "metrics", "http"]),
            "port": st.integers(0, 70000),
        }
    ),
    max_size=3,
)
COUNTS = st.integers(0, 3)
#: Where a copied file lands: a second spec of one name, a nested one, a new environment.
COPIES = ["platform/services/copy.yaml", "platform/teams/sub/x.yaml", "environments/qa.yaml"]
SCHEDULES = st.sampled_from(["30 2 * * *", "*/5 * * * *", "0 0 31 2 *", "@daily", "61 * * * *", ""])
REFERENCES = st.sampled_from(
    ["${services.api.url}", "${services.new.port}", "${services.nope.host}", "${environment.name}"]
)


@st.composite
def services(draw: st.DrawFn) -> dict[str, Any]:
    """A Service spec assembled from pieces, right and wrong, as people write them."""
    kind = draw(st.sampled_from(["web", "worker", "cron", "job"]))
    spec: dict[str, Any] = {"type": kind, "image": draw(st.sampled_from(["ghcr.io/x/y:1", "y"]))}
    optional = {
        "ports": PORTS,
        "env": st.dictionaries(
            st.sampled_from(["A", "B", "DATABASE_PASSWORD"]),
            REFERENCES
            | st.fixed_dictionaries({"secret": SECRETS, "key": KEYS})
            | st.text(max_size=5),
            max_size=3,
        ),
        "dependsOn": st.lists(NAMES, max_size=3),
        "schedule": SCHEDULES,
        "expose": st.fixed_dictionaries(
            {"visibility": st.sampled_from(["public", "internal"])},
            optional={"hosts": st.lists(NAMES, max_size=2), "paths": st.just(["/"])},
        ),
        "integrations": st.lists(st.sampled_from(["stripe", "sentry", "nope"]), max_size=2),
        "scaling": st.fixed_dictionaries(
            {},
            optional={
                "min": st.integers(0, 5),
                "max": st.integers(0, 5),
                "replicas": st.integers(0, 3),
            },
        ),
        "secretFiles": st.lists(
            st.fixed_dictionaries(
                {"path": st.sampled_from(["/etc/a", "/etc/b"]), "secret": SECRETS, "key": KEYS}
            ),
            max_size=2,
        ),
        "slos": st.lists(
            st.fixed_dictionaries(
                {"name": st.sampled_from(["availability", "availability", "latency"])},
                optional={"objective": st.floats(0, 100), "availability": st.booleans()},
            ),
            max_size=2,
        ),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            spec[name] = draw(strategy)
    if draw(st.booleans()):
        spec["environments"] = {
            draw(st.sampled_from(["dev", "production", "prod"])): {"scaling": {"replicas": 2}}
        }
    lifecycle = draw(st.sampled_from(["production", "development", "retired", "planning"]))
    metadata = {"name": draw(NAMES), "team": draw(TEAMS), "lifecycle": lifecycle}
    return {"apiVersion": "platform/v1", "kind": "Service", "metadata": metadata, "spec": spec}


def _add_service(draw: st.DrawFn, files: list[str]) -> Edit:
    service = draw(services())
    stem = draw(st.sampled_from([service["metadata"]["name"], "other"]))

    def edit(root: Path, files: list[str]) -> str:
        rel = f"platform/services/{stem}.yaml"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(json.dumps(service, indent=1))
        return f"{rel}: new service {json.dumps(service)}"

    return edit


def _delete(draw: st.DrawFn, files: list[str]) -> Edit:
    rel = draw(st.sampled_from(files))

    def edit(root: Path, files: list[str]) -> str:
        (root / rel).unlink(missing_ok=True)
        return f"{rel}: deleted"

    return edit


def _copy(draw: st.DrawFn, files: list[str]) -> Edit:
    rel = draw(st.sampled_from(files))
    target = draw(
        st.sampled_from(
            ["platform/services/copy.yaml", "platform/teams/sub/x.yaml", "environments/qa.yaml"]
        )
    )

    def edit(root: Path, files: list[str]) -> str:
        if (root / rel).is_file():
            (root / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(root / rel, root / target)
        return f"{rel}: copied to {target}"

    return edit


#: A team each starting platform has, for services meant to be valid.
TEAM_OF = {"example": "payments", "base": "shop"}


@st.composite
def valid_services(draw: st.DrawFn, team: str) -> dict[str, Any]:
    """A Service that should validate: random features, each written correctly."""
    kind = draw(st.sampled_from(["web", "worker", "cron", "job"]))
    name = f"fz-{draw(st.integers(0, 10**6))}"
    spec: dict[str, Any] = {"type": kind, "image": f"ghcr.io/fuzz/{name}:1.0.{draw(COUNTS)}"}
    if kind == "web":
        spec["ports"] = [{"name": "http", "port": draw(st.integers(1024, 65535))}]
        spec["probes"] = {"readiness": {"http": {"path": "/readyz"}}}
        if draw(st.booleans()):
            spec["expose"] = {"visibility": "public", "hosts": [name], "paths": ["/"]}
    if kind == "cron":
        spec["schedule"] = draw(SCHEDULES.filter(lambda text: text not in ("", "61 * * * *")))
    if kind in ("web", "worker") and draw(st.booleans()):
        low = draw(st.integers(1, 3))
        spec["scaling"] = {"min": low, "max": low + draw(COUNTS), "targetCPU": 70}
    if draw(st.booleans()):
        spec["env"] = {"MODE": draw(st.sampled_from(["a", "b c", "1.10", "yes"]))}
    if draw(st.booleans()):
        content = draw(st.text(st.characters(categories=["L", "N", "P", "Zs"]), max_size=40))
        spec["configFiles"] = [{"path": "/etc/app/app.conf", "content": content}]
    if kind == "web" and draw(st.booleans()):
        spec["slos"] = [{"name": "availability", "objective": 99.9, "availability": True}]
    if draw(st.booleans()):
        spec["environments"] = {"production": {"env": {"MODE": "prod"}}}
    lifecycle = draw(st.sampled_from(["production", "development", "staging"]))
    metadata = {"name": name, "team": team, "lifecycle": lifecycle}
    return {"apiVersion": "platform/v1", "kind": "Service", "metadata": metadata, "spec": spec}


def _valid_service(draw: st.DrawFn, team: str) -> Edit:
    service = draw(valid_services(team))

    def edit(root: Path, files: list[str]) -> str:
        rel = f"platform/services/{service['metadata']['name']}.yaml"
        (root / rel).write_text(json.dumps(service, indent=1, ensure_ascii=False))
        return f"{rel}: new valid service {json.dumps(service)}"

    return edit


EDITS = (_structural, _text, _bytes, _add_service, _delete, _copy)


@dataclass
class Case:
    """One fuzzed tree: where it started, and the edits applied to it."""

    start: str
    edits: list[Edit] = field(default_factory=list)


@st.composite
def trees(draw: st.DrawFn) -> Case:
    """A starting platform and one to four edits across its files (or new valid services)."""
    start = draw(st.sampled_from(sorted(STARTS)))
    files = discover(STARTS[start])
    if draw(st.integers(0, 2)) == 0:  # a third of the cases: new services that validate
        count = draw(st.integers(1, 4))
        return Case(start, [_valid_service(draw, TEAM_OF[start]) for _ in range(count)])
    count = draw(st.integers(1, 4))
    edits = [draw(st.sampled_from(EDITS))(draw, files) for _ in range(count)]
    return Case(start, edits)


@dataclass
class Outcome:
    """What a case did: its edits, its problems (the property broken), whether it rendered."""

    edits: list[str]
    problems: list[str]
    rendered: bool = False
    diagnostics: int = 0


def check(case: Case, root: Path) -> Outcome:
    """Build the case's tree at ``root`` and test the property; never raises."""
    files = copy_platform(STARTS[case.start], root)
    done = [edit(root, files) for edit in case.edits]
    files = discover(root)
    outcome = Outcome(done, [])
    try:
        result = pipeline.validate_platform(root)
    except Exception:  # noqa: BLE001 - the property: report, do not stop
        outcome.problems.append(f"validate raised: {traceback.format_exc()}")
        return outcome
    outcome.diagnostics = len(result.diagnostics)
    for diagnostic in result.diagnostics:
        location = diagnostic.location
        if location.file not in files or location.line < 1 or location.col < 1:
            outcome.problems.append(f"not located: {diagnostic}")
        if not diagnostic.message:
            outcome.problems.append(f"no message: {diagnostic}")
    for fmt in formats.FORMATS:
        try:
            formats.render(result.diagnostics, fmt=fmt, root=root, files=len(result.files))
        except Exception:  # noqa: BLE001
            outcome.problems.append(f"format {fmt} raised: {traceback.format_exc()}")
    if result.errors:
        return outcome
    try:
        first = pipeline.render_platform(root)
        second = pipeline.render_platform(root)
    except Exception:  # noqa: BLE001
        outcome.problems.append(f"render of valid specs raised: {traceback.format_exc()}")
        return outcome
    outcome.rendered = True
    if first.tree != second.tree or first.workflows != second.workflows:
        outcome.problems.append("two renders of the same specs differ")
    return outcome
