"""Reservations a bulk chunk wrote are read back by a later chunk's ledger preload without
decoding their row again (issue 11): only a value whose row decodes to an equal value of
the same types is kept, and a row that is not the kept one (confirmed since) is decoded."""

from __future__ import annotations

import attrs
import pendulum
from jointinspect_sqlalchemy import SQLStore, bodies
from jointinspect_sqlalchemy.ledger import SQLLedger, _reservation_slow
from test_written_bodies import _same

from jointinspect.model.plan import InspectionKind
from jointinspect.rules.frequency import Reservation, ReservationState

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
ENT = "91370600000000001N"


def _reservation(rid: str, departments: tuple[str, ...] = ("D",), state: str = "pending") -> Reservation:
    return Reservation(rid, ENT, "D", ("I",), InspectionKind.ROUTINE, T0.add(days=3), state,
                       T0.add(days=1) if state == "pending" else None, departments)  # fmt: skip


def test_a_kept_reservation_is_what_decoding_its_row_gives() -> None:
    from jointinspect_sqlalchemy.ledger import _reservation_row

    for value in (_reservation("r1"), _reservation("r2", ("D", "E"), "confirmed")):
        assert bodies.plain_reservation(value)
        _same(_reservation_slow(tuple(_reservation_row(value).values())), value)
    # values the converters would not make (forced past them): each decodes differently
    for field, odd in (("inspectors", ["I"]), ("departments", ("E",)), ("at", T0.in_tz("Asia/Shanghai"))):
        value = _reservation("r3")
        object.__setattr__(value, field, odd)
        assert not bodies.plain_reservation(value), field


def test_a_bulk_chunks_reservations_are_read_back_as_written(sql_store: SQLStore) -> None:
    first, second = _reservation("r1"), _reservation("r2", ("D", "E"))
    with sql_store.unit_of_work() as uow:
        uow.defer_checks()  # a bulk chunk
        ledger = SQLLedger(uow)
        for reservation in (first, second):
            assert ledger.check_and_reserve(reservation, [], T0).reservation is reservation
        uow.commit()
    assert set(sql_store._bodies.reservations.entries) == {"r1", "r2"}
    with sql_store.unit_of_work() as uow:
        ledger = SQLLedger(uow)
        ledger.preload([ENT])
        assert uow.ledger_rows.rows[ENT]["r1"] is first and uow.ledger_rows.rows[ENT]["r2"] is second
        ledger.confirm("r1")  # not a bulk chunk: the row changes, nothing kept
        uow.commit()
    with sql_store.unit_of_work() as uow:
        ledger = SQLLedger(uow)
        ledger.preload([ENT])
        confirmed = uow.ledger_rows.rows[ENT]["r1"]
        assert confirmed == attrs.evolve(first, state=ReservationState.CONFIRMED, expires_at=None)
        assert uow.ledger_rows.rows[ENT]["r2"] is second
    sql_store.close()
    assert not sql_store._bodies.reservations.entries


def test_a_reservations_name_lists_are_written_as_the_codec_writes_them() -> None:
    """`codec.name_list` keeps the texts of tuples of plain strings only: equal tuples of other
    values (``1``, ``1.0``, ``True``) are written differently, and a list forced past the
    converters is written, not kept."""
    from jointinspect_sqlalchemy import codec
    from jointinspect_sqlalchemy.ledger import _reservation_row

    cases: list[tuple[object, ...]] = [("a", "b"), ("a", "b"), ("I",), (), (1,), (1.0,), (True,), ("é", '"')]
    for names in cases:
        assert codec.name_list(names) == codec.dumps_list(list(names))  # type: ignore[arg-type]
    assert codec.name_list(["x"]) == '["x"]'  # type: ignore[arg-type]
    for _ in range(2):  # written, then kept
        row = _reservation_row(_reservation("r", ("D", "E")))
        assert (row["inspectors"], row["departments"]) == ('["I"]', '["D","E"]')
