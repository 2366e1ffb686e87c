"""The licences' repository and the record of the expiry warnings sent.

Part of `jointinspect.ports`; its docstring states the rules every repository keeps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from jointinspect.model.licence import Licence


class LicenceRepository(Protocol):
    """Licences (reference data, upserted by kind and number) and the record of which
    expiry warnings were sent, so that a sweep warns once per licence, lead time and expiry:
    per licence, the shortest lead time warned at its current expiry (a renewal, that is
    another expiry, forgets it; putting the same expiry again keeps it)."""

    def put(self, licence: Licence) -> None:
        """Insert or replace a licence (a renewal replaces its expiry)."""
        ...

    def get(self, kind: str, number: str) -> Licence | None:
        """One licence by kind and number."""
        ...

    def unwarned(
        self, lead_days: int, first: dt.date, last: dt.date, after: tuple[dt.date, str, str] | None, limit: int
    ) -> list[Licence]:
        """Licences expiring in ``[first, last]`` not yet warned for ``lead_days`` or a shorter
        lead time at their current expiry, ordered by ``(expires_on, kind, number)``, strictly
        after ``after`` (that triple of the last licence of the previous page), at most
        ``limit``. Cost: the licences in the range (indexed by expiry), as a range query."""
        ...

    def mark_warned(self, lead_days: int, licences: Sequence[Licence]) -> None:
        """Record that ``licences`` were warned for ``lead_days`` at their current expiry
        (idempotent; a licence already warned for a shorter lead time keeps that)."""
        ...

    def claim_unwarned(
        self, lead_days: int, first: dt.date, last: dt.date, after: tuple[dt.date, str, str] | None, limit: int
    ) -> list[Licence]:
        """``unwarned(...)`` and ``mark_warned(lead_days, ...)`` of the page it returns, as one
        step (the sweep's page, issue 12): the licences returned are exactly those this call
        marked, in the same order. Two units of work claiming at once never both return a
        licence (a store serialises them, or re-checks a row another one marked first, and
        may then return a shorter page, even an empty one, while later licences remain).
        Cost: the range read, plus one write per licence returned."""
        ...

    def forget_warnings_before(self, day: dt.date) -> int:
        """Delete the warning records of expiries before ``day`` and return how many: such a
        licence is never swept again (a renewal gives it another expiry), so the records
        the sweep keeps stay those of the licences still ahead. Cost: the records deleted."""
        ...
