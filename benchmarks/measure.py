"""One measurement shared by the benchmark scripts: time a call, then its peak memory."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable


def time_and_peak(fn: Callable[[], object]) -> tuple[float, float]:
    """Seconds of one call of ``fn``, then the peak traced memory (MiB) of a second call
    (tracing slows the call, so the two are measured apart)."""
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return seconds, peak / 2**20
