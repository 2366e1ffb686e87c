"""The memory store's penalties and legal reviews (issue 12)."""

from __future__ import annotations

from collections.abc import Sequence

import pendulum

from jointinspect.memory._tables import _Base, _require_existing, _require_new
from jointinspect.model.penalty import LegalReview, Penalty, PenaltyKind, PenaltyState, ReviewState

_EARLIEST = pendulum.datetime(1, 1, 1, tz="UTC")


class _Penalties(_Base):
    def add(self, penalty: Penalty) -> None:
        _require_new(self._t.penalties, penalty.id, "penalty")
        self._t.penalties.put(self._j, penalty.id, penalty)
        self._t.penalties_by_enterprise.add(self._j, penalty.enterprise, penalty.id)
        self._index(penalty)

    def update(self, penalty: Penalty) -> None:
        _require_existing(self._t.penalties, penalty.id, "penalty")
        old = self._t.penalties.rows[penalty.id]
        self._t.penalties_public.remove(self._j, old.kind, old.publicity_start, old.id)
        self._t.penalties.put(self._j, penalty.id, penalty)
        self._index(penalty)

    def _index(self, penalty: Penalty) -> None:
        if penalty.state is PenaltyState.PUBLIC:
            self._t.penalties_public.add(self._j, penalty.kind, penalty.publicity_start, penalty.id)

    def get(self, penalty_id: str) -> Penalty | None:
        return self._t.penalties.rows.get(penalty_id)

    def for_enterprise(self, enterprise: str) -> list[Penalty]:
        rows = self._t.penalties.rows
        ids = self._t.penalties_by_enterprise.ids.get(enterprise, {})
        return sorted((rows[i] for i in ids), key=lambda p: (p.decided_at, p.id))

    def public_since(
        self,
        kinds: Sequence[PenaltyKind],
        before: pendulum.DateTime,
        after: tuple[pendulum.DateTime, str] | None,
        limit: int,
    ) -> list[Penalty]:
        rows, index = self._t.penalties.rows, self._t.penalties_public
        keys = sorted(
            (rows[i].publicity_start, i) for kind in set(kinds) for i in index.between(kind, _EARLIEST, before)
        )
        return [rows[i] for at, i in keys if after is None or (at, i) > after][:limit]


class _LegalReviews(_Base):
    def add(self, review: LegalReview) -> None:
        _require_new(self._t.legal_reviews, review.id, "legal review")
        self._t.legal_reviews.put(self._j, review.id, review)
        self._index(review)

    def update(self, review: LegalReview) -> None:
        _require_existing(self._t.legal_reviews, review.id, "legal review")
        old = self._t.legal_reviews.rows[review.id]
        self._t.legal_reviews_waiting.remove(self._j, None, old.deadline, old.id)
        self._t.legal_reviews.put(self._j, review.id, review)
        self._index(review)

    def _index(self, review: LegalReview) -> None:
        if review.state is ReviewState.REQUESTED and not review.overdue_warned:
            self._t.legal_reviews_waiting.add(self._j, None, review.deadline, review.id)

    def get(self, review_id: str) -> LegalReview | None:
        return self._t.legal_reviews.rows.get(review_id)

    def overdue(self, instant: pendulum.DateTime, limit: int) -> list[LegalReview]:
        rows = self._t.legal_reviews.rows
        return [rows[i] for i in self._t.legal_reviews_waiting.before(None, instant)[:limit]]
