"""The plans and visits a bulk filing wrote, kept with their body text (issue 11), so a
later chunk's preload that reads that very text back does not decode it again.

A chunk's preload reads the open visits of its enterprises and their plans: in a bulk
filing, mostly rows an earlier chunk of the same filing wrote (the second department's
plan joins the first's visit). Decoding them was most of the preload: at 20,000 plans a
visit's body took ~18 us and a plan's ~9 us to decode, against ~2-3 us to read its row.

While a unit of work holds its writes (a bulk chunk), each plan and visit it writes is
kept here by id with the text its row stores. A read whose text is the kept one returns
the kept value when it is one whose body decodes to an equal value of the same types
(exact classes, sorted name tuples, members, UTC instants: what the codec's decoders
build); any other text (another writer's, an older version's) or value is decoded. The
values are frozen, so sharing them is safe. One entry per id (a later write replaces
it), at most `LIMIT` per kind (~20 MB each at most), the oldest dropped first; owned by
the store, emptied by its ``close``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, TypeVar

import pendulum

from jointinspect.model._trusted import sorted_names as _names  # a sorted tuple of distinct str
from jointinspect.model.plan import Inspection, InspectionKind, InspectionStatus, Plan, PlanStatus, Window
from jointinspect.rules.frequency import Reservation, ReservationState
from jointinspect_sqlalchemy import codec

T = TypeVar("T")

#: Entries per kind (a filing's visits are read back ~10 chunks after they are written at
#: 100,000 plans: ~10,000 of each kind in between).
LIMIT = 16_384


_DATETIME = pendulum.DateTime
_UTC = pendulum.UTC

# The checks below are written out flat (no helper per field, each field read once): a
# kept value is checked each time it is read back, ~150,000 times at 100,000 plans.


def _texts(value: object) -> bool:
    # mostly empty (a plan's approvals before any): no generator built for it
    return type(value) is tuple and (not value or all(type(text) is str for text in value))


def _window(value: object) -> bool:
    return (
        type(value) is Window
        and type(start := value.start) is _DATETIME
        and start.tzinfo is _UTC
        and type(end := value.end) is _DATETIME
        and end.tzinfo is _UTC
    )


def plain_plan(p: Plan) -> bool:
    """Whether decoding ``p``'s body gives a value equal to ``p``, of the same types."""
    return (
        type(p) is Plan
        and type(p.id) is str
        and type(p.enterprise) is str
        and type(p.department) is str
        and _names(p.items)
        and _names(p.inspectors)
        and _window(p.window)
        and type(p.kind) is InspectionKind
        and type(filed_at := p.filed_at) is _DATETIME
        and filed_at.tzinfo is _UTC
        and type(p.status) is PlanStatus
        and ((inspection_id := p.inspection_id) is None or type(inspection_id) is str)
        and _texts(p.approvals)
        and type(p.reason) is str
        and _texts(p.approved_by)
        and ((key := p.idempotency_key) is None or type(key) is str)
    )


def plain_inspection(i: Inspection) -> bool:
    """Whether decoding ``i``'s body gives a value equal to ``i``, of the same types."""
    return (
        type(i) is Inspection
        and type(i.id) is str
        and type(i.enterprise) is str
        and type(i.lead_department) is str
        and _names(i.plan_ids)
        and _names(i.departments)
        and _names(i.items)
        and _names(i.inspectors)
        and _window(i.window)
        and type(i.kind) is InspectionKind
        and type(created_at := i.created_at) is _DATETIME
        and created_at.tzinfo is _UTC
        and type(i.status) is InspectionStatus
        and ((successor := i.successor) is None or type(successor) is str)
        and ((reservation_id := i.reservation_id) is None or type(reservation_id) is str)
        and (
            (completed_at := i.completed_at) is None
            or (type(completed_at) is _DATETIME and completed_at.tzinfo is _UTC)
        )
    )


def plain_reservation(r: Reservation) -> bool:
    """Whether decoding ``r``'s row gives a value equal to ``r``, of the same types."""
    return (
        type(r) is Reservation
        and type(r.id) is str
        and type(r.enterprise) is str
        and type(r.department) is str
        and _names(r.inspectors)
        and type(r.kind) is InspectionKind
        and type(at := r.at) is _DATETIME
        and at.tzinfo is _UTC
        and type(r.state) is ReservationState
        and ((expires_at := r.expires_at) is None or (type(expires_at) is _DATETIME and expires_at.tzinfo is _UTC))
        and _names(departments := r.departments)
        # a row stores one department as NULL, read back as the lead alone
        and (len(departments) > 1 or departments == (r.department,))
    )


class Kept:
    """One kind's kept values: id -> (body text, value); the body is the row's values
    (a tuple) for `rows` kinds."""

    __slots__ = ("body_type", "entries", "plain")

    def __init__(self, plain: Callable[[Any], bool], body_type: type = str) -> None:
        self.entries: dict[str, tuple[Any, Any]] = {}
        self.plain = plain
        self.body_type = body_type

    def wrote(self, key: str, body: Any, value: Any) -> None:
        """Keep ``value``, written with ``body`` under ``key`` (another body drops the entry)."""
        entries = self.entries
        if type(body) is not self.body_type:
            entries.pop(key, None)  # the row no longer holds what was kept
            return
        if len(entries) >= LIMIT and key not in entries:
            # the oldest quarter goes (clearing all lost the next ~10 chunks' reads at 100,000 plans)
            for old in list(itertools.islice(entries, LIMIT // 4)):
                entries.pop(old, None)  # another thread's chunk may have dropped it first
        entries[key] = (body, value)

    def read(self, key: str, body: str, kind: type[T]) -> T:
        """The value kept for ``key`` if `find` gives it, else ``body`` decoded as ``kind``."""
        found: T | None = self.find(key, body)
        return codec.loads(body, kind) if found is None else found

    def find(self, key: str, body: object) -> Any:
        """The value kept for ``key`` when ``body`` is its body and it is plain, else ``None``."""
        found = self.entries.get(key)
        # checked here, not when written: only about half the values written are read back
        # (1.2 us a check; a written value kept unchecked costs 0.3 us, a decode ~5.5 us)
        if found is not None and found[0] == body and self.plain(found[1]):
            return found[1]
        return None


class WrittenBodies:
    """A store's kept plans and visits (see the module documentation)."""

    __slots__ = ("inspections", "plans", "reservations")

    def __init__(self) -> None:
        self.plans = Kept(plain_plan)
        self.inspections = Kept(plain_inspection)
        #: the ledger's reservations, by the values of their rows (table order)
        self.reservations = Kept(plain_reservation, tuple)

    def clear(self) -> None:
        """Forget everything kept."""
        self.plans.entries.clear()
        self.inspections.entries.clear()
        self.reservations.entries.clear()
