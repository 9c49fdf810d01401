"""Timing `platform` commands in fresh processes, for the benchmark scripts."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def median_seconds(root: Path, *args: str, runs: int = 5, load_cache: bool = True) -> float:
    """The median wall time of `platform --root ROOT ARGS` over ``runs`` fresh processes.

    With ``load_cache``, the runs share a load cache of their own (generators/source/
    cache.py), filled by one untimed run first, as a user's is after their first
    command; without, it is off (every file's YAML read each time).
    """
    with tempfile.TemporaryDirectory(prefix="bench-load-cache-") as cache:
        env = {**os.environ, "PLATFORM_CACHE_DIR": cache if load_cache else "off"}
        command = [sys.executable, "-m", "generators", "--root", str(root), *args]
        if load_cache:
            subprocess.run(
                command, check=True, capture_output=True, stdin=subprocess.DEVNULL, env=env
            )
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(
                command, check=True, capture_output=True, stdin=subprocess.DEVNULL, env=env
            )
            times.append(time.perf_counter() - start)
    return statistics.median(times)
