"""What the contract suites share: the instant the ledger and replay-guard cases start from
(``T0``) and the threads released together that the concurrency cases race (`storm`,
`race`, ``STORM``).

Re-exported by `jointinspect.testing.ledger`; this module imports nothing of pytest.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pendulum

T = TypeVar("T")

#: The instant the suites start from; every other instant is an offset of it.
T0 = pendulum.datetime(2025, 3, 3, 9, 0, tz="UTC")

#: Threads in the storm tests (the issue asks for at least 32).
STORM = 32


def storm(n: int, work: Callable[[int], T]) -> list[T]:
    """Run ``work(i)`` on ``n`` threads released together; re-raise the first failure."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    if errors:
        raise errors[0]
    return results


def race(n: int, attempt: Callable[[int], T], refused: type[BaseException]) -> list[T]:
    """`storm` of ``attempt(0..n-1)``, where ``refused`` is the expected way to lose: return
    what the winners returned, in thread order; any other error fails the test."""

    def guarded(i: int) -> list[T]:
        try:
            return [attempt(i)]
        except refused:
            return []

    return [value for outcome in storm(n, guarded) for value in outcome]
