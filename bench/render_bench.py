"""Benchmark `platform render`: validate, cold, warm and one-change renders (a script).

Usage: python bench/render_bench.py [--bare] [--pairs N] [N ...]   (default: 100 1000 3000)

For each N, generates a synthetic platform (bench/synthetic.py: N services, three
environments; realistic by default, `--bare` for services that use almost nothing) and
times, each in a fresh process:

* validate, no load cache: load, parse and check every spec (PLATFORM_CACHE_DIR=off);
* validate: the same with the load cache warm (generators/source/cache.py), as every
  later phase has it (an untimed validate fills it first);
* cold: render into an empty rendered/ (no cache);
* warm: render again, nothing changed (the stat cache answers);
* warm, no cache: the same with the cache deleted (full render, nothing written);
* one change: one service's env var edited, then render;
* baseline: only serialising the same objects and writing the same bytes (the same
  files) to an empty directory: the floor a render is measured against.

Peak memory is the largest sum, sampled every 10 ms, of the memory of the phase's
process and every worker it forks: proportional (PSS: a page shared by a parent and its
forked workers counted once, split among them) and resident (RSS: counted once per
process that maps it). Objects per second count the rendered objects (the same for
every render phase). A tree a phase replaces is moved aside, not deleted, and every
phase starts after `sync`, so neither a deletion nor its writeback is timed. Cold and
baseline are then run again, alternately, PAIRS times; the table gives the median of
each and the median of the per-pair ratios, because this machine's disk moves single
runs by ±25 % and the ratio is only meaningful when both phases see the same disk.

A second table splits a cold render by stage (pipeline.STAGES, then writing), in one
process, per service-environment.

Prints Markdown tables for docs/benchmarks.md.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from synthetic import EXAMPLE_DAY, generate, one_change  # noqa: E402

from generators import emit, pipeline, workers  # noqa: E402
from generators.domain.layout import OUTPUT_DIR  # noqa: E402
from generators.model.clock import today  # noqa: E402
from generators.output import tree, writer  # noqa: E402
from generators.source.discover import discover  # noqa: E402
from generators.targets import TARGETS, File  # noqa: E402
from generators.targets.context import build_context  # noqa: E402

PHASES = ("validate-noload", "validate", "cold", "warm", "warm-nocache", "one-change", "baseline")
PAIRS = 5
#: Where phases move the trees they replace (see _discard).
TRASH = ".bench-trash"


def phase(name: str, root: Path) -> dict[str, float]:
    """Run one phase in this process; return its seconds and object count."""
    workers.tune_gc()  # as the command line does
    out = root / OUTPUT_DIR
    cache = root / writer.CACHE_FILE
    if name in ("validate", "validate-noload"):
        if name == "validate-noload":
            os.environ["PLATFORM_CACHE_DIR"] = "off"
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
        _discard(target_dir)
        os.sync()  # start from a quiet disk: no writeback of an earlier phase in the timing
        start = time.perf_counter()
        files: dict[str, list[str]] = {}
        for path, obj in objects:  # the same files, with the same documents
            text = obj.text if isinstance(obj, File) else emit.dump(obj)
            files.setdefault(path, []).append(text)
        for path, documents in files.items():
            file = target_dir / path
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes("---\n".join(documents).encode())
        return {"seconds": time.perf_counter() - start, "objects": len(objects)}
    if name == "cold":
        _discard(out)
        cache.unlink(missing_ok=True)
    elif name == "warm-nocache":
        cache.unlink(missing_ok=True)
    elif name == "one-change":
        one_change(root)
    os.sync()  # start from a quiet disk: no writeback of an earlier phase in the timing
    start = time.perf_counter()
    outcome = writer.render_to_disk(root)
    assert outcome.errors == 0
    return {"seconds": time.perf_counter() - start, "objects": 0}


def _discard(tree: Path) -> None:
    """Move a tree aside, to be deleted after the size's phases, not before a timing.

    Deleting 100 MB just before a phase slows its writes on this machine's disk (the
    freed blocks are discarded while the next files are created) by up to 5x.
    """
    if tree.exists():
        trash = tree.parent / TRASH
        trash.mkdir(exist_ok=True)
        tree.rename(trash / f"{tree.name}-{time.monotonic_ns()}")


def stages(root: Path) -> dict[str, float]:
    """A cold render split by stage, in this process: seconds per stage, then the write."""
    workers.tune_gc()
    out = root / OUTPUT_DIR
    _discard(out)
    (root / writer.CACHE_FILE).unlink(missing_ok=True)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    files = tuple(discover(root))
    timings["discover"] = time.perf_counter() - start
    run = pipeline.Run(root, files, today())
    for stage in pipeline.STAGES:
        if stage is pipeline.generate:
            environments = tuple(sorted(run.platform.environments))
            run = dataclasses.replace(run, environments=environments)
        start = time.perf_counter()
        run = stage(run)
        timings[stage.__name__] = time.perf_counter() - start
    os.sync()
    start = time.perf_counter()
    tree.write(out, run.tree)
    timings["write"] = time.perf_counter() - start
    return timings


def measure(name: str, root: Path) -> dict[str, float]:
    """Run a phase in a child process; add its peak memory with its workers' (MiB)."""
    call = "b.stages" if name == "stages" else f"lambda root: b.phase({name!r}, root)"
    code = (
        f"import json, sys; sys.path.insert(0, {str(HERE)!r}); "
        f"import render_bench as b; from pathlib import Path; "
        f"r = ({call})(Path({str(root)!r})); print(json.dumps(r))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            rss, pss = _tree_memory(process.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"phase {name} failed ({process.returncode})")
    result: dict[str, float] = json.loads(stdout.strip().splitlines()[-1])
    result["rss_mib"], result["peak_mib"] = peak[0] / 1024, peak[1] / 1024
    return result


def _tree_memory(pid: int) -> tuple[int, int]:
    """Resident and proportional memory (KiB) of ``pid`` and all its descendants.

    Summed RSS counts a page a forked worker shares with its parent once per process;
    PSS splits each shared page among the processes sharing it, so its sum is the
    memory the run really holds.
    """
    rss, pss, todo = 0, 0, [pid]
    while todo:
        current = todo.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text().splitlines()
            fields = {line.split(":")[0]: line.split()[1] for line in rollup[1:]}
            rss, pss = rss + int(fields["Rss"]), pss + int(fields["Pss"])
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, KeyError, IndexError, ValueError):
            continue  # gone meanwhile
    return rss, pss


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median time (an odd count of runs)."""
    return sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]


def main(sizes: list[int], *, realistic: bool, pairs: int) -> None:
    """Print one table row per size and phase, then the stage table."""
    mode = "realistic" if realistic else "bare"
    if realistic:  # the phases' processes judge the example's secrets on their day
        os.environ.setdefault("PLATFORM_TODAY", EXAMPLE_DAY)
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"{resource.getpagesize()}-byte pages, {mode} services"
    )
    print(
        "| services | phase | seconds | objects/s | ms per service-env "
        "| peak MiB (PSS) | peak MiB (RSS) |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|")
    split: dict[int, dict[str, float]] = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "platform"
            generate(root, size, realistic=realistic)
            # The phases' own load cache (outside the platform, as users have it).
            os.environ["PLATFORM_CACHE_DIR"] = str(Path(tmp) / "load-cache")
            measure("validate", root)  # fills it
            results = {name: measure(name, root) for name in PHASES}
            ratios = []
            colds, bases = [], []
            for _ in range(pairs):  # alternate, so both see the same disk
                cold, base = measure("cold", root), measure("baseline", root)
                colds.append(cold)
                bases.append(base)
                ratios.append(cold["seconds"] / base["seconds"])
            results["cold"] = _median([results["cold"], *colds])
            results["baseline"] = _median([results["baseline"], *bases])
            split[size] = measure("stages", root)
            objects = results["baseline"]["objects"]
            for name in PHASES:
                r = results[name]
                rate = objects / r["seconds"] if not name.startswith("validate") else 0
                per = r["seconds"] / (size * 3) * 1000
                print(
                    f"| {size} | {name} | {r['seconds']:.2f} | {rate:,.0f} | {per:.2f} "
                    f"| {r['peak_mib']:.0f} | {r['rss_mib']:.0f} |"
                )
            spread = f"{min(ratios):.2f}–{max(ratios):.2f}" if ratios else "-"
            median = f"{statistics.median(ratios):.2f}×" if ratios else "-"
            print(
                f"| {size} | cold ÷ baseline (median of {pairs} pairs; range {spread}) "
                f"| {median} | | | | |"
            )
    names = [n for n in split[sizes[0]] if n not in ("peak_mib", "rss_mib")]
    print()
    print("| services | " + " | ".join(names) + " |  (ms per service-environment)")
    print("|---:|" + "---:|" * len(names))
    for size, timings in split.items():
        cells = " | ".join(f"{timings[n] / (size * 3) * 1000:.3f}" for n in names)
        print(f"| {size} | {cells} |")


if __name__ == "__main__":
    args = sys.argv[1:]
    pairs = PAIRS
    if "--pairs" in args:
        at = args.index("--pairs")
        pairs = int(args[at + 1])
        del args[at : at + 2]
    numbers = [int(a) for a in args if a != "--bare"]
    main(numbers or [100, 1000, 3000], realistic="--bare" not in args, pairs=pairs)
