"""Processes: whether a run forks workers onto several cores, and its collector's pace.

Loading and rendering split into independent pieces (files, environments). Workers are
forked, so they start in milliseconds with the compiler and the shared data already in
memory (nothing is pickled on the way in but the items); where forking is not possible
(no ``fork`` start method, a sandbox or a process limit), the caller does the work in
its own process instead, with the same result.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

#: (function, shared data) of the running map: set before forking, read by the workers.
_FORKED: tuple[Callable[[Any, Any], Any], Any] | None = None


def tune_gc() -> None:
    """Collect garbage far less often (mypy does the same).

    A run builds many objects and few cycles; with the default thresholds a large run
    spends a third of its time in collection.
    """
    gc.set_threshold(200_000, 30, 30)


def cores() -> int:
    """How many cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def fork_map(
    func: Callable[[S, T], R], shared: S, items: Sequence[T], *, processes: int, chunksize: int = 1
) -> list[R] | None:
    """``[func(shared, item) for item in items]`` in forked workers, in order.

    At most ``processes`` workers. A few large items (three environments on two cores)
    get a worker each, so the cores share them out evenly instead of one core doing two
    while the other waits; more items than twice the cores get one worker per core.
    Returns None when workers cannot be had: the caller then runs the items itself.
    """
    global _FORKED
    if "fork" not in mp.get_all_start_methods():
        return None
    count = len(items) if len(items) <= 2 * cores() else cores()
    _FORKED = (func, shared)  # inherited by the forked workers, never pickled
    # Frozen objects are left out of collections: a worker's collector then never
    # writes to the parent's pages, which would copy them (time and memory).
    gc.freeze()
    try:
        with mp.get_context("fork").Pool(min(count, processes)) as pool:
            return pool.map(_call, items, chunksize=chunksize)
    except OSError:  # no processes to be had (a sandbox, a limit)
        return None
    finally:
        gc.unfreeze()
        _FORKED = None


def _call(item: Any) -> Any:
    assert _FORKED is not None, "only called in a forked worker"
    func, shared = _FORKED
    return func(shared, item)
