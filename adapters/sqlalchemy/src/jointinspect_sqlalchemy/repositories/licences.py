"""Licences and the sweep's progress through them (issue 12).

The sweep's read is one indexed range query per page: licences whose expiry lies in the
lead time's range, after the lead time's cursor (and the previous page's last ``(expires_on,
kind, number)``), in index order. Claiming a page moves the cursor, one row of
``ji_licence_cursors`` (revision 0013), to the page's last licence: one small write per page
however long it is (a mark per licence, revision 0011, cost more than the read itself).
A licence put behind a cursor at a new expiry is noted in ``ji_licence_late`` and claimed by
the next sweep.

Puts and claims serialise on one row, the cursors' sentinel (lead time 0, written by the
migration): a claim locks it exclusively, a put shares it (SQLite: one writer at a time
already). So a licence being put while a sweep claims its range is either committed before
the claim reads the range or noted late against the cursor the claim wrote; each then reads
the cursors in a statement of its own, after the lock, seeing every claim committed before.

The SQL is written here, its integers (days, lead time, limit) rendered into the text so that
a server caching a generic plan still sees how narrow the range is, and run on the driver's
cursor: no SQLAlchemy row or statement per page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, select

from jointinspect.model.licence import Licence, LicencePage
from jointinspect.ports.licences import LicenceOrder
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.prepared import Prepared
from jointinspect_sqlalchemy.repositories._common import _Repo

#: ``(expires_on, kind, number)``: the order of a page, of its keyset and of a cursor.
Order = LicenceOrder
_COLUMNS = "l.kind, l.number, l.holder, l.department, l.expires_on"


def day_number(day: dt.date) -> int:
    """``day`` as the integer ``YYYYMMDD`` the table stores."""
    return day.year * 10_000 + day.month * 100 + day.day


#: Decoded days: a sweep's pages hold a few dozen distinct expiries, read thousands of times.
_DAYS: dict[int, dt.date] = {}


def _day(number: int) -> dt.date:
    day = _DAYS.get(number)
    if day is None:
        day = dt.date(number // 10_000, number // 100 % 100, number % 100)
        if len(_DAYS) < 100_000:
            _DAYS[number] = day
    return day


def _licence(row: Any) -> Licence:
    return Licence.from_store(row[0], row[1], row[2], row[3], _day(row[4]))


def _page(rows: Any) -> LicencePage:
    """A page of driver rows ``(kind, number, holder, department, expires_on as YYYYMMDD)``."""
    return LicencePage([(row[0], row[1], row[2], row[3], _day(row[4])) for row in rows])


def _mark(family_name: str) -> str:
    """The driver's positional parameter marker (sqlite3: ``?``; psycopg, PyMySQL: ``%s``)."""
    return "?" if family_name == "sqlite" else "%s"


def _page_sql(
    family_name: str, first: dt.date, last: dt.date, start: Order | None, limit: int
) -> tuple[str, tuple[str, ...]]:
    """``FROM ji_licences l WHERE ... ORDER BY ... LIMIT`` of a page and its string parameters:
    expiries in ``[first, last]``, strictly after ``start``."""
    mark = _mark(family_name)
    where = f"l.expires_on <= {day_number(last)}"
    params: tuple[str, ...] = ()
    if start is None or start < (first, "", ""):
        where = f"l.expires_on >= {day_number(first)} AND {where}"
    elif family_name == "mysql":
        # (expires_on, kind, number) > start spelt out for MariaDB's range optimizer.
        e = day_number(start[0])
        where = (
            f"l.expires_on >= {e} AND (l.expires_on > {e} OR (l.expires_on = {e} AND "
            f"(l.kind > {mark} OR (l.kind = {mark} AND l.number > {mark})))) AND {where}"
        )
        params = (start[1], start[1], start[2])
    else:
        # The row comparison alone: PostgreSQL and SQLite seek the index right after the
        # previous page (a separate "expires_on >= ..." makes SQLite range on that column
        # only, rescanning the previous page's expiry day on every page).
        where = f"(l.expires_on, l.kind, l.number) > ({day_number(start[0])}, {mark}, {mark}) AND {where}"
        params = (start[1], start[2])
    order = f"ORDER BY l.expires_on, l.kind, l.number LIMIT {int(limit)}"
    return f"FROM ji_licences l WHERE {where} {order}", params


