"""Benchmark `platform diff` on a synthetic platform in a git repository (a script).

Usage: python bench/diff_bench.py [--bare] [N ...]   (default: 1000)

For each N: generates the synthetic platform (bench/synthetic.py; realistic unless
`--bare`), commits it with pygit2, bumps one service's image pin in production and
changes one service's env var, then times in this process (best of 3):

* diff: the whole of `platform diff` (compile HEAD from git's objects, compile the
  working tree, compare), as `generators.diff.compare.compare` runs it;
* markdown: rendering that diff as the PR comment.

Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import pygit2

sys.path.insert(0, str(Path(__file__).parent))
import synthetic

from generators.diff import compare, report
from generators.workers import tune_gc


def main(sizes: list[int], *, realistic: bool = True) -> None:
    """Print one table row per size."""
    os.environ.setdefault("PLATFORM_TODAY", "2026-11-28")
    tune_gc()
    print("| services | diff (s) | markdown (s) | changed objects | comment characters |")
    print("|---:|---:|---:|---:|---:|")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            synthetic.generate(root, n, realistic=realistic)
            repo = pygit2.init_repository(str(root), initial_head="main")
            repo.index.add_all()
            repo.index.write()
            who = pygit2.Signature("Bench", "bench@example.com", 1_790_000_000, 0)
            repo.create_commit("HEAD", who, who, "Synthetic platform", repo.index.write_tree(), [])
            synthetic.one_change(root)
            env = root / "environments/production.yaml"
            if realistic:  # the example pins its images there already
                text = env.read_text().replace('web: "2.7.1"', 'web: "2.7.2"')
            else:
                text = env.read_text() + '  images:\n    svc-2: "1.0.1"\n'
            env.write_text(text)
            best, best_md, result = float("inf"), float("inf"), None
            for _ in range(3):
                start = time.perf_counter()
                result = compare.compare(root, "HEAD")
                best = min(best, time.perf_counter() - start)
                start = time.perf_counter()
                text = report.markdown(result)
                best_md = min(best_md, time.perf_counter() - start)
            assert result is not None
            print(
                f"| {n} | {best:.2f} | {best_md:.3f} | {len(result.changes.changes)} | "
                f"{len(text):,} |"
            )


if __name__ == "__main__":
    args = sys.argv[1:]
    main([int(a) for a in args if a != "--bare"] or [1000], realistic="--bare" not in args)
