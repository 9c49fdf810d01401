"""Benchmark `platform new` (non-interactive) on a synthetic platform (a script).

Usage: python bench/new_bench.py [--bare] [N ...]   (default: 100 1000)

For each N: generates the synthetic platform (bench/synthetic.py; realistic unless
`--bare`), then times `platform new go-api --name bench-orders --team payments --dry-run`
(median of 5 fresh processes: check the answers against the specs, render the spec,
validate the platform with it in memory, estimate its cost) next to `platform validate`,
each with the load cache warm (as after a user's first command) and with it off.

Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import synthetic
from processes import median_seconds


def main(sizes: list[int], *, realistic: bool = True) -> None:
    """Print one table row per size."""
    os.environ.setdefault("PLATFORM_TODAY", "2026-11-28")
    print(
        "| services | new --dry-run (s) | validate (s) "
        "| new, no load cache (s) | validate, no load cache (s) |"
    )
    print("|---:|---:|---:|---:|---:|")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            synthetic.generate(root, n, realistic=realistic)
            new = ("new", "go-api", "--name", "bench-orders", "--team", "payments", "--dry-run")
            cells = [
                median_seconds(root, *args, load_cache=cached)
                for cached in (True, False)
                for args in (new, ("validate",))
            ]
            print(f"| {n:,} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    bare = "--bare" in arguments
    main([int(a) for a in arguments if a != "--bare"] or [100, 1000], realistic=not bare)
