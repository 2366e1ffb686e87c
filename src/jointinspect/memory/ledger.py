"""The memory frequency ledger: the store's own (transactional) and a standalone one."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import pendulum

from jointinspect.memory._tables import (
    _Base,
    _Tables,
)
from jointinspect.rules.frequency import (
    LedgerDecision,
    Reservation,
    ReservationState,
    RuleCheck,
    evaluate,
)
from jointinspect.timeutil import shifted, shifted_back


class _Ledger(_Base):
    def check_and_reserve(
        self, request: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime
    ) -> LedgerDecision:
        if request.id in self._t.reservations.rows:
            # Idempotent: the visit is already counted; report nothing new.
            return LedgerDecision(self._t.reservations.rows[request.id])
        decision = evaluate(self._in_span(request, checks), request, checks, now)
        if decision.reservation is not None:
            self._t.reservations.put(self._j, request.id, request)
            self._t.reservations_by_enterprise.add(self._j, request.enterprise, request.id)
            self._t.reservations_by_time.add(self._j, request.enterprise, request.at, request.id)
        return decision

    def amend(self, reservation: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime) -> LedgerDecision:
        # evaluate() leaves the stored row of the same id out of the counts
        decision = evaluate(self._in_span(reservation, checks), reservation, checks, now)
        if decision.reservation is not None:
            old = self._t.reservations.rows.get(reservation.id)
            self._t.reservations.put(self._j, reservation.id, reservation)
            if old is not None and old.enterprise == reservation.enterprise and old.at == reservation.at:
                return decision  # indexed where it was (a visit joined without moving)
            if old is not None:
                self._t.reservations_by_enterprise.remove(self._j, old.enterprise, reservation.id)
                self._t.reservations_by_time.remove(self._j, old.enterprise, old.at, reservation.id)
            self._t.reservations_by_enterprise.add(self._j, reservation.enterprise, reservation.id)
            self._t.reservations_by_time.add(self._j, reservation.enterprise, reservation.at, reservation.id)
        return decision

    def _in_span(self, request: Reservation, checks: Sequence[RuleCheck]) -> list[Reservation]:
        """The enterprise's reservations any check can count (as the SQL ledger reads them):
        within a rolling window of the new visit, or inside a calendar bucket."""
        # One pass keeping the widest span (no list of spans, no min/max over it).
        at = request.at
        low: dt.datetime | None = None
        high: dt.datetime | None = None
        lo: dt.datetime
        hi: dt.datetime
        for check in checks:
            window = check.window
            if window is not None and (window.years or window.months):
                lo, hi = at - window, at + window  # calendar months: pendulum
            elif window is not None:
                # fixed length: plain datetime arithmetic (pendulum's costs microseconds a call)
                lo, hi = shifted_back(at, window), shifted(at, window)
            elif check.bucket is not None:
                lo, hi = check.bucket
            else:
                continue
            if low is None or lo < low:
                low = lo
            if high is None or hi > high:
                high = hi
        if low is None or high is None:
            return []
        rows = self._t.reservations.rows
        return [rows[i] for i in self._t.reservations_by_time.between(request.enterprise, low, high)]

    def confirm(self, reservation_id: str, enterprise: str | None = None) -> None:
        row = self._t.reservations.rows.get(reservation_id)
        if row is not None and row.state is not ReservationState.CONFIRMED:
            confirmed = attrs.evolve(row, state=ReservationState.CONFIRMED, expires_at=None)
            self._t.reservations.put(self._j, reservation_id, confirmed)

    def release(self, reservation_id: str, enterprise: str | None = None) -> None:
        row = self._t.reservations.rows.get(reservation_id)
        if row is not None:
            self._t.reservations.delete(self._j, reservation_id)
            self._t.reservations_by_enterprise.remove(self._j, row.enterprise, reservation_id)
            self._t.reservations_by_time.remove(self._j, row.enterprise, row.at, reservation_id)

    def reservations(self, enterprise: str, now: pendulum.DateTime | None = None) -> list[Reservation]:
        rows = self._t.reservations.rows
        live = (rows[i] for i in self._t.reservations_by_enterprise.ids.get(enterprise, {}))
        if now is not None:
            live = (
                r for r in live if not (r.state is ReservationState.PENDING and r.expires_at and r.expires_at <= now)
            )
        return sorted(live, key=lambda r: (r.at, r.id))


class MemoryLedger:
    """A stand-alone, thread-safe frequency ledger (for a separate-ledger deployment or
    to test the contract); a `MemoryStore` has its own transactional one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables = _Tables()

    def _run(self, fn: Callable[[_Ledger], Any]) -> Any:
        with self._lock:
            return fn(_Ledger(self._tables, []))

    def check_and_reserve(
        self, request: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime
    ) -> LedgerDecision:
        """See `jointinspect.ports.FrequencyLedger.check_and_reserve`."""
        result: LedgerDecision = self._run(lambda led: led.check_and_reserve(request, checks, now))
        return result

    def amend(self, reservation: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime) -> LedgerDecision:
        """See `jointinspect.ports.FrequencyLedger.amend`."""
        result: LedgerDecision = self._run(lambda led: led.amend(reservation, checks, now))
        return result

    def confirm(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See `jointinspect.ports.FrequencyLedger.confirm`."""
        self._run(lambda led: led.confirm(reservation_id, enterprise))

    def release(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See `jointinspect.ports.FrequencyLedger.release`."""
        self._run(lambda led: led.release(reservation_id, enterprise))

    def reservations(self, enterprise: str) -> list[Reservation]:
        """See `jointinspect.ports.FrequencyLedger.reservations`."""
        result: list[Reservation] = self._run(lambda led: led.reservations(enterprise))
        return result
