"""The memory store's licences and the sweep's cursors and late notes (issue 12)."""

from __future__ import annotations

import bisect
import datetime as dt

from jointinspect.memory._tables import _Base
from jointinspect.model.licence import Licence, LicencePage, licence_key
from jointinspect.ports.licences import LicenceOrder

_TOP = "\U0010ffff"


class _Licences(_Base):
    def put(self, licence: Licence) -> None:
        old = self._t.licences.rows.get(licence.key)
        if old is not None:
            self._t.licences_by_expiry.remove(self._j, None, _order(old), old.key)
        self._t.licences.put(self._j, licence.key, licence)
        self._t.licences_by_expiry.add(self._j, None, _order(licence), licence.key)
        if old is not None and old.expires_on == licence.expires_on:
            return  # the same expiry again: its warnings stand
        order = _order(licence)
        if any(order <= cursor for cursor in self._t.licence_cursors.rows.values()):
            self._t.licence_late.put(self._j, licence.key, licence.expires_on)
        else:
            self._t.licence_late.delete(self._j, licence.key)

    def get(self, kind: str, number: str) -> Licence | None:
        return self._t.licences.rows.get(licence_key(kind, number))

    def unwarned(
        self, lead_days: int, first: dt.date, last: dt.date, after: LicenceOrder | None, limit: int
    ) -> LicencePage:
        bucket = self._t.licences_by_expiry.rows.get(None, [])
        rows = self._t.licences.rows
        start = max(filter(None, (after, self._t.licence_cursors.rows.get(lead_days))), default=None)
        if start is None or start < (first, "", ""):
            i = bisect.bisect_left(bucket, ((first,),))
        else:
            i = bisect.bisect_right(bucket, (start, _TOP))
        found: list[Licence] = []
        while i < len(bucket) and len(found) < limit:
            (expires_on, _, _), key = bucket[i]
            if expires_on > last:
                break
            found.append(rows[key])
            i += 1
        return LicencePage.of(found)

    def claim_unwarned(
        self, lead_days: int, first: dt.date, last: dt.date, after: LicenceOrder | None, limit: int
    ) -> LicencePage:
        # The store runs one unit of work at a time: the read and the cursor move are atomic.
        page = self.unwarned(lead_days, first, last, after, limit)
        if page:
            kind, number, _, _, expires_on = page.rows[-1]
            self._t.licence_cursors.put(self._j, lead_days, (expires_on, kind, number))
        return page

    def cursor(self, lead_days: int) -> LicenceOrder | None:
        return self._t.licence_cursors.rows.get(lead_days)

    def claim_late(self, day: dt.date, limit: int) -> LicencePage:
        late, rows = self._t.licence_late, self._t.licences.rows
        found: list[tuple[LicenceOrder, Licence]] = []
        for key, expires_on in list(late.rows.items()):
            licence = rows.get(key)
            if licence is None or licence.expires_on != expires_on or expires_on < day:
                late.delete(self._j, key)  # renewed since, or expired: nothing to claim
            else:
                found.append((_order(licence), licence))
        found.sort(key=lambda pair: pair[0])
        page = [licence for _, licence in found[:limit]]
        for licence in page:
            late.delete(self._j, licence.key)
        return LicencePage.of(page)

    def forget_warnings_before(self, day: dt.date) -> int:
        # One note per licence at most (a renewal replaces it): bounded by the licences.
        table = self._t.licence_late
        doomed = [key for key, expires_on in table.rows.items() if expires_on < day]
        for key in doomed:
            table.delete(self._j, key)
        return len(doomed)


def _order(licence: Licence) -> LicenceOrder:
    return (licence.expires_on, licence.kind, licence.number)
