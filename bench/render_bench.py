"""Benchmark `platform render`: validate, cold, warm and one-change renders (a script).

Usage: python bench/render_bench.py [N ...]   (default: 100 1000 3000)

For each N, generates a synthetic platform (bench/synthetic.py: N services, three
environments) and times, each in a fresh process so peak memory is its own:

* validate: load, parse and check every spec;
* cold: render into an empty rendered/ (no cache);
* warm: render again, nothing changed (the stat cache answers);
* warm, no cache: the same with the cache deleted (full render, nothing written);
* one change: one service's env var edited, then render;
* baseline: only serialising the same objects and writing the same bytes (the same
  files) to an empty directory: the floor a render is measured against.

Objects per second count the rendered objects (the same for every render phase).
Every phase starts after `sync`, so writeback left by the previous phase (deleting
the last tree) is not timed. Cold and baseline are then run again, alternately, PAIRS
times; the table gives the
median of each and the median of the per-pair ratios, because this machine's disk
moves single runs by ±25 % and the ratio is only meaningful when both phases see the
same disk.

Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import json
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
sys.path.insert(0, str(HERE))

from synthetic import generate  # noqa: E402

from generators import emit, pipeline  # noqa: E402
from generators.domain.layout import OUTPUT_DIR  # noqa: E402
from generators.output import writer  # noqa: E402
from generators.targets import TARGETS, File  # noqa: E402
from generators.targets.context import build_context  # noqa: E402

PHASES = ("validate", "cold", "warm", "warm-nocache", "one-change", "baseline")
PAIRS = 5


def phase(name: str, root: Path) -> dict[str, float]:
    """Run one phase in this process; return its seconds and object count."""
    pipeline.tune_gc()  # as the command line does
    out = root / OUTPUT_DIR
    cache = root / writer.CACHE_FILE
    if name == "validate":
        start = time.perf_counter()
        result = pipeline.validate_platform(root)
        assert result.errors == 0
        return {"seconds": time.perf_counter() - start, "objects": 0}
    if name == "baseline":
        validation = pipeline.validate_platform(root)
        objects = [
            (path, obj)
            for env in sorted(validation.platform.environments)
            for target in TARGETS.values()
            for path, obj in target.render(build_context(validation.platform, env))
        ]
        target_dir = root / "baseline"
        shutil.rmtree(target_dir, ignore_errors=True)
        os.sync()  # start from a quiet disk: no writeback of the deletion in the timing
        start = time.perf_counter()
        files: dict[str, list[str]] = {}
        for path, obj in objects:  # the same files, with the same documents
            files.setdefault(path, []).append(obj.text if isinstance(obj, File) else emit.dump(obj))
        for path, documents in files.items():
            file = target_dir / path
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes("---\n".join(documents).encode())
        return {"seconds": time.perf_counter() - start, "objects": len(objects)}
    if name == "cold":
        shutil.rmtree(out, ignore_errors=True)
        cache.unlink(missing_ok=True)
    elif name == "warm-nocache":
        cache.unlink(missing_ok=True)
    elif name == "one-change":
        service = root / "platform" / "services" / "svc-7.yaml"
        service.write_text(service.read_text().replace("LOG_LEVEL: info", "LOG_LEVEL: debug"))
    os.sync()  # start from a quiet disk: no writeback of the deletion in the timing
    start = time.perf_counter()
    outcome = writer.render_to_disk(root)
    assert outcome.errors == 0
    return {"seconds": time.perf_counter() - start, "objects": 0}


def measure(name: str, root: Path) -> dict[str, float]:
    """Run a phase in a child process; add its peak resident memory (MiB)."""
    code = (
        f"import json, resource, sys; sys.path.insert(0, {str(HERE)!r}); "
        f"import render_bench as b; from pathlib import Path; "
        f"r = b.phase({name!r}, Path({str(root)!r})); "
        "r['peak_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; "
        "print(json.dumps(r))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return json.loads(run.stdout.strip().splitlines()[-1])


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median time (an odd count of runs)."""
    return sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]


def main(sizes: list[int]) -> None:
    """Print one table row per size and phase."""
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"{resource.getpagesize()}-byte pages"
    )
    print("| services | phase | seconds | objects/s | ms per service-env | peak MiB |")
    print("|---:|---|---:|---:|---:|---:|")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            generate(root, size)
            results = {name: measure(name, root) for name in PHASES}
            ratios = []
            colds, bases = [], []
            for _ in range(PAIRS):  # alternate, so both see the same disk
                cold, base = measure("cold", root), measure("baseline", root)
                colds.append(cold)
                bases.append(base)
                ratios.append(cold["seconds"] / base["seconds"])
            results["cold"] = _median(colds)
            results["baseline"] = _median(bases)
            objects = results["baseline"]["objects"]
            for name in PHASES:
                r = results[name]
                rate = objects / r["seconds"] if name != "validate" else 0
                per = r["seconds"] / (size * 3) * 1000
                print(
                    f"| {size} | {name} | {r['seconds']:.2f} | {rate:,.0f} | {per:.2f} "
                    f"| {r['peak_mib']:.0f} |"
                )
            spread = f"{min(ratios):.2f}–{max(ratios):.2f}"
            print(
                f"| {size} | cold ÷ baseline (median of {PAIRS} pairs; range {spread}) "
                f"| {statistics.median(ratios):.2f}× | | | |"
            )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 1000, 3000])
