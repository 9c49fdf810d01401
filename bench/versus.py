"""Benchmark a cold `platform render` against an earlier revision's (a script).

Usage: python bench/versus.py REV [--size N] [--runs N]   (default: 1000 services, 5 runs)

Checks REV out into a temporary git worktree, generates each revision's own realistic
synthetic platform (bench/synthetic.py of that revision: what the platform looked like
then) and renders each with its own compiler, cold (no rendered/ tree, no render
cache), alternating REV and the working tree so both see the same machine. The working
tree is timed twice: with the load cache off (the same work as REV's compiler, which
has none) and warm (as users run it). Prints the medians of wall time and of CPU time
(user and system, the workers' included) as a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
REPO = HERE.parent


def generate(code: Path, root: Path, size: int) -> None:
    """``size`` realistic services, by the synthetic generator of the revision at ``code``."""
    script = (
        "import sys; from pathlib import Path; "
        f"sys.path.insert(0, {str(code / 'bench')!r}); import synthetic; "
        f"synthetic.generate(Path({str(root)!r}), {size}, realistic=True)"
    )
    subprocess.run([sys.executable, "-c", script], check=True, env=_env(code, "off"))


def _env(code: Path, cache: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(code),
        "PLATFORM_TODAY": "2026-11-28",
        "PLATFORM_CACHE_DIR": cache,
        "PYTHONHASHSEED": "0",
    }


def cold_render(code: Path, root: Path, cache: str, trash: Path) -> tuple[float, float]:
    """One cold render: (wall seconds, CPU seconds of the process and its workers)."""
    for name in ("rendered", ".platform-cache", ".github"):
        if (root / name).exists():  # moved aside: deleting now would slow the writes
            (root / name).rename(trash / f"{name}-{time.monotonic_ns()}")
    os.sync()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "generators", "--root", str(root), "render"],
        check=True,
        capture_output=True,
        env=_env(code, cache),
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(rev: str, size: int, runs: int) -> None:
    """Print the table."""
    with tempfile.TemporaryDirectory(prefix="bench-versus-") as tmp:
        work = Path(tmp)
        old = work / "code"
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(old), rev],
            check=True,
        )
        try:
            trash = work / "trash"
            trash.mkdir()
            roots = {"before": work / "before", "after": work / "after"}
            generate(old, roots["before"], size)
            generate(REPO, roots["after"], size)
            cache = str(work / "load-cache")
            sides = {
                f"{rev} (before)": (old, roots["before"], "off"),
                "working tree, no load cache": (REPO, roots["after"], "off"),
                "working tree, load cache warm": (REPO, roots["after"], cache),
            }
            cold_render(REPO, roots["after"], cache, trash)  # fills the load cache
            times: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
            for _ in range(runs):  # alternating: each round sees the same machine
                for side, (code, root, load) in sides.items():
                    times[side].append(cold_render(code, root, load, trash))
            print(f"| {size:,} realistic × 3 environments | wall (s) | CPU (s) | runs |")
            print("|---|---:|---:|---:|")
            for side, found in times.items():
                wall = statistics.median(w for w, _ in found)
                cpu = statistics.median(c for _, c in found)
                print(f"| {side} | {wall:.2f} | {cpu:.2f} | {len(found)} |")
        finally:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)], check=False
            )
            shutil.rmtree(work / "trash", ignore_errors=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    options = {"--size": 1000, "--runs": 5}
    for flag in options:
        if flag in args:
            at = args.index(flag)
            options[flag] = int(args[at + 1])
            del args[at : at + 2]
    if len(args) != 1:
        raise SystemExit(__doc__)
    main(args[0], options["--size"], options["--runs"])
