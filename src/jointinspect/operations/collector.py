"""Python's cyclic garbage collector during bulk work (issue 11).

A bulk filing builds, chunk after chunk, values that outlive the chunk (each request's
outcome, held by the caller) and contain no reference cycles: immutable plans, visits,
tuples. The collector cannot know that. Left alone it would traverse every one of them
again and again as it promotes them from generation to generation, and at every full
collection of the process, finding nothing: about 1 s at 100,000 plans, a fifth of the
Python of the whole filing (measured with ``gc.callbacks``). Two measures remove it:

* while a chunk is filed the collector is paused (`paused`): reference counting frees
  everything as usual, only cycles wait;
* after each chunk, and before the collector runs again, the survivors are moved out of
  its sight (`gc.freeze`), and put back at the end of the call (`gc.unfreeze`), into the
  oldest generation, where the process's next full collection traverses them once, as
  it would have anyway. (Instagram freezes its heap for the same reason; CPython's
  documentation recommends ``gc.freeze`` before a fork to spare copy-on-write pages.)

What freezing costs the rest of the process: a cycle that becomes garbage while the
call runs is collected only after it. What it must not break: a program that froze its
own objects (a server that forks workers) must find them frozen still, so nothing is
frozen when anything was frozen before the call (`gc.get_freeze_count`), and nothing is
done when the collector was not running.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Survivors", "paused", "survivors_set_aside"]


class Survivors:
    """Whether the call may freeze what its chunks leave behind (see the module docstring)."""

    def __init__(self, allowed: bool) -> None:
        self.allowed = allowed
        self.frozen = False

    def set_aside(self) -> None:
        """Freeze every object the collector tracks now (the chunk's survivors among them)."""
        if self.allowed:
            gc.freeze()
            self.frozen = True


@contextmanager
def survivors_set_aside() -> Iterator[Survivors]:
    """For one bulk call: its chunks' survivors may be frozen (`Survivors.set_aside`) when
    the collector runs and nothing else is frozen; all are unfrozen when the call ends,
    however it ends."""
    survivors = Survivors(gc.isenabled() and gc.get_freeze_count() == 0)
    try:
        yield survivors
    finally:
        if survivors.frozen:
            gc.unfreeze()


@contextmanager
def paused(survivors: Survivors | None = None) -> Iterator[None]:
    """The collector paused while a chunk is filed, if it was running; on the way out,
    before it runs again, ``survivors`` (if given) set aside, even when the chunk failed:
    whatever it left is traversed once, after the call."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if survivors is not None:
            survivors.set_aside()
        gc.enable()
