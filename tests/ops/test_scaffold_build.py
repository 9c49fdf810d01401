"""The skeletons build: the Go ones with `go build` (and vet, test), the Next.js one with
`tsc --noEmit` against the locked dependencies .ci/run installs (.ci/nextjs)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generators.ops import scaffold as sc
from tests.conftest import REPO
from tests.ops.test_scaffold import answered

NEXTJS_LOCK = REPO / ".ci" / "nextjs"
GO = shutil.which("go")


def _render(template: str, target: Path) -> Path:
    sc.write_directory(target, answered(template).skeleton)
    return target


def _go(args: list[str], cwd: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GOFLAGS": "-mod=mod",
        "GOPROXY": "off",  # the standard library only: nothing to download
        "GOTOOLCHAIN": "local",
        "GOPATH": str(tmp_path / "gopath"),
    }
    if not any(os.environ.get(v) for v in ("GOCACHE", "XDG_CACHE_HOME", "HOME")):
        env["GOCACHE"] = str(tmp_path / "gocache")  # else go's own cache, shared by runs
    assert GO is not None
    return subprocess.run(
        [GO, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.skipif(GO is None, reason="go is not installed (.ci/run installs Debian's golang)")
@pytest.mark.parametrize("template", ["go-api", "worker"])
def test_the_go_skeleton_builds_vets_and_passes_its_tests(template: str, tmp_path: Path) -> None:
    code = _render(template, tmp_path / "code")
    built = _go(["build", "./..."], code, tmp_path)
    if "requires go >=" in built.stderr:
        pytest.skip(f"the local go is older than the skeleton's go.mod asks: {built.stderr}")
    assert built.returncode == 0, built.stderr
    for args in (["vet", "./..."], ["test", "./..."]):
        done = _go(args, code, tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
    gofmt = subprocess.run(
        [str(Path(GO).parent / "gofmt"), "-l", "."],
        cwd=code,
        capture_output=True,
        text=True,
        check=False,
    )
    assert gofmt.stdout == "", "gofmt would reformat these files"


def test_the_nextjs_lock_is_the_skeletons() -> None:
    files = answered("nextjs").skeleton
    package = json.loads(files["package.json"])
    ours = json.loads((NEXTJS_LOCK / "package.json").read_text())
    for key in ("dependencies", "devDependencies"):
        assert package[key] == ours[key], f"update .ci/nextjs/package.json's {key}"
    lock = files["package-lock.json"].decode().replace('"shopfront"', '"platform-ci-nextjs"')
    assert lock == (NEXTJS_LOCK / "package-lock.json").read_text()


def test_the_nextjs_skeleton_type_checks(tmp_path: Path) -> None:
    tsc = NEXTJS_LOCK / "node_modules" / ".bin" / "tsc"
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not tsc.exists():
        pytest.skip("the Next.js lock is not installed: run `npm ci --prefix .ci/nextjs`")
    code = _render("nextjs", tmp_path / "code")
    (code / "node_modules").symlink_to(NEXTJS_LOCK / "node_modules", target_is_directory=True)
    done = subprocess.run(
        [str(tsc), "--noEmit", "-p", "."], cwd=code, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
