"""Fuzz whole spec trees at scale, outside the test suite's time (a script).

Usage: python bench/fuzz.py [CASES]   (default: 10000)

Each case is a valid platform (the bundled example, or the golden cases' small base)
with one to four edits across its files (tests/fuzzing.py: structural, text and byte
mutations, generated services, files deleted or copied). The property: validating
never raises; every diagnostic is located in a file of the tree with a message; every
report format renders; a tree that validates renders, twice to the same bytes.

Prints the counts, the problems found (with the edits that caused them), and the
slowest cases, as Markdown for docs/benchmarks.md. Exits 1 when a problem was found.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("PLATFORM_TODAY", "2026-11-28")  # the example's secrets' day

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from generators import workers  # noqa: E402
from tests.fuzzing import Case, Outcome, check, trees  # noqa: E402

#: A case slower than this is listed (validate and two renders of a small platform).
SLOW = 2.0


def main(cases: int) -> int:
    """Run ``cases`` cases; print the report; 1 when the property broke."""
    workers.tune_gc()
    outcomes: list[tuple[float, Outcome]] = []
    scratch = Path(tempfile.mkdtemp(prefix="platform-fuzz-"))

    @settings(
        max_examples=cases,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # count every case; a problem is reported, not shrunk
        suppress_health_check=list(HealthCheck),
    )
    @given(case=trees())
    def run(case: Case) -> None:
        root = scratch / f"case-{len(outcomes)}"
        start = time.perf_counter()
        outcome = check(case, root)
        outcomes.append((time.perf_counter() - start, outcome))
        shutil.rmtree(root, ignore_errors=True)

    began = time.perf_counter()
    try:
        run()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    total = time.perf_counter() - began
    broken = [(seconds, o) for seconds, o in outcomes if o.problems]
    kinds = Counter(p.split(":", 1)[0].split(" raised")[0] for _, o in broken for p in o.problems)
    rendered = sum(o.rendered for _, o in outcomes)
    located = sum(o.diagnostics for _, o in outcomes)
    slow = sorted(((s, o) for s, o in outcomes if s > SLOW), key=lambda x: -x[0])
    print(f"| cases | rendered (valid) | diagnostics | problems | slow (> {SLOW:g} s) | seconds |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {len(outcomes):,} | {rendered:,} | {located:,} | {len(broken)} | {len(slow)} "
        f"| {total:,.0f} |"
    )
    if kinds:
        print("\nProblems by kind: " + ", ".join(f"{k} ({n})" for k, n in kinds.most_common()))
    for seconds, outcome in broken[:10]:
        print(f"\n### {seconds:.2f} s\n")
        print("\n".join(f"- edit: {e[:300]}" for e in outcome.edits))
        print("\n".join(f"    {p}" for p in outcome.problems))
    if slow:
        print("\nSlowest cases:")
        for seconds, outcome in slow[:5]:
            print(f"- {seconds:.2f} s: " + "; ".join(e[:120] for e in outcome.edits))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