def _get() -> Any:
    t = s.licences
    return select(t.c.kind, t.c.number, t.c.holder, t.c.department, t.c.expires_on).where(
        t.c.kind == bindparam("kind"), t.c.number == bindparam("number")
    )


def _order(row: Any) -> Order | None:
    """A cursor row's ``(expires_on, kind, number)`` (``None`` for the sentinel's)."""
    return None if row[0] is None else (_day(row[0]), row[1], row[2])


def _move_sql(family_name: str, lead_days: int) -> str:
    """Set ``lead_days``'s cursor (inserted on its first claim)."""
    mark = _mark(family_name)
    values = f"({lead_days}, {mark}, {mark}, {mark})"
    if family_name == "mysql":
        return (
            f"INSERT INTO ji_licence_cursors (lead_days, expires_on, kind, number) VALUES {values} "
            "ON DUPLICATE KEY UPDATE expires_on = VALUES(expires_on), kind = VALUES(kind), number = VALUES(number)"
        )
    return (
        f"INSERT INTO ji_licence_cursors (lead_days, expires_on, kind, number) VALUES {values} "
        "ON CONFLICT (lead_days) DO UPDATE SET expires_on = excluded.expires_on, kind = excluded.kind, "
        "number = excluded.number"
    )


#: The sentinel row of ``ji_licence_cursors`` that puts share and claims lock (lead time 0).
_SENTINEL = 0
_MEMO = "licence_cursors"


