"""Instants compare identically on every backend; migrations build exactly the models;
the SQLite file store needs nothing but a path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pendulum
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from jointinspect_sqlalchemy import SQLStore, current_revision, head_revision, metadata, upgrade
from jointinspect_sqlalchemy.migrate import VERSION_TABLE
from sqlalchemy import create_engine, inspect

from jointinspect.memory import MemoryStore
from jointinspect.model.plan import InspectionKind
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.rules.frequency import Action, Reservation, RuleCheck, Scope
from jointinspect.stores import open_store

SHANGHAI = "Asia/Shanghai"
# Midnight in Shanghai is 16:00 UTC the day before: a calendar bucket in the policy zone.
DAY_START = pendulum.datetime(2026, 3, 9, tz=SHANGHAI)
WEEK = pendulum.duration(days=7)
US = pendulum.duration(microseconds=1)


def _boundary_script(store: object) -> list[object]:
    """Decisions and queries right at window edges, on any store."""
    out: list[object] = []
    ent = "91370600MA3C1XYZ0A"
    rolling = RuleCheck("w", Action.BLOCK, 1, Scope.ENTERPRISE, [InspectionKind.ROUTINE], window=WEEK)
    bucket = RuleCheck(
        "b", Action.BLOCK, 1, Scope.ENTERPRISE, [InspectionKind.ROUTINE], bucket=(DAY_START, DAY_START.add(days=1))
    )
    next_day = RuleCheck(
        "n",
        Action.BLOCK,
        1,
        Scope.ENTERPRISE,
        [InspectionKind.ROUTINE],
        bucket=(DAY_START.add(days=1), DAY_START.add(days=2)),
    )
    first = DAY_START.subtract(days=30)
    attempts = [
        ("a", first, [rolling]),
        ("b", first.add(days=7).subtract(microseconds=1), [rolling]),  # 1 µs inside: blocked
        ("c", first.add(days=7), [rolling]),  # exactly W later: allowed
        ("d", first.subtract(days=7).add(microseconds=1), [rolling]),  # 1 µs inside before: blocked
        ("e", DAY_START.subtract(microseconds=1), [bucket]),  # previous local day: outside bucket
        ("f", DAY_START, [bucket]),  # first instant of the local day: inside
        ("g", DAY_START.add(days=1).subtract(microseconds=1), [bucket]),  # last instant: blocked
        ("h", DAY_START.add(days=1), [next_day]),  # first instant of the next local day
        ("old", pendulum.datetime(1969, 12, 31, 23, 59, 59, 999_999, tz="UTC"), [rolling]),  # negative µs
    ]
    expiring = Reservation(
        "p",
        ent,
        "D",
        ["I"],
        InspectionKind.ROUTINE,
        DAY_START.add(days=60),
        state="pending",
        expires_at=DAY_START.add(days=40),
    )
    with store.unit_of_work() as uow:  # type: ignore[attr-defined]
        for rid, at, checks in attempts:
            res = Reservation(rid, ent, "D", ["I"], InspectionKind.ROUTINE, at.in_timezone(SHANGHAI))
            out.append((rid, uow.ledger.check_and_reserve(res, checks, first).allowed))
        out.append(uow.ledger.check_and_reserve(expiring, [], first).allowed)
        probe = Reservation("q", ent, "D", ["I"], InspectionKind.ROUTINE, DAY_START.add(days=61))
        # Pending expiry exactly at "now" no longer counts (expires_at <= now).
        out.append(("at-expiry", uow.ledger.check_and_reserve(probe, [rolling], DAY_START.add(days=40)).allowed))
        out.append([(r.id, r.at) for r in uow.ledger.reservations(ent)])
        for n, at in enumerate([DAY_START.subtract(microseconds=1), DAY_START, DAY_START.add(microseconds=1)]):
            uow.results.add(ResultRecord(f"r{n}", "i", ent, "D", "I", "X-01", Outcome.PASS, "", (), at, "D"))
            uow.rectifications.add(Rectification(f"x{n}", f"r{n}", ent, "D", "X-01", at, RectificationState.OPEN, at))
        out.append([r.id for r in uow.results.for_enterprise(ent, ["X-01"], DAY_START)])
        out.append([r.id for r in uow.rectifications.due_before(DAY_START.add(microseconds=1))])
        out.append(uow.results.get("r1").recorded_at == DAY_START)
        uow.commit()
    return out


def test_window_boundaries_identical_to_memory(sql_store: SQLStore) -> None:
    expected = _boundary_script(MemoryStore())
    assert expected[:4] == [("a", True), ("b", False), ("c", True), ("d", False)]
    assert expected[4:8] == [("e", True), ("f", True), ("g", False), ("h", True)]
    assert _boundary_script(sql_store) == expected


def test_migrations_build_the_models(sql_url: str) -> None:
    assert current_revision(sql_url) is None
    upgrade(sql_url)
    upgrade(sql_url)  # already current: nothing to do
    assert current_revision(sql_url) == head_revision()
    engine = create_engine(sql_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE, "compare_type": True})
            diff = compare_metadata(context, metadata)
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert diff == []
    assert tables == {t.name for t in metadata.sorted_tables} | {VERSION_TABLE}


def test_console_command_upgrades(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    cmd = [sys.executable, "-m", "jointinspect_sqlalchemy.migrate", "upgrade", url]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60).stdout
    assert head_revision() in out
    assert current_revision(url) == head_revision()


def test_sqlite_file_store_needs_only_a_path(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'city.db'}")
    assert isinstance(store, SQLStore)
    with store.unit_of_work() as uow:
        assert uow.plans.get("nothing") is None
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.close()


def test_given_engine_is_not_disposed(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'mine.db'}")
    store = SQLStore(engine, create=True)
    store.close()
    with engine.connect() as conn:  # still usable: the store did not own it
        assert conn.exec_driver_sql("SELECT count(*) FROM ji_plans").scalar() == 0
    engine.dispose()


@pytest.mark.parametrize("url", ["memory://", "sqlite://"])
def test_open_store_schemes(url: str) -> None:
    store = open_store(url)
    with store.unit_of_work() as uow:
        assert uow.outbox.pending(1) == []
    store.close()
