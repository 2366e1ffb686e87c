"""Penalties and legal reviews (issue 12): JSON bodies with the queried attributes as columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pendulum
from sqlalchemy import and_, or_, select

from jointinspect.model.penalty import LegalReview, Penalty, PenaltyKind, PenaltyState, ReviewState
from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.repositories._common import _Repo


def _penalty_row(penalty: Penalty) -> dict[str, Any]:
    return {
        "id": penalty.id,
        "enterprise": penalty.enterprise,
        "decided_at": codec.micros(penalty.decided_at),
        "state": penalty.state.value,
        "kind": penalty.kind.value,
        "publicity_start": codec.micros(penalty.publicity_start),
        "body": codec.dumps(penalty),
    }


class _Penalties(_Repo):
    def add(self, penalty: Penalty) -> None:
        self._add(s.penalties, _penalty_row(penalty), "penalty", penalty.id)

    def update(self, penalty: Penalty) -> None:
        self._update(s.penalties, "id", _penalty_row(penalty), "penalty")

    def get(self, penalty_id: str) -> Penalty | None:
        found: Penalty | None = self._one(s.penalties, penalty_id, Penalty)
        return found

    def for_enterprise(self, enterprise: str) -> list[Penalty]:
        t = s.penalties
        return self._bodies(
            select(t.c.body).where(t.c.enterprise == enterprise).order_by(t.c.decided_at, t.c.id), Penalty
        )

    def public_since(
        self,
        kinds: Sequence[PenaltyKind],
        before: pendulum.DateTime,
        after: tuple[pendulum.DateTime, str] | None,
        limit: int,
    ) -> list[Penalty]:
        if not kinds:
            return []
        t = s.penalties
        statement = select(t.c.body).where(
            t.c.state == PenaltyState.PUBLIC.value,
            t.c.kind.in_(sorted({k.value for k in kinds})),
            t.c.publicity_start <= codec.micros(before),
        )
        if after is not None:
            at = codec.micros(after[0])
            statement = statement.where(
                or_(t.c.publicity_start > at, and_(t.c.publicity_start == at, t.c.id > after[1]))
            )
        return self._bodies(statement.order_by(t.c.publicity_start, t.c.id).limit(limit), Penalty)


def _review_row(review: LegalReview) -> dict[str, Any]:
    return {
        "id": review.id,
        "state": review.state.value,
        "overdue_warned": review.overdue_warned,
        "deadline": codec.micros(review.deadline),
        "body": codec.dumps(review),
    }


class _LegalReviews(_Repo):
    def add(self, review: LegalReview) -> None:
        self._add(s.legal_reviews, _review_row(review), "legal review", review.id)

    def update(self, review: LegalReview) -> None:
        self._update(s.legal_reviews, "id", _review_row(review), "legal review")

    def get(self, review_id: str) -> LegalReview | None:
        found: LegalReview | None = self._one(s.legal_reviews, review_id, LegalReview)
        return found

    def overdue(self, instant: pendulum.DateTime, limit: int) -> list[LegalReview]:
        t = s.legal_reviews
        statement = (
            select(t.c.body)
            .where(
                t.c.state == ReviewState.REQUESTED.value,
                t.c.overdue_warned.is_(False),
                t.c.deadline < codec.micros(instant),
            )
            .order_by(t.c.deadline, t.c.id)
            .limit(limit)
        )
        return self._bodies(statement, LegalReview)
