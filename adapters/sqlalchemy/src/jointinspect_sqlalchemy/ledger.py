"""The frequency ledger in table ``ji_reservations``.

:class:`SQLLedger` works inside a unit of work (``uow.ledger``), so a plan and its
reservation commit together; :class:`SQLStandaloneLedger` (``store.ledger()``) runs each
call as its own short transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import attrs
import pendulum
from sqlalchemy import and_, bindparam, delete, null, or_, select, update
from sqlalchemy.sql import ClauseElement

from jointinspect.errors import IntegrityError
from jointinspect.model.plan import InspectionKind
from jointinspect.rules.frequency import (
    LedgerDecision,
    Reservation,
    ReservationState,
    RuleCheck,
    evaluate,
)
from jointinspect.timeutil import from_micros
from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy._protocols import UnitOfWorkSource, UnitOfWorkView
from jointinspect_sqlalchemy.held import changed_columns
from jointinspect_sqlalchemy.keyed import read_among
from jointinspect_sqlalchemy.statements import update_row

_MICRO = dt.timedelta(microseconds=1)
_RESERVATION_COLUMNS = (
    "id",
    "enterprise",
    "department",
    "inspectors",
    "kind",
    "at",
    "state",
    "expires_at",
    "departments",
)


def _reservation_row(r: Reservation) -> dict[str, Any]:
    return dict(zip(_RESERVATION_COLUMNS, _reservation_values(r), strict=True))


def _reservation_values(r: Reservation) -> tuple[Any, ...]:
    """The values of ``r``'s row, in `_RESERVATION_COLUMNS` order."""
    expires_at, departments = r.expires_at, r.departments
    return (
        r.id,
        r.enterprise,
        r.department,
        codec.name_list(r.inspectors),
        r.kind._value_,
        codec.micros(r.at),
        r.state._value_,
        None if expires_at is None else codec.micros(expires_at),
        # NULL for a visit of one department (every row before revision 0009 reads so too)
        codec.name_list(departments) if len(departments) > 1 else None,
    )


def _reservation(row: Sequence[Any]) -> Reservation:
    """A reservation from a row of ``select(reservations)`` (columns in table order).

    Through `Reservation.checked` (a ledger's preload reads every reservation of a chunk's
    enterprises): the values as its converters would make them (members, tuples, UTC
    instants; a NULL ``departments`` as the lead alone, what the class adds), so it skips
    them; a row holding anything else goes through them, as `_reservation_slow` does.
    """
    id_, enterprise, department, inspectors, kind, at, state, expires_at, departments = row
    return Reservation.checked(
        id_,
        enterprise,
        department,
        tuple(_strings(inspectors)),
        _KINDS.get(kind, kind),
        codec.instant(int(at)),
        _STATES.get(state, state),
        None if expires_at is None else codec.instant(int(expires_at)),
        (department,) if departments is None else tuple(_strings(departments)),
    )


def _reservation_slow(row: Sequence[Any]) -> Reservation:
    """`_reservation` through the class's converters (what it must equal; for tests)."""
    id_, enterprise, department, inspectors, kind, at, state, expires_at, departments = row
    return Reservation(
        id=id_,
        enterprise=enterprise,
        department=department,
        inspectors=_strings(inspectors),
        kind=kind,
        at=from_micros(int(at)),
        state=state,
        expires_at=None if expires_at is None else from_micros(int(expires_at)),
        departments=() if departments is None else _strings(departments),
    )


#: members by stored value (a value that is none of them goes to the converter, which refuses it).
_KINDS: dict[object, Any] = {member.value: member for member in InspectionKind}
_STATES: dict[object, Any] = {member.value: member for member in ReservationState}


def _strings(text: str) -> list[str]:
    """A JSON list of strings (as `codec.loads` gives it for ``list[str]``, without cattrs:
    a preload reads every reservation of a chunk's enterprises)."""
    found = json.loads(text)
    if type(found) is list and all(type(v) is str for v in found):
        return found
    return codec.loads(text, list[str])


#: `_fixed_width` of the windows seen lately, by identity (each object kept, so its id is
#: not reused): a chunk's checks share a few windows. Bounded by clearing.
_WIDTHS: dict[int, tuple[object, int | None]] = {}


def _fixed_width(window: dt.timedelta) -> int | None:
    """A rolling window's exact length in micros, or ``None`` for one of calendar months."""
    hit = _WIDTHS.get(id(window))
    if hit is not None and hit[0] is window:
        return hit[1]
    width = _fixed_width_uncached(window)
    if len(_WIDTHS) >= 256:
        _WIDTHS.clear()
    _WIDTHS[id(window)] = (window, width)
    return width


def _fixed_width_uncached(window: dt.timedelta) -> int | None:
    if getattr(window, "years", 0) or getattr(window, "months", 0):
        return None
    return dt.timedelta.__floordiv__(window, _MICRO)  # fixed length: exact


