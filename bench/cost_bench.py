"""Benchmark `platform cost` against `platform validate` (a script).

Usage: python bench/cost_bench.py [--bare] [N ...]   (default: 1000)

For each N: generates the synthetic platform (bench/synthetic.py; realistic unless
`--bare`, three environments), then times, each the median of 5 fresh processes,
`platform validate` and `platform cost --by team`; and in this process, after one
validation, the estimate alone (`generators.domain.cost.estimate`, best of 5).

Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import synthetic
from processes import median_seconds

from generators.domain.cost import estimate
from generators.pipeline import validate_platform


def main(sizes: list[int], *, realistic: bool = True) -> None:
    """Print one table row per size."""
    os.environ.setdefault("PLATFORM_TODAY", "2026-11-28")
    print("| services | validate (s) | cost (s) | estimate alone (s) | lines |")
    print("|---:|---:|---:|---:|---:|")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            synthetic.generate(root, n, realistic=realistic)
            validate = median_seconds(root, "validate")
            cost = median_seconds(root, "cost", "--by", "team")
            platform = validate_platform(root).platform
            best, lines = float("inf"), 0
            for _ in range(5):
                start = time.perf_counter()
                lines = len(estimate(platform))
                best = min(best, time.perf_counter() - start)
            print(f"| {n:,} | {validate:.2f} | {cost:.2f} | {best:.3f} | {lines:,} |")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    bare = "--bare" in arguments
    main([int(a) for a in arguments if a != "--bare"] or [1000], realistic=not bare)
