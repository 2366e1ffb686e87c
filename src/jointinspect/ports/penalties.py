"""The repositories of penalty decisions and of the legal reviews of major decisions.

Part of `jointinspect.ports`; its docstring states the rules every repository keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import pendulum

from jointinspect.model.penalty import LegalReview, Penalty, PenaltyKind


class PenaltyRepository(Protocol):
    """Penalty decisions with their publicity and credit repair."""

    def add(self, penalty: Penalty) -> None:
        """Insert a new penalty (its id must be new)."""
        ...

    def update(self, penalty: Penalty) -> None:
        """Replace a stored penalty."""
        ...

    def get(self, penalty_id: str) -> Penalty | None:
        """One penalty by id."""
        ...

    def for_enterprise(self, enterprise: str) -> list[Penalty]:
        """Penalties of one enterprise ordered by ``(decided_at, id)``."""
        ...

    def public_since(
        self,
        kinds: Sequence[PenaltyKind],
        before: pendulum.DateTime,
        after: tuple[pendulum.DateTime, str] | None,
        limit: int,
    ) -> list[Penalty]:
        """``PUBLIC`` penalties of ``kinds`` publicised at or before ``before``, ordered by
        ``(publicity_start, id)``, strictly after ``after``, at most ``limit``. Cost: the rows
        returned (indexed by state, kind and publicity start)."""
        ...


class LegalReviewRepository(Protocol):
    """Legal reviews of major decisions."""

    def add(self, review: LegalReview) -> None:
        """Insert a new review."""
        ...

    def update(self, review: LegalReview) -> None:
        """Replace a stored review."""
        ...

    def get(self, review_id: str) -> LegalReview | None:
        """One review by id."""
        ...

    def overdue(self, instant: pendulum.DateTime, limit: int) -> list[LegalReview]:
        """``REQUESTED`` reviews not yet warned about whose deadline is before ``instant``,
        ordered by ``(deadline, id)``, at most ``limit``. Cost: the rows returned."""
        ...
