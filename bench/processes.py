"""Timing `platform` commands in fresh processes, for the benchmark scripts."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path


def median_seconds(root: Path, *args: str, runs: int = 5) -> float:
    """The median wall time of `platform --root ROOT ARGS` over ``runs`` fresh processes."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "generators", "--root", str(root), *args],
            check=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)
