"""The memory store's tables: journalled dicts and indexes a unit of work can undo."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Hashable
from typing import Any, Generic, NamedTuple, TypeVar

import attrs
import pendulum

from jointinspect.audit import AuditHead
from jointinspect.errors import IntegrityError, record_zh
from jointinspect.model.conflict import ConflictFlag
from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.guidance import LoopStep
from jointinspect.model.licence import Licence
from jointinspect.model.notification import Notification
from jointinspect.model.penalty import LegalReview, Penalty
from jointinspect.model.plan import Inspection, Plan
from jointinspect.model.rectification import Rectification
from jointinspect.model.reference import (
    Department,
    Enterprise,
    Inspector,
    Scenario,
    SupervisionItem,
)
from jointinspect.model.result import ResultRecord
from jointinspect.model.visit import Visit
from jointinspect.model.watch import InspectorStreak
from jointinspect.rules.frequency import (
    Reservation,
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_MISSING: Any = object()

#: Undo steps, each ``(function, *arguments)``: a tuple costs less to make and to free
#: than a closure, and a bulk filing journals tens of thousands a chunk.
Journal = list[tuple[Any, ...]]


def undo_all(journal: Journal) -> None:
    """Run ``journal``'s undo steps, newest first, emptying it."""
    while journal:
        step = journal.pop()
        step[0](*step[1:])


class _Table(Generic[K, V]):
    """A dict whose writes are journalled so that a unit of work can undo them."""

    def __init__(self) -> None:
        self.rows: dict[K, V] = {}

    def put(self, journal: Journal, key: K, value: V) -> None:
        old = self.rows.get(key, _MISSING)
        self.rows[key] = value
        journal.append((self._restore, key, old))

    def delete(self, journal: Journal, key: K) -> None:
        old = self.rows.pop(key, _MISSING)
        if old is not _MISSING:
            journal.append((self._restore, key, old))

    def _restore(self, key: K, old: V) -> None:
        if old is _MISSING:
            self.rows.pop(key, None)
        else:
            self.rows[key] = old


