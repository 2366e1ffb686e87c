"""Enterprise locks: how a SQL unit of work serialises the transactions that touch one
enterprise (its filing rules and ledger checks read, then write, under that lock).

* SQLite: every transaction begins ``IMMEDIATE`` (the database's write lock), so there
  is nothing more to take.
* PostgreSQL, MariaDB: ``SELECT ... FOR UPDATE`` of the enterprise's row in
  ``ji_enterprise_locks``, created the first time the enterprise is locked. A bulk chunk
  locks its enterprises together, in credit-code order, so two chunks never wait on each
  other in a cycle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, select

from jointinspect.errors import IntegrityError
from jointinspect_sqlalchemy.keyed import read_among
from jointinspect_sqlalchemy.schema import enterprise_locks
from jointinspect_sqlalchemy.statements import create_lock_row, lock_row

if TYPE_CHECKING:
    from jointinspect_sqlalchemy._protocols import StoreState, UnitOfWorkView
    from jointinspect_sqlalchemy.held import HeldWrites
    from jointinspect_sqlalchemy.prepared import Prepared


class EnterpriseLocks:
    """The locking half of `jointinspect_sqlalchemy.unit_of_work.SQLUnitOfWork`."""

    #: enterprises this transaction holds locked
    _locked: set[str]

    if TYPE_CHECKING:  # provided by the unit of work

        @property
        def family(self) -> str:
            """The database family."""

        def connection(self) -> Connection:
            """The connection, in a transaction."""

        def run(self, statement: Prepared, params: Mapping[str, Any]) -> Any:
            """Run a prepared statement."""

        def run_many(self, statement: Prepared, args: Sequence[Any]) -> Any:
            """``executemany`` of a prepared statement."""

        def _in_transaction(self) -> bool: ...
        def _commit_early(self) -> None: ...

        _store: StoreState
        held: HeldWrites | None

    def _view(self) -> UnitOfWorkView:
        """The unit of work these methods are part of, as its repositories see it."""
        return cast("UnitOfWorkView", self)

    def lock_enterprise(self, credit_code: str) -> None:
        """Serialise with every other transaction locking ``credit_code`` (see module doc).

        One round trip when the enterprise's lock row exists (the usual case); the row is
        created once, the first time an enterprise is locked.
        """
        if credit_code in self._locked:
            return
        if self.family == "sqlite":
            self.connection()  # BEGIN IMMEDIATE already excludes every other writer
            self._locked.add(credit_code)
            return
        store = self._store
        lock = store.statement("lock", lock_row)
        params = {"enterprise": credit_code}
        if not self.run(lock, params).fetchall():
            family_name = self.family
            create = store.statement("lock-create", lambda: create_lock_row(family_name), ["enterprise"])
            self.run(create, params)
            if not self.run(lock, params).fetchall():
                raise IntegrityError(
                    "storage.integrity",
                    reason=f"lock row of {credit_code!r} vanished",
                    reason_zh=f"企业 {credit_code!r} 的锁定行已消失",
                )
        self._locked.add(credit_code)

    def lock_enterprises(self, credit_codes: Sequence[str]) -> None:
        """Lock each of ``credit_codes`` in credit-code order, as :meth:`lock_enterprise`
        does one by one: one read of which lock rows exist, then one ``SELECT ... ORDER BY
        ... FOR UPDATE`` per run of consecutive existing rows (rows are locked in that
        order), and the one-by-one path for a row to create. Lock rows are never deleted,
        so a row read as existing is still there to lock. When no transaction is open yet,
        the missing rows are first created together (:meth:`_create_lock_rows`)."""
        if self.family == "sqlite":
            self.connection()  # BEGIN IMMEDIATE already excludes every other writer
            self._locked.update(credit_codes)  # as lock_enterprise notes each one
            return
        todo = sorted(set(credit_codes) - self._locked)
        if todo and not self._in_transaction() and not self.held:
            self._create_lock_rows(todo)
            existing = set(todo)  # found or created, and lock rows are never deleted
        else:
            existing = self._lock_rows_of(todo)
        t = enterprise_locks
        run: list[str] = []
        for code in [*todo, None]:
            if code is not None and code in existing:
                run.append(code)
                continue
            if run:
                read_among(
                    self._view(),
                    "lock-rows",
                    lambda among: (
                        select(t.c.enterprise)
                        .where(among(t.c.enterprise, "codes"))
                        .order_by(t.c.enterprise)
                        .with_for_update()
                    ),
                    {"codes": run},
                )
                self._locked.update(run)
                run = []
            if code is not None:
                self.lock_enterprise(code)  # created, then locked, in its turn

    def _lock_rows_of(self, credit_codes: Sequence[str]) -> set[str]:
        """Which of ``credit_codes`` have a lock row."""
        t = enterprise_locks
        read = read_among(
            self._view(),
            "lock-rows-exist",
            lambda among: select(t.c.enterprise).where(among(t.c.enterprise, "codes")),
            {"codes": credit_codes},
        )
        return {row[0] for row in read}

    def _create_lock_rows(self, credit_codes: Sequence[str]) -> None:
        """Create the missing lock rows of ``credit_codes`` (sorted) in a short transaction
        of their own: one read of which exist and one ``executemany`` of the rest, in
        credit-code order, committed. Nothing else is held yet, so it waits at most for
        another transaction creating the same rows, as creating them one by one would;
        lock rows are never deleted, so committing them early changes nothing else. When
        every row exists (the usual case) nothing is committed: the transaction the read
        began goes on (under read committed, as if it had begun with that read)."""
        family_name = self.family
        found = self._lock_rows_of(credit_codes)
        missing = [code for code in credit_codes if code not in found]
        if not missing:
            return
        create = self._store.statement("lock-create", lambda: create_lock_row(family_name), ["enterprise"])
        self.run_many(create, [create.args({"enterprise": code}) for code in missing])
        self._commit_early()