#: The widest window of a set of checks that are all fixed rolling windows (``None`` when
#: one is not), by the checks' identities (each kept, so an id is not reused): a filing's
#: plans of one kind share the same check objects. Bounded by clearing.
_ROLLING: dict[tuple[int, ...], tuple[Sequence[RuleCheck], int | None]] = {}


def _rolling_width(checks: Sequence[RuleCheck]) -> int | None:
    """The widest window of ``checks`` in micros when every one is a rolling window of
    fixed length, else ``None`` (none at all, a calendar bucket or months)."""
    key = tuple(map(id, checks))
    hit = _ROLLING.get(key)
    if hit is not None:
        return hit[1]
    width: int | None = None
    for check in checks:
        fixed = None if check.window is None else _fixed_width(check.window)
        if fixed is None:
            width = None
            break
        width = fixed if width is None else max(width, fixed)
    if len(_ROLLING) >= 64:
        _ROLLING.clear()
    _ROLLING[key] = (tuple(checks), width)
    return width


def _relevant_span(request: Reservation, checks: Sequence[RuleCheck]) -> tuple[int, int] | None:
    """``[lo, hi)`` in micros holding every reservation any check can count, or ``None``.

    A rolling window ``W`` only counts visits strictly within ``W`` of the new one; a
    calendar bucket only those inside it. Reading just this span keeps the check cheap on
    an enterprise with years of history.
    """
    at = codec.micros(request.at)
    width = _rolling_width(checks)
    if width is not None:  # only fixed rolling windows: the widest decides
        return at - width + 1, at + width
    spans: list[tuple[int, int]] = []
    for check in checks:
        window = check.window
        if window is not None:
            width = _fixed_width(window)
            if width is None:  # calendar months: pendulum
                width = codec.micros(request.at + window) - at
            spans.append((at - width + 1, at + width))
        elif check.bucket is not None:
            spans.append((codec.micros(check.bucket[0]), codec.micros(check.bucket[1])))
    if not spans:
        return None
    return min(lo for lo, _ in spans), max(hi for _, hi in spans)


def _ledger_read(with_span: bool) -> ClauseElement:
    t = s.reservations
    wanted = t.c.id == bindparam("id")
    if with_span:
        in_span = and_(t.c.enterprise == bindparam("enterprise"), t.c.at >= bindparam("lo"), t.c.at < bindparam("hi"))
        return select(t).where(or_(wanted, in_span))
    return select(t).where(wanted)


def _confirm_reservation() -> ClauseElement:
    t = s.reservations
    return (
        update(t)
        .where(t.c.id == bindparam("id"), t.c.state != bindparam("confirmed"))
        .values(state=bindparam("confirmed"), expires_at=null())
    )


def _release_reservation() -> ClauseElement:
    return delete(s.reservations).where(s.reservations.c.id == bindparam("id"))


def _update_reservation() -> ClauseElement:
    return update_row(s.reservations, "id", _RESERVATION_COLUMNS[1:])


def _missing(reservation_id: str) -> IntegrityError:
    """The refusal of an update of a reservation that is gone (an amend updates only a row
    it has just read under the enterprise lock: never raised unless that is broken)."""
    return IntegrityError(
        "storage.integrity",
        reason=f"reservation {reservation_id!r} does not exist",
        reason_zh=f"预约 {reservation_id!r} 不存在",
    )


def _held(uow: UnitOfWorkView, reservation: Reservation, *, new: bool, stored: Reservation | None = None) -> bool:
    """Hold the write of ``reservation`` (``new``: its id is not in the table; ``stored``:
    its row as this transaction sees it, read under the enterprise lock) when the unit of
    work holds its writes (see :mod:`jointinspect_sqlalchemy.held`); ``False`` when it
    writes at once."""
    held = uow.held
    if held is None:
        return False
    values = _reservation_values(reservation)
    kept = uow._store._bodies.reservations
    if stored is not None:
        # One keyed update of the row (its key unchanged) leaves the table as deleting and
        # inserting it would: one statement's row instead of two. When ``stored`` is the
        # value kept with the row values this store wrote for it, the row holds them (a
        # preload keeps a value only for the row written with them; every write here
        # keeps its own): only the columns that differ are set, so SQLite leaves the
        # index on (enterprise, at) alone when they stay.
        found = kept.entries.get(reservation.id)
        key = reservation.id
        if found is not None and found[1] is stored:
            row = changed_columns(_RESERVATION_COLUMNS, values, found[0])
        else:
            row = dict(zip(_RESERVATION_COLUMNS, values, strict=True))
        some = len(row) < len(_RESERVATION_COLUMNS)
        if len(row) > 1 and not held.update(s.reservations, "id", row, lambda: _missing(key), some=some):
            uow.send_held()
            held.update(s.reservations, "id", row, lambda: _missing(key), some=some)
    else:
        row = dict(zip(_RESERVATION_COLUMNS, values, strict=True))
        if not held.rewrite(s.reservations, "id", reservation.id, [row], new=new):
            uow.send_held()
            held.rewrite(s.reservations, "id", reservation.id, [row], new=new)
    # a bulk chunk: a later one's preload reads it back (bodies.py)
    kept.wrote(reservation.id, values, reservation)
    return True


