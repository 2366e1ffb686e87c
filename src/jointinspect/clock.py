"""Clocks: the system clock for production, a settable one for tests and simulations."""

from __future__ import annotations

import datetime as dt
import threading

import pendulum

from jointinspect.timeutil import utc


class SystemClock:
    """The real time, in UTC. The only place jointinspect reads the wall clock."""

    def now(self) -> pendulum.DateTime:
        """The current instant."""
        return pendulum.now(pendulum.UTC)


class FixedClock:
    """A clock that stands still until moved: for tests, demos and simulations."""

    def __init__(self, start: dt.datetime) -> None:
        self._lock = threading.Lock()
        self._now = utc(start)

    def now(self) -> pendulum.DateTime:
        """The instant the clock is set to."""
        with self._lock:
            return self._now

    def set(self, instant: dt.datetime) -> None:
        """Move the clock to ``instant`` (aware)."""
        with self._lock:
            self._now = utc(instant)

    def advance(self, **duration: float) -> pendulum.DateTime:
        """Move forward by ``pendulum.duration(**duration)``; return the new instant."""
        with self._lock:
            self._now = self._now + pendulum.duration(**duration)
            return self._now
