"""The bulk writes' shortcuts give what the general paths give (issue 11): a prepared
statement's arguments taken by `Prepared.many`, row bodies with their instants encoded
once, outbox rows, and reservations read back through `Reservation.checked`."""

from __future__ import annotations

from typing import Any

import attrs
import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st
from jointinspect_sqlalchemy import codec, outbox_rows
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.ledger import _reservation, _reservation_slow
from jointinspect_sqlalchemy.prepared import Prepared, prepare
from jointinspect_sqlalchemy.repositories.plans import _inspection_row, _plan_row
from jointinspect_sqlalchemy.statements import update_row
from sqlalchemy import Boolean, Table, insert
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Dialect
from test_sql_fastpath import _inspections, _instants, _keys, _notifications, _plans, _text

from jointinspect import staged
from jointinspect.errors import ValidationError
from jointinspect.model.notification import Notification, Role
from jointinspect.model.plan import Inspection, InspectionKind, Plan
from jointinspect.rules.frequency import ReservationState
from jointinspect.staged import StagedNotification

#: the drivers' dialects (compiled offline: no server needed).
DIALECTS: tuple[Dialect, ...] = (
    sqlite.dialect(),
    postgresql.psycopg.dialect(),  # type: ignore[no-untyped-call]
    mysql.pymysql.dialect(),
)
#: tables whose rows bulk filing sends grouped; ji_outbox has a Boolean (a type processor on SQLite).
TABLES: tuple[Table, ...] = (s.plans, s.inspections, s.reservations, s.audit_log, s.outbox)

_values = st.none() | st.integers(-(2**40), 2**40) | st.text(max_size=5) | st.booleans()


@st.composite
def _case(draw: st.DrawFn) -> tuple[Dialect, Table, list[str], list[dict[str, Any]]]:
    """A dialect, a table, its key and some other columns (in any order) and rows of them."""
    dialect = draw(st.sampled_from(DIALECTS))
    table = draw(st.sampled_from(TABLES))
    keys = [c.name for c in table.primary_key.columns]  # always bound: an insert needs them
    others = [c.name for c in table.columns if c.name not in keys]
    columns = draw(st.permutations(keys + draw(st.lists(st.sampled_from(others), max_size=len(others), unique=True))))
    flags = {c.name for c in table.columns if isinstance(c.type, Boolean)}  # a processor refuses other values
    rows = draw(
        st.lists(st.fixed_dictionaries({c: st.booleans() if c in flags else _values for c in columns}), max_size=4)
    )
    return dialect, table, columns, rows


@settings(max_examples=200, deadline=None)
@given(_case())
def test_many_gives_args_of_each_row(case: tuple[Dialect, Table, list[str], list[dict[str, Any]]]) -> None:
    """An insert of any columns: `Prepared.many` equals `Prepared.args` row by row, and
    `takes_rows` only says so when the tuples of the columns are those arguments."""
    dialect, table, columns, rows = case
    statement = prepare(dialect, insert(table), columns)
    assert statement.many(rows) == [statement.args(row) for row in rows]
    if statement.takes_rows(columns):
        assert [tuple(row[c] for c in columns) for row in rows] == [statement.args(row) for row in rows]


@settings(max_examples=200, deadline=None)
@given(_case())
def test_many_renames_the_key_of_an_update(case: tuple[Dialect, Table, list[str], list[dict[str, Any]]]) -> None:
    """An update by key: the row's key passed as ``match_key``, what the held writes bound
    by building each dict."""
    dialect, table, columns, rows = case
    key = columns[0]
    values = tuple(c for c in columns if c != key)
    if not values:
        return
    statement = prepare(dialect, update_row(table, key, values))
    expected = [statement.args({**{c: row[c] for c in values}, "match_key": row[key]}) for row in rows]
    assert statement.many(rows, {"match_key": key}) == expected


def test_a_type_processor_is_applied_by_many() -> None:
    """SQLite stores a Boolean as an integer: `many` runs the processor as `args` does."""
    statement = prepare(sqlite.dialect(), insert(s.outbox), ["key", "delivered"])
    assert not statement.takes_rows(["key", "delivered"])
    assert statement.many([{"key": "k", "delivered": True}]) == [("k", 1)]


def test_a_named_paramstyle_passes_mappings() -> None:
    """No order (a named paramstyle): each row's mapping, renamed."""
    statement = Prepared("UPDATE t SET a = %(a)s WHERE id = %(match_key)s", None, {})
    assert not statement.takes_rows(["a", "match_key"])
    assert statement.many([{"a": 1, "id": "x"}], {"match_key": "id"}) == [{"a": 1, "match_key": "x"}]


