"""The licences' repository and the sweep's progress through them.

Part of `jointinspect.ports`; its docstring states the rules every repository keeps.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from jointinspect.model.licence import Licence, LicencePage

#: ``(expires_on, kind, number)``: the order of the expiry index, of a sweep page and of a
#: lead time's cursor.
LicenceOrder = tuple[dt.date, str, str]


class LicenceRepository(Protocol):
    """Licences (reference data, upserted by kind and number) and how far the warning sweep
    has come: per lead time, a **cursor**, the ``(expires_on, kind, number)`` of the last
    licence claimed for it. The cursors only move forward, so each licence is claimed once
    per lead time and expiry with one small write per page, whatever the page's size (issue
    12: a mark per licence cost more than the range read itself).

    A licence put at a new expiry (registered, or renewed to another day) that some cursor
    has already passed is noted **late**, and the next sweep claims it with `claim_late`:
    nothing registered late is lost. Putting the same expiry again changes nothing (its
    warnings are not re-armed); a renewal to an expiry ahead of the cursors is claimed by
    the range in its turn.

    Reads return a `LicencePage`: the licences as rows, a `Licence` built only for an item
    asked for (the sweep needs only the fields of tens of thousands a day).

    Atomicity: `put`, `claim_unwarned` and `claim_late` serialise with one another (the SQL
    store locks one row: shared by a put, exclusive by a claim), so a licence put while a
    sweep runs is either read by the sweep's range or noted late, never neither.
    """

    def put(self, licence: Licence) -> None:
        """Insert or replace a licence (a renewal replaces its expiry); note it late when it
        comes at a new expiry that a cursor has passed (see the class docstring)."""
        ...

    def get(self, kind: str, number: str) -> Licence | None:
        """One licence by kind and number."""
        ...

    def unwarned(
        self, lead_days: int, first: dt.date, last: dt.date, after: LicenceOrder | None, limit: int
    ) -> LicencePage:
        """Licences expiring in ``[first, last]`` that ``lead_days``'s cursor has not passed,
        ordered by ``(expires_on, kind, number)``, strictly after ``after`` (that triple of
        the last licence of the previous page) when given, at most ``limit``; nothing is
        written. Cost: one indexed range query of the licences returned."""
        ...

    def claim_unwarned(
        self, lead_days: int, first: dt.date, last: dt.date, after: LicenceOrder | None, limit: int
    ) -> LicencePage:
        """``unwarned(...)`` and moving ``lead_days``'s cursor to the last licence returned,
        as one step (the sweep's page): two units of work claiming at once never both return
        a licence (the second waits for the first, then starts after its cursor). Rolled
        back with the unit of work. Cost: the range read, plus one row written per page."""
        ...

    def cursor(self, lead_days: int) -> LicenceOrder | None:
        """``lead_days``'s cursor: the order of the last licence claimed for it (``None``
        before its first claim)."""
        ...

    def claim_late(self, day: dt.date, limit: int) -> LicencePage:
        """Up to ``limit`` licences noted late (see the class docstring), in expiry order,
        removed from the late list as one step (two claims never both return one). A late
        note whose licence has since moved to another expiry, or expires before ``day``, is
        removed without being returned; an empty list means no note is left."""
        ...

    def forget_warnings_before(self, day: dt.date) -> int:
        """Delete the late notes of expiries before ``day`` and return how many: an expired
        licence is never warned (a renewal gives it another expiry and a note of its own)."""
        ...
