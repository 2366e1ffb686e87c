"""The memory store's licences and licence warnings (issue 12)."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence

from jointinspect.memory._tables import _Base
from jointinspect.model.licence import Licence, licence_key

_TOP = "\U0010ffff"


class _Licences(_Base):
    def put(self, licence: Licence) -> None:
        old = self._t.licences.rows.get(licence.key)
        if old is not None:
            self._t.licences_by_expiry.remove(self._j, None, _order(old), old.key)
        self._t.licences.put(self._j, licence.key, licence)
        self._t.licences_by_expiry.add(self._j, None, _order(licence), licence.key)

    def get(self, kind: str, number: str) -> Licence | None:
        return self._t.licences.rows.get(licence_key(kind, number))

    def unwarned(
        self, lead_days: int, first: dt.date, last: dt.date, after: tuple[dt.date, str, str] | None, limit: int
    ) -> list[Licence]:
        bucket = self._t.licences_by_expiry.rows.get(None, [])
        rows, warned = self._t.licences.rows, self._t.licence_warnings.rows
        if after is None or after < (first, "", ""):
            i = bisect.bisect_left(bucket, ((first,),))
        else:
            i = bisect.bisect_right(bucket, (after, _TOP))
        found: list[Licence] = []
        while i < len(bucket) and len(found) < limit:
            (expires_on, _, _), key = bucket[i]
            if expires_on > last:
                break
            seen = warned.get(key)
            if seen is None or seen[0] != expires_on or seen[1] > lead_days:
                found.append(rows[key])
            i += 1
        return found

    def claim_unwarned(
        self, lead_days: int, first: dt.date, last: dt.date, after: tuple[dt.date, str, str] | None, limit: int
    ) -> list[Licence]:
        # The store runs one unit of work at a time: the read and its marks are atomic.
        page = self.unwarned(lead_days, first, last, after, limit)
        self.mark_warned(lead_days, page)
        return page

    def mark_warned(self, lead_days: int, licences: Sequence[Licence]) -> None:
        for licence in licences:
            seen = self._t.licence_warnings.rows.get(licence.key)
            if seen is None or seen[0] != licence.expires_on or seen[1] > lead_days:
                self._t.licence_warnings.put(self._j, licence.key, (licence.expires_on, lead_days))

    def forget_warnings_before(self, day: dt.date) -> int:
        # One mark per licence at most (a renewal replaces it): bounded by the licences.
        table = self._t.licence_warnings
        doomed = [key for key, (expires_on, _) in table.rows.items() if expires_on < day]
        for key in doomed:
            table.delete(self._j, key)
        return len(doomed)


def _order(licence: Licence) -> tuple[dt.date, str, str]:
    return (licence.expires_on, licence.kind, licence.number)
