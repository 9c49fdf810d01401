"""The command line, run in-process through its real entry point."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sarif_pydantic import Sarif

from generators import __version__
from tests.conftest import BASE, REPO, build_tree, invoke

BROKEN_TEAM = """
apiVersion: platform/v1
kind: Service
metadata:
  name: worker
  team: shp
spec:
  type: worker
  image: ghcr.io/example/worker:1.2.3
  env:
    API_URL: ${services.api.url}
  dependsOn: [api]
"""


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"platform, version {__version__}"


@pytest.mark.parametrize("command", [[], ["validate"], ["schema"], ["render"]])
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    # The example block keeps its lines (click's \b marker), one command per line.
    assert "\n  Example:\n    platform " in result.stdout


def test_validate_example_platform_is_clean() -> None:
    result = invoke("--root", str(REPO), "validate")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("All ")
    assert result.stdout.endswith(" files valid.\n")


def test_validate_reports_located_error(base_tree: Path) -> None:
    build_tree(base_tree, {"platform/services/worker.yaml": BROKEN_TEAM})
    result = invoke("validate", "--root", str(base_tree))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:5] == [
        "platform/services/worker.yaml:5:9: error[PL301]: unknown team 'shp'",
        " 5 |   team: shp",
        "   |         ^^^",
        "   = key: metadata.team",
        "   = hint: Did you mean 'shop'? (teams are defined in platform/teams/<name>.yaml)",
    ]
    assert result.stdout.endswith("Found 1 error and 0 warnings in 11 files.\n")


def test_all_problems_of_a_run_are_reported_sorted(base_tree: Path) -> None:
    build_tree(
        base_tree,
        {
            "platform/services/worker.yaml": BROKEN_TEAM,
            "platform/services/api.yaml": (base_tree / "platform/services/api.yaml")
            .read_text()
            .replace("port: 8080", 'port: "8080"'),
            "environments/dev.yaml": (base_tree / "environments/dev.yaml")
            .read_text()
            .replace("order: 0", "order: 1"),
        },
    )
    result = invoke("validate", "--root", str(base_tree), "--format", "json")
    assert result.exit_code == 1
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["file"], d["line"], d["code"]) for d in found] == [
        ("environments/production.yaml", 9, "PL509"),
        ("platform/services/api.yaml", 11, "PL203"),
        ("platform/services/worker.yaml", 5, "PL301"),
    ]


def test_github_format_annotates_with_escaping(base_tree: Path) -> None:
    build_tree(base_tree, {"platform/services/worker.yaml": BROKEN_TEAM})
    result = invoke("validate", "--root", str(base_tree), "--format", "github")
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first == (
        "::error file=platform/services/worker.yaml,line=5,col=9,title=PL301 unknown-team"
        "::unknown team 'shp' (at metadata.team)%0ADid you mean 'shop'? (teams are defined in "
        "platform/teams/<name>.yaml)"
    )


def test_sarif_is_valid_sarif_2_1_0(base_tree: Path) -> None:
    build_tree(base_tree, {"platform/services/worker.yaml": BROKEN_TEAM})
    result = invoke("validate", "--root", str(base_tree), "--format", "sarif")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    log = Sarif.model_validate(document)
    assert log.version == "2.1.0"
    (run,) = log.runs
    (finding,) = run.results
    rules = run.tool.driver.rules or []
    assert rules[finding.rule_index or 0].id == finding.rule_id == "PL301"
    region = finding.locations[0].physical_location.region
    assert (region.start_line, region.start_column) == (5, 9)
    assert finding.locations[0].physical_location.artifact_location.uri == (
        "platform/services/worker.yaml"
    )


def test_warnings_pass_unless_strict(base_tree: Path) -> None:
    path = base_tree / "environments/dev.yaml"
    path.write_text(path.read_text().replace('api: "1.0.0"', "api: latest"))
    relaxed = invoke("validate", "--root", str(base_tree))
    assert relaxed.exit_code == 0
    assert "warning[PL601]" in relaxed.stdout
    assert relaxed.stdout.endswith("Found 0 errors and 1 warning in 11 files.\n")
    assert invoke("validate", "--root", str(base_tree), "--strict").exit_code == 1


def test_root_defaults_to_the_enclosing_repository(
    base_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (base_tree / ".git").mkdir()
    monkeypatch.chdir(base_tree / "platform" / "services")
    result = invoke("validate")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout == "All 11 files valid.\n"


def test_not_a_platform_repository_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("validate", "--root", str(tmp_path))
    assert result.exit_code == 3
    assert "neither a platform/ nor an environments/ directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_flag_is_a_usage_error() -> None:
    result = invoke("validate", "--format", "xml")
    assert result.exit_code == 3
    assert "'xml' is not one of" in result.stderr


def test_internal_error_says_it_is_a_bug(base_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(root: Path) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("generators.pipeline.validate_platform", explode)
    result = invoke("validate", "--root", str(base_tree))
    assert result.exit_code == 4
    assert "this is a bug in platform" in result.stderr


def test_schema_check_detects_stale_and_write_fixes(tmp_path: Path) -> None:
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    (tmp_path / "platform").mkdir()
    assert invoke("schema", "--check", "--root", str(tmp_path)).exit_code == 0
    (tmp_path / "schemas" / "team.schema.json").write_text("{}\n")
    (tmp_path / "schemas" / "gone.schema.json").write_text("{}\n")
    stale = invoke("schema", "--check", "--root", str(tmp_path))
    assert stale.exit_code == 2
    assert stale.stdout.splitlines()[:2] == [
        "stale: schemas/gone.schema.json",
        "stale: schemas/team.schema.json",
    ]
    assert invoke("schema", "--root", str(tmp_path)).exit_code == 0
    assert not (tmp_path / "schemas" / "gone.schema.json").exists()
    assert invoke("schema", "--check", "--root", str(tmp_path)).exit_code == 0


def test_control_characters_cannot_forge_output(base_tree: Path) -> None:
    api = base_tree / "platform/services/api.yaml"
    api.write_text(
        api.read_text().replace("LOG_LEVEL: info", '"X\\nforged.yaml:1:1: error[PL999]: pwned": 1')
    )
    result = invoke("validate", "--root", str(base_tree))
    assert result.exit_code == 1
    assert not any(line.startswith("forged.yaml") for line in result.stdout.splitlines())
    assert "X\\nforged.yaml" in result.stdout


def test_non_utf8_file_name_is_reported(base_tree: Path) -> None:
    import os

    raw = os.fsencode(base_tree / "platform" / "services") + b"/\xffbad.yaml"
    with open(raw, "wb") as handle:
        handle.write(b"a: 1\n")
    result = invoke("validate", "--root", str(base_tree), "--format", "json")
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)["diagnostics"]
    assert problem["code"] == "PL100"
    assert problem["file"] == "platform/services/\\xffbad.yaml"


def test_schema_into_a_broken_schemas_dir_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "platform").mkdir()
    (tmp_path / "schemas").write_text("not a directory")
    result = invoke("schema", "--root", str(tmp_path))
    assert result.exit_code == 3
    assert "cannot write schemas/" in result.stderr


def test_empty_platform_says_so(tmp_path: Path) -> None:
    (tmp_path / "platform").mkdir()
    result = invoke("validate", "--root", str(tmp_path))
    assert result.exit_code == 0
    assert result.stdout == "No spec files found under platform/ or environments/.\n"


def test_root_prefers_the_platform_directory_inside_a_larger_repository(
    base_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (base_tree.parent / ".git").mkdir()
    monkeypatch.chdir(base_tree / "platform" / "services")
    result = invoke("validate")
    assert result.stdout == "All 11 files valid.\n"


def _modules_after(*args: str) -> set[str]:
    """The modules a fresh `platform ARGS` process has loaded when it exits."""
    code = (
        "import sys; from generators import cli; "
        f"code = cli.run({list(args)!r}); "
        "print('\\n'.join(sorted(sys.modules)))"
    )
    env = {**os.environ, "PLATFORM_TODAY": "2026-11-28"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


def test_version_and_help_load_no_layer_that_does_the_work() -> None:
    # Start-up is what a pre-commit hook pays on every commit (docs/benchmarks.md).
    for args in (["--version"], ["--help"], ["secrets", "seal", "--help"]):
        loaded = _modules_after(*args)
        tops = {module.split(".")[0] for module in loaded}
        assert not {"pydantic", "pygit2", "cryptography", "ruamel"} & tops, args
        assert "generators.pipeline" not in loaded, args


def test_validate_loads_neither_git_nor_the_targets() -> None:
    loaded = _modules_after("--root", str(BASE), "validate")
    assert "pygit2" not in loaded
    assert not {m for m in loaded if m.startswith("generators.targets")}


def test_validate_loads_the_kubernetes_target_only_to_check_patches() -> None:
    loaded = _modules_after("validate")  # the example patches web and checkout-api
    assert "generators.targets.kubernetes.patches" in loaded
    assert "pygit2" not in loaded


def test_the_scopes_offered_are_the_sealers() -> None:
    from generators.cli.secrets import SCOPE_NAMES
    from generators.domain.secrets.sealing import SCOPES

    assert set(SCOPE_NAMES.values()) == set(SCOPES)
    assert set(SCOPES) <= set(SCOPE_NAMES)
