"""Forked workers: results in order, the parent's collector left as it was."""

from __future__ import annotations

import gc
import os

import pytest

from generators import workers


def test_fork_map_returns_results_in_order_from_other_processes() -> None:
    parent = os.getpid()
    results = workers.fork_map(
        lambda shared, item: (shared + item, os.getpid()), 10, [1, 2, 3], processes=4
    )
    if results is None:
        pytest.skip("no forked workers here (no fork start method, or a process limit)")
    assert [value for value, _ in results] == [11, 12, 13]
    assert parent not in {pid for _, pid in results}


def test_fork_map_unfreezes_the_collector_even_when_a_worker_fails() -> None:
    def fail(shared: None, item: int) -> int:
        raise ValueError(f"item {item} failed")

    with pytest.raises(ValueError, match=r"item \d failed"):
        workers.fork_map(fail, None, [1, 2, 3], processes=2)
    assert gc.get_freeze_count() == 0
    assert workers.fork_map(lambda shared, item: item, None, [4], processes=1) == [4]
    assert gc.get_freeze_count() == 0