class _Licences(_Repo):
    def put(self, licence: Licence) -> None:
        expires = day_number(licence.expires_on)
        order = (expires, licence.kind, licence.number)
        behind = any(order <= cursor for cursor in self._cursors_shared())
        # Only a licence behind a cursor needs its previous expiry (the same one again is
        # not late); a stale note of one renewed ahead is dropped by claim_late.
        old = self.get(licence.kind, licence.number) if behind else None
        row = {
            "kind": licence.kind,
            "number": licence.number,
            "holder": licence.holder,
            "department": licence.department,
            "expires_on": expires,
            "warned_lead": None,  # unused since revision 0011
        }
        self._uow.upsert(s.licences, row)
        if behind and (old is None or old.expires_on != licence.expires_on):
            self._uow.upsert(s.licence_late, {"kind": licence.kind, "number": licence.number, "expires_on": expires})

    def get(self, kind: str, number: str) -> Licence | None:
        statement = self._uow._store.statement(("licence", "get"), _get)
        rows = self._uow.run(statement, {"kind": kind, "number": number}).fetchall()
        return _licence(rows[0]) if rows else None

    def unwarned(self, lead_days: int, first: dt.date, last: dt.date, after: Order | None, limit: int) -> LicencePage:
        return _page(self._rows(self.cursor(lead_days), first, last, after, limit))

    def claim_unwarned(
        self, lead_days: int, first: dt.date, last: dt.date, after: Order | None, limit: int
    ) -> LicencePage:
        rows = self._rows(self._locked_cursor(int(lead_days)), first, last, after, limit)
        if rows:
            # Nobody reads the result: PostgreSQL sends it with the page's next statement.
            kind, number, _, _, expires_on = rows[-1]
            names = ("e", "k", "n")
            self._uow.defer(
                Prepared(_move_sql(self._uow.family, int(lead_days)), names, {}),
                {"e": expires_on, "k": kind, "n": number},
            )
            self._uow.memo.pop(_MEMO, None)  # a put later in this transaction reads it afresh
        return _page(rows)

    def cursor(self, lead_days: int) -> Order | None:
        rows = self._text(
            f"SELECT expires_on, kind, number FROM ji_licence_cursors WHERE lead_days = {int(lead_days)}", ()
        ).fetchall()
        return _order(rows[0]) if rows else None

    def claim_late(self, day: dt.date, limit: int) -> LicencePage:
        self._locked_cursor(_SENTINEL)
        today = day_number(day)
        while True:
            rows = self._text(
                "SELECT t.kind, t.number, l.holder, l.department, t.expires_on, l.expires_on "
                "FROM ji_licence_late t LEFT JOIN ji_licences l ON l.kind = t.kind AND l.number = t.number "
                f"ORDER BY t.expires_on, t.kind, t.number LIMIT {int(limit)}",
                (),
            ).fetchall()
            if not rows:
                return LicencePage()
            mark = _mark(self._uow.family)
            self._uow.run_many(
                Prepared(f"DELETE FROM ji_licence_late WHERE kind = {mark} AND number = {mark}", ("k", "n"), {}),
                [(row[0], row[1]) for row in rows],
            )
            # A note whose licence moved to another expiry, or that expired, is only dropped.
            found = [row for row in rows if row[5] == row[4] and row[4] >= today]
            if found or len(rows) < limit:
                return _page(found)

    def forget_warnings_before(self, day: dt.date) -> int:
        cursor = self._text(f"DELETE FROM ji_licence_late WHERE expires_on < {day_number(day)}", ())
        return int(cursor.rowcount)

    def _rows(self, cursor: Order | None, first: dt.date, last: dt.date, after: Order | None, limit: int) -> Any:
        """The driver rows of a page: expiries in ``[first, last]``, after both ``cursor``
        and ``after``, at most ``limit``."""
        start = max(filter(None, (after, cursor)), default=None)
        tail, params = _page_sql(self._uow.family, first, last, start, limit)
        return self._text(f"SELECT {_COLUMNS} {tail}", params).fetchall()

    def _cursors_shared(self) -> list[tuple[int, str, str]]:
        """The cursors, read once per transaction after sharing the sentinel's lock."""
        memo = self._uow.memo
        found: list[tuple[int, str, str]] | None = memo.get(_MEMO)
        if found is None:
            family_name = self._uow.family
            if family_name != "sqlite":
                share = "FOR SHARE" if family_name == "postgresql" else "LOCK IN SHARE MODE"
                self._text(f"SELECT lead_days FROM ji_licence_cursors WHERE lead_days = {_SENTINEL} {share}", ())
            rows = self._text(
                f"SELECT expires_on, kind, number FROM ji_licence_cursors WHERE lead_days <> {_SENTINEL} "
                "AND expires_on IS NOT NULL",
                (),
            ).fetchall()
            found = memo[_MEMO] = [(row[0], row[1], row[2]) for row in rows]
        return found

    def _locked_cursor(self, lead_days: int) -> Order | None:
        """Lock the cursors' sentinel for the rest of the transaction (SQLite: its
        transactions already exclude one another) and read ``lead_days``'s cursor, in one
        statement: the rows are locked in lead time order, the sentinel first, and a
        locking read returns a row's latest committed version, so a claim that held the
        lock is seen. The sentinel is created if missing."""
        if self._uow.family == "sqlite":
            return self.cursor(lead_days)
        sql = (
            "SELECT lead_days, expires_on, kind, number FROM ji_licence_cursors "
            f"WHERE lead_days IN ({_SENTINEL}, {lead_days}) ORDER BY lead_days FOR UPDATE"
        )
        rows = self._text(sql, ()).fetchall()
        if not rows or rows[0][0] != _SENTINEL:
            self._uow.insert_new(s.licence_cursors, {"lead_days": _SENTINEL})
            rows = self._text(sql, ()).fetchall()
        if len(rows) == 1 and lead_days != _SENTINEL:
            # Not there when the statement began: perhaps written by the claim just awaited.
            return self.cursor(lead_days)
        return next((_order(row[1:]) for row in rows if row[0] == lead_days), None)

    def _text(self, sql: str, params: tuple[str, ...]) -> Any:
        """Run SQL text written here (positional string parameters) on the driver's cursor."""
        names = tuple(f"p{i}" for i in range(len(params)))
        return self._uow.run(Prepared(sql, names, {}), dict(zip(names, params, strict=True)))
