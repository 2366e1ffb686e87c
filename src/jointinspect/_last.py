"""A function's last answer, kept while it is asked again about the very same objects.

Bulk filing asks some questions once a plan with the same objects: the chunk's one clock
reading, its filing date, its policy. Keeping the last answer under the identity of those
objects (all immutable) makes the repeats cost a comparison; a different object is simply
a miss. The answer and its key are replaced as one tuple, so a thread sees either the old
pair or the new one, never a mix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

R = TypeVar("R")


class LastAnswer(Generic[R]):
    """The last answer of one question, for the objects it was asked about."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: tuple[object, object, R] | None = None

    def get(self, first: object, second: object, compute: Callable[[], R]) -> R:
        """``compute()``, or its last answer when asked again about ``first`` and ``second``
        themselves (``None`` for a question about one object)."""
        last = self._last
        if last is not None and last[0] is first and last[1] is second:
            return last[2]
        answer = compute()
        self._last = (first, second, answer)
        return answer