class SQLLedger:
    """The frequency ledger inside a unit of work (``uow.ledger``): transactional with it.

    ``check_and_reserve`` locks the enterprise (a no-op if the operation already did),
    reads the reservations that can count, applies
    :func:`jointinspect.rules.frequency.evaluate` and inserts — all in the unit of work's
    transaction, so the plan and its reservation commit or vanish together.
    """

    __slots__ = ("_uow",)

    def __init__(self, uow: UnitOfWorkView) -> None:
        self._uow = uow

    def preload(self, enterprises: Sequence[str], since: pendulum.DateTime | None = None) -> None:
        """See :class:`jointinspect.ports.PreloadingLedger`: every reservation of
        ``enterprises`` at or after ``since`` (locked first, if this transaction does not
        hold them yet), read at once (:func:`~jointinspect_sqlalchemy.keyed.read_among`) and kept in the unit of work
        (``ledger_rows``) until it commits or rolls back. While kept, :meth:`_locked_rows`
        selects from them what its query would, when its span starts at or after
        ``since``, and every write here updates them: no other transaction writes the
        reservations of a locked enterprise, and in this one only this ledger does."""
        uow, t, kept = self._uow, s.reservations, self._uow.ledger_rows
        wanted = sorted(set(enterprises) - kept.rows.keys())
        locked = uow._locked
        for enterprise in wanted:
            if enterprise not in locked:  # a bulk chunk locked them all before
                uow.lock_enterprise(enterprise)
        bound = None if since is None else codec.micros(since)
        found: dict[str, dict[str, Reservation]] = {enterprise: {} for enterprise in wanted}
        rows = read_among(
            uow,
            ("reservations-of", bound is None),
            lambda among: select(t).where(
                among(t.c.enterprise, "enterprises"), *(() if bound is None else (t.c.at >= bindparam("since"),))
            ),
            {"enterprises": wanted},
            {} if bound is None else {"since": bound},
        )
        find = uow._store._bodies.reservations.find  # a row a bulk chunk wrote is not decoded again
        for row in rows:
            reservation = find(row[0], tuple(row)) or _reservation(row)
            if reservation.enterprise not in found:
                return  # matched by a collation, not equal: keep reading per check
            found[reservation.enterprise][reservation.id] = reservation
        kept.rows.update(found)
        kept.since.update(dict.fromkeys(found, bound))
        kept.homes.update({i: enterprise for enterprise, rows in found.items() for i in rows})

    def _locked_rows(self, reservation: Reservation, checks: Sequence[RuleCheck]) -> list[Reservation]:
        """Under the enterprise lock, the rows ``checks`` look at plus ``reservation``'s own.

        The lock first: reading before it could miss a reservation committed meanwhile.
        From the preload when it holds the enterprise from the span's start on (a
        reservation with the same id outside it, which the query would also return, cannot
        exist once visits have unique ids; if one did, inserting the new one would fail on
        its key)."""
        uow, store = self._uow, self._uow._store
        uow.lock_enterprise(reservation.enterprise)
        span = _relevant_span(reservation, checks)
        kept = uow.ledger_rows
        known = kept.rows.get(reservation.enterprise)
        if known is not None:
            lo, hi = span if span is not None else (0, 0)
            since = kept.since[reservation.enterprise]
            if span is None or since is None or lo >= since:
                return [r for r in known.values() if r.id == reservation.id or lo <= codec.micros(r.at) < hi]
        if span is None:
            read = store.statement("ledger-read-id", lambda: _ledger_read(False))
            params: dict[str, Any] = {"id": reservation.id}
        else:
            read = store.statement("ledger-read-span", lambda: _ledger_read(True))
            params = {"id": reservation.id, "enterprise": reservation.enterprise, "lo": span[0], "hi": span[1]}
        return [_reservation(r) for r in uow.run(read, params).fetchall()]

    def check_and_reserve(
        self, request: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime
    ) -> LedgerDecision:
        """See :meth:`jointinspect.ports.FrequencyLedger.check_and_reserve`."""
        uow, store = self._uow, self._uow._store
        rows = self._locked_rows(request, checks)
        for row in rows:
            if row.id == request.id:
                # Idempotent: already counted; report nothing new.
                return LedgerDecision(row)
        decision = evaluate(rows, request, checks, now)
        if decision.reservation is not None:
            if not _held(uow, request, new=True):
                uow.defer(
                    store.statement("ledger-insert", s.reservations.insert, _RESERVATION_COLUMNS),
                    _reservation_row(request),
                )
            self._kept(request.id, request)
        return decision

    def _kept(self, reservation_id: str, now: Reservation | None) -> None:
        """Keep the preloaded rows as the table is after a write of ``reservation_id``
        (``now``: the row as written, ``None`` when deleted)."""
        kept = self._uow.ledger_rows
        home = kept.homes.pop(reservation_id, None)
        if home is not None:
            del kept.rows[home][reservation_id]
        if now is not None and now.enterprise in kept.rows:
            kept.rows[now.enterprise][reservation_id] = now
            kept.homes[reservation_id] = now.enterprise

    def amend(self, reservation: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime) -> LedgerDecision:
        """See :meth:`jointinspect.ports.FrequencyLedger.amend`: under the enterprise lock,
        evaluate without the reservation itself, then replace its row."""
        uow, store = self._uow, self._uow._store
        rows = self._locked_rows(reservation, checks)
        decision = evaluate(rows, reservation, checks, now)
        if decision.reservation is not None:
            # Its row read back under the lock (same id, compared exactly): it is updated
            # in place, which leaves the table as deleting and inserting it would.
            stored = None
            for row in rows:
                if row.id == reservation.id:
                    stored = row
                    break
            if uow.held is not None:
                _held(uow, reservation, new=False, stored=stored)
            elif stored is not None:
                params = _reservation_row(reservation)
                params["match_key"] = params.pop("id")
                uow.defer(store.statement("ledger-update", _update_reservation), params)
            else:
                uow.defer(store.statement("ledger-release", _release_reservation), {"id": reservation.id})
                uow.defer(
                    store.statement("ledger-insert", s.reservations.insert, _RESERVATION_COLUMNS),
                    _reservation_row(reservation),
                )
            self._kept(reservation.id, reservation)
        return decision

    def confirm(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See :meth:`jointinspect.ports.FrequencyLedger.confirm` (the id is the key:
        ``enterprise`` is not needed)."""
        self._uow.defer(
            self._uow._store.statement("ledger-confirm", _confirm_reservation),
            {"id": reservation_id, "confirmed": ReservationState.CONFIRMED.value},
        )
        kept = self._uow.ledger_rows
        home = kept.homes.get(reservation_id)
        row = None if home is None else kept.rows[home][reservation_id]
        if row is not None and row.state is not ReservationState.CONFIRMED:
            self._kept(reservation_id, attrs.evolve(row, state=ReservationState.CONFIRMED, expires_at=None))

    def release(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See :meth:`jointinspect.ports.FrequencyLedger.release`."""
        self._uow.defer(self._uow._store.statement("ledger-release", _release_reservation), {"id": reservation_id})
        self._kept(reservation_id, None)

    def reservations(self, enterprise: str) -> list[Reservation]:
        """Every reservation of ``enterprise`` (expired pending ones included), oldest first."""
        t = s.reservations
        read = self._uow._store.statement(
            "ledger-of-enterprise",
            lambda: select(t).where(t.c.enterprise == bindparam("enterprise")).order_by(t.c.at, t.c.id),
        )
        return [_reservation(r) for r in self._uow.run(read, {"enterprise": enterprise}).fetchall()]


class SQLStandaloneLedger:
    """The store's ledger used on its own: each call is one short transaction."""

    def __init__(self, store: UnitOfWorkSource) -> None:
        self._store = store

    def check_and_reserve(
        self, request: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime
    ) -> LedgerDecision:
        """See :meth:`jointinspect.ports.FrequencyLedger.check_and_reserve`."""
        with self._store.unit_of_work() as uow:
            decision = SQLLedger(uow).check_and_reserve(request, checks, now)
            uow.commit()
        return decision

    def amend(self, reservation: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime) -> LedgerDecision:
        """See :meth:`jointinspect.ports.FrequencyLedger.amend`."""
        with self._store.unit_of_work() as uow:
            decision = SQLLedger(uow).amend(reservation, checks, now)
            uow.commit()
        return decision

    def confirm(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See :meth:`jointinspect.ports.FrequencyLedger.confirm`."""
        with self._store.unit_of_work() as uow:
            SQLLedger(uow).confirm(reservation_id, enterprise)
            uow.commit()

    def release(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See :meth:`jointinspect.ports.FrequencyLedger.release`."""
        with self._store.unit_of_work() as uow:
            SQLLedger(uow).release(reservation_id, enterprise)
            uow.commit()

    def reservations(self, enterprise: str) -> list[Reservation]:
        """See :meth:`jointinspect.ports.FrequencyLedger.reservations`."""
        with self._store.unit_of_work() as uow:
            return SQLLedger(uow).reservations(enterprise)