class _Index:
    """enterprise (or other key) -> ordered ids, journalled like `_Table`."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[str, None]] = defaultdict(dict)

    def add(self, journal: Journal, key: str, row_id: str) -> None:
        bucket = self.ids[key]
        if row_id not in bucket:
            bucket[row_id] = None
            journal.append((bucket.pop, row_id, None))

    def remove(self, journal: Journal, key: str, row_id: str) -> None:
        bucket = self.ids[key]
        if row_id in bucket:
            del bucket[row_id]
            # Re-adding appends at the end; order here only matters for listing, which sorts.
            journal.append((bucket.__setitem__, row_id, None))


class _Sorted:
    """key -> ``(order, id)`` pairs kept sorted, journalled like `_Table`: a range read
    costs a binary search plus the rows it returns, however long the history."""

    def __init__(self) -> None:
        self.rows: dict[Hashable, list[tuple[Any, str]]] = defaultdict(list)

    def add(self, journal: Journal, key: Hashable, order: Any, row_id: str) -> None:
        bucket, entry = self.rows[key], (order, row_id)
        # Rows mostly come in order (new ids, later windows): past the last, no search.
        i = len(bucket) if not bucket or bucket[-1] < entry else bisect.bisect_left(bucket, entry)
        if i == len(bucket) or bucket[i] != entry:
            bucket.insert(i, entry)
            journal.append((_discard, bucket, entry))

    def remove(self, journal: Journal, key: Hashable, order: Any, row_id: str) -> None:
        bucket, entry = self.rows.get(key), (order, row_id)
        if bucket is not None and _drop(bucket, entry):
            journal.append((bisect.insort, bucket, entry))

    def at_or_after(self, key: Hashable, low: Any) -> list[str]:
        """Ids whose order is ``>= low``, in ``(order, id)`` order."""
        bucket = self.rows.get(key, [])
        return [row_id for _, row_id in bucket[bisect.bisect_left(bucket, (low,)) :]]

    def before(self, key: Hashable, high: Any) -> list[str]:
        """Ids whose order is ``< high``, in ``(order, id)`` order."""
        bucket = self.rows.get(key, [])
        return [row_id for _, row_id in bucket[: bisect.bisect_left(bucket, (high,))]]

    def between(self, key: Hashable, low: Any, high: Any) -> list[str]:
        """Ids whose order is in ``[low, high]``, in ``(order, id)`` order."""
        bucket = self.rows.get(key, [])
        lo = bisect.bisect_left(bucket, (low,))
        hi = bisect.bisect_right(bucket, (high, chr(0x10FFFF)))
        return [row_id for _, row_id in bucket[lo:hi]]


def _discard(bucket: list[tuple[Any, str]], entry: tuple[Any, str]) -> None:
    _drop(bucket, entry)


def _drop(bucket: list[tuple[Any, str]], entry: tuple[Any, str]) -> bool:
    i = bisect.bisect_left(bucket, entry)
    if i < len(bucket) and bucket[i] == entry:
        del bucket[i]
        return True
    return False


def _page(rows: list[V], limit: int | None, offset: int) -> list[V]:
    return rows[offset : None if limit is None else offset + limit]


class AuditRow(NamedTuple):
    """An audit entry as the memory store keeps it: the columns a SQL table would have,
    with the body exactly as hashed (so the tamper suite can edit it like a database row)."""

    seq: object
    prev_hash: object
    hash: object
    body: object


@attrs.define
class _Tables:
    enterprises: _Table[str, Enterprise] = attrs.Factory(_Table)
    departments: _Table[str, Department] = attrs.Factory(_Table)
    inspectors: _Table[str, Inspector] = attrs.Factory(_Table)
    items: _Table[str, SupervisionItem] = attrs.Factory(_Table)
    scenarios: _Table[str, Scenario] = attrs.Factory(_Table)
    plans: _Table[str, Plan] = attrs.Factory(_Table)
    plans_by_enterprise: _Index = attrs.Factory(_Index)
    plans_by_idempotency: _Table[str, str] = attrs.Factory(_Table)
    inspections: _Table[str, Inspection] = attrs.Factory(_Table)
    inspections_by_enterprise: _Index = attrs.Factory(_Index)
    visits: _Table[str, Visit] = attrs.Factory(_Table)
    visits_by_inspection: _Index = attrs.Factory(_Index)
    visits_by_inspector: _Index = attrs.Factory(_Index)
    results: _Table[str, ResultRecord] = attrs.Factory(_Table)
    results_by_enterprise: _Index = attrs.Factory(_Index)
    results_by_inspection: _Index = attrs.Factory(_Index)
    rectifications: _Table[str, Rectification] = attrs.Factory(_Table)
    rectifications_by_enterprise: _Index = attrs.Factory(_Index)
    evaluations: _Table[str, Evaluation] = attrs.Factory(_Table)
    complaints: _Table[str, Complaint] = attrs.Factory(_Table)
    complaints_by_enterprise: _Index = attrs.Factory(_Index)
    outbox: _Table[str, tuple[int, Notification, bool]] = attrs.Factory(_Table)
    #: undelivered outbox rows: order number -> key (so `pending` never scans delivered rows)
    outbox_pending: _Table[int, str] = attrs.Factory(_Table)
    #: failed delivery attempts of pending rows: key -> (attempts, next attempt at)
    outbox_retry: _Table[str, tuple[int, pendulum.DateTime]] = attrs.Factory(_Table)
    audit: _Table[int, AuditRow] = attrs.Factory(_Table)
    audit_head: _Table[str, AuditHead] = attrs.Factory(_Table)
    reservations: _Table[str, Reservation] = attrs.Factory(_Table)
    reservations_by_enterprise: _Index = attrs.Factory(_Index)
    replay_keys: _Table[str, pendulum.DateTime] = attrs.Factory(_Table)
    # Bounded reads (issue 15): each operation reads O(result), never O(history).
    #: enterprise -> plans by window end (open inspections a new plan may join)
    plans_by_reach: _Sorted = attrs.Factory(_Sorted)
    plans_by_inspection: _Index = attrs.Factory(_Index)
    #: (enterprise, item) -> results by recorded_at; failed results' ids
    results_by_item: _Sorted = attrs.Factory(_Sorted)
    failures_by_item: _Sorted = attrs.Factory(_Sorted)
    #: None -> open rectifications by deadline
    rectifications_open: _Sorted = attrs.Factory(_Sorted)
    #: enterprise -> reservations by visit time (the ledger reads only the rules' span)
    reservations_by_time: _Sorted = attrs.Factory(_Sorted)
    counter: list[int] = attrs.Factory(lambda: [0, 0])  # outbox order; deletions since compaction
    # Issue 12: the guidance-penalty-assistance loop, the watch, conflicting standards.
    loop_steps: _Table[str, LoopStep] = attrs.Factory(_Table)
    loop_steps_by_result: _Index = attrs.Factory(_Index)
    loop_steps_by_enterprise: _Index = attrs.Factory(_Index)
    streaks: _Table[tuple[str, str], InspectorStreak] = attrs.Factory(_Table)
    conflict_flags: _Table[str, ConflictFlag] = attrs.Factory(_Table)
    conflict_flags_by_inspection: _Index = attrs.Factory(_Index)
    # Issue 12: spot-check draws, conflicts, quiet slots, device keys, offline check-ins.
    spot_checks: _Table[str, Any] = attrs.Factory(_Table)
    #: (department, campaign) -> draw id
    spot_checks_by_campaign: _Table[tuple[str, str], str] = attrs.Factory(_Table)
    #: (department, enterprise) -> (drawn_at, draw id, inspectors) of the latest draw
    spot_pairs: _Table[tuple[str, str], tuple[Any, str, tuple[str, ...]]] = attrs.Factory(_Table)
    #: (inspector, enterprise) -> conflict
    spot_conflicts: _Table[tuple[str, str], Any] = attrs.Factory(_Table)
    quiet_slots: _Table[str, Any] = attrs.Factory(_Table)
    quiet_slots_by_enterprise: _Index = attrs.Factory(_Index)
    device_keys: _Table[str, Any] = attrs.Factory(_Table)
    offline_checkins: _Table[str, Any] = attrs.Factory(_Table)
    # Operator listings (issue 11; see memory/listing.py): (filters) -> rows in listing order.
    listing_enterprises: _Sorted = attrs.Factory(_Sorted)
    listing_plans: _Sorted = attrs.Factory(_Sorted)
    listing_inspections: _Sorted = attrs.Factory(_Sorted)
    listing_rectifications: _Sorted = attrs.Factory(_Sorted)
    listing_complaints: _Sorted = attrs.Factory(_Sorted)
    listing_evaluations: _Sorted = attrs.Factory(_Sorted)
    # Licence prewarning, credit repair and legal review (issue 12).
    licences: _Table[str, Licence] = attrs.Factory(_Table)
    #: None -> licences by (expiry, kind, number)
    licences_by_expiry: _Sorted = attrs.Factory(_Sorted)
    #: lead time (days) -> the (expiry, kind, number) of the last licence claimed for it
    licence_cursors: _Table[int, tuple[dt.date, str, str]] = attrs.Factory(_Table)
    #: licence key -> the expiry it was put at behind a cursor (claimed by the next sweep)
    licence_late: _Table[str, dt.date] = attrs.Factory(_Table)
    penalties: _Table[str, Penalty] = attrs.Factory(_Table)
    penalties_by_enterprise: _Index = attrs.Factory(_Index)
    #: kind -> public penalties by publicity start
    penalties_public: _Sorted = attrs.Factory(_Sorted)
    legal_reviews: _Table[str, LegalReview] = attrs.Factory(_Table)
    #: None -> requested, not yet warned reviews by deadline
    legal_reviews_waiting: _Sorted = attrs.Factory(_Sorted)


def _require_new(table: _Table[str, Any], key: str, kind: str) -> None:
    if key in table.rows:
        raise IntegrityError(
            "storage.integrity", reason=f"{kind} {key!r} already exists", reason_zh=f"{record_zh(kind)} {key!r} 已存在"
        )


def _require_existing(table: _Table[str, Any], key: str, kind: str) -> None:
    if key not in table.rows:
        raise IntegrityError(
            "storage.integrity", reason=f"{kind} {key!r} does not exist", reason_zh=f"{record_zh(kind)} {key!r} 不存在"
        )


class _Base:
    def __init__(self, tables: _Tables, journal: Journal) -> None:
        self._t = tables
        self._j = journal