@settings(max_examples=200, deadline=None)
@given(_plans(), _inspections(), _notifications)
def test_rows_encode_their_instants_once_and_the_same(plan: Plan, visit: Inspection, note: Notification) -> None:
    """Each row's body is ``dumps`` of its value, its columns the instants' micros."""
    row = _plan_row(plan)
    assert row["body"] == codec.dumps_slow(plan)
    assert (row["filed_at"], row["window_start"], row["window_end"]) == (
        codec.micros(plan.filed_at),
        codec.micros(plan.window.start),
        codec.micros(plan.window.end),
    )
    row = _inspection_row(visit)
    assert row["body"] == codec.dumps_slow(visit)
    assert (row["created_at"], row["window_start"]) == (
        codec.micros(visit.created_at),
        codec.micros(visit.window.start),
    )
    assert codec.notification_row(note) == (note.key, codec.dumps_slow(note), codec.micros(note.at))


_names = st.lists(st.sampled_from(["A", "B", "C", "a", "中"]), max_size=3)


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=4),
    st.sampled_from(["A", "B", "中"]),
    _names,
    st.sampled_from([k.value for k in InspectionKind]),
    _instants,
    st.sampled_from([state.value for state in ReservationState]),
    st.none() | _instants,
    st.none() | _names,
)
def test_reservations_read_back_as_the_converters_make_them(
    id_: str,
    department: str,
    inspectors: list[str],
    kind: str,
    at: pendulum.DateTime,
    state: str,
    expires_at: pendulum.DateTime | None,
    departments: list[str] | None,
) -> None:
    """Any stored row (names unsorted or repeated, a lead missing from its departments,
    NULL departments): the same reservation as through the class's converters."""
    row = (
        id_,
        "E1",
        department,
        codec.dumps_list(inspectors),
        kind,
        codec.micros(at),
        state,
        None if expires_at is None else codec.micros(expires_at),
        None if departments is None else codec.dumps_list(departments),
    )
    made, slow = _reservation(row), _reservation_slow(row)
    assert made == slow
    assert type(made.kind) is type(slow.kind) and type(made.state) is type(slow.state)
    assert made.at.tzinfo is slow.at.tzinfo


@settings(max_examples=100, deadline=None)
@given(st.lists(_notifications, max_size=4), st.lists(st.integers(0, 3), max_size=8))
def test_outbox_rows_share_equal_payloads_and_write_the_same(notes: list[Notification], picks: list[int]) -> None:
    """A chunk's notifications, some after one with the same payload: each row as encoded alone."""
    chunk = [notes[i % len(notes)] for i in picks] if notes else []
    chunk += [attrs.evolve(n, key=n.key + "-again") for n in chunk]  # equal payloads, other objects
    expected = [(n.key, codec.dumps_slow(n), codec.micros(n.at)) for n in chunk]
    assert codec.notification_rows(chunk) == expected


_payload_values = st.one_of(_text, st.integers(), st.none(), st.sampled_from([InspectionKind.ROUTINE, Role.INSPECTOR]))
_staged = st.tuples(
    _keys, _text, st.sampled_from(Role), _text, _text, st.dictionaries(_text, _payload_values, max_size=3)
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(_staged, max_size=4),
    st.lists(st.integers(0, 3), max_size=8),
    st.one_of(
        _instants,
        st.sampled_from([pendulum.datetime(2026, 3, 2, 9, tz="Asia/Shanghai"), pendulum.datetime(2026, 3, 2).naive()]),
    ),
)
def test_staged_notifications_write_the_rows_of_the_notifications(
    notes: list[StagedNotification], picks: list[int], at: pendulum.DateTime
) -> None:
    """A chunk's staged notifications (bulk filing's), some after one with the same kind,
    role or payload (as a plan's are) and the instant in any zone: the rows of the
    notifications they stand for, each encoded alone (or the same refusal of a naive one)."""
    chunk = [notes[i % len(notes)] for i in picks] if notes else []
    chunk += [(k + "-again", kind, role, r, s, dict(p)) for k, kind, role, r, s, p in chunk]  # equal, not the same
    chunk += [(k, kind + "-other", role, r, s, p) for k, kind, role, r, s, p in chunk[:2]]  # another kind after
    try:
        expected: object = [(n.key, codec.dumps_slow(n), codec.micros(n.at)) for n in staged.notifications(at, chunk)]
    except ValidationError as refused:
        expected = refused.code
    try:
        rows: object = outbox_rows.staged_notification_rows(at, chunk)
    except ValidationError as refused:
        rows = refused.code
    assert rows == expected
