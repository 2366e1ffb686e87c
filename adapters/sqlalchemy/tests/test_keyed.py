"""Reads by a list of keys (issue 11): one statement whatever the list's length, the same
rows on every database as an ``IN`` list would give, by each of its paths (arrays on
PostgreSQL, a JSON array on SQLite, lists compiled per length or expanded on MariaDB)."""

from __future__ import annotations

import json

import pytest
from jointinspect_sqlalchemy import SQLStore
from jointinspect_sqlalchemy.keyed import IN_CHUNK, PREPARED_IN, _list_value, read_among
from jointinspect_sqlalchemy.schema import enterprise_locks
from sqlalchemy import bindparam, insert, select

STORED = [f"E{n:05d}" for n in range(0, 3 * IN_CHUNK, 2)]  # even numbers only


@pytest.mark.parametrize("count", [1, PREPARED_IN, PREPARED_IN + 1, IN_CHUNK + 1, 3 * IN_CHUNK])
def test_read_among_finds_exactly_the_stored_keys(sql_store: SQLStore, count: int) -> None:
    t = enterprise_locks
    wanted = [f"E{n:05d}" for n in range(count)] + ["E00000"]  # odd ones are missing; a repeat
    low = "E00004"
    with sql_store.unit_of_work() as uow:
        uow.execute(insert(t), [{"enterprise": code} for code in STORED])
        one = read_among(
            uow,
            "test-among",
            lambda among: (
                select(t.c.enterprise)
                .where(among(t.c.enterprise, "codes"), t.c.enterprise >= bindparam("low"))
                .order_by(t.c.enterprise)
            ),
            {"codes": wanted},
            {"low": low},
        )
        half = wanted[: len(wanted) // 2 + 1]
        two = read_among(
            uow,
            "test-among-two",
            lambda among: select(t.c.enterprise).where(among(t.c.enterprise, "a"), among(t.c.enterprise, "b")),
            {"a": wanted, "b": half},
        )
        nothing = read_among(
            uow,
            "test-among-none",
            lambda among: select(t.c.enterprise).where(among(t.c.enterprise, "codes")),
            {"codes": []},
        )
    assert [row[0] for row in one] == sorted(set(wanted) & {c for c in STORED if c >= low})
    assert sorted(row[0] for row in two) == sorted(set(half) & set(STORED))
    assert nothing == []


def test_read_among_after_deferred_writes_reads_them(sql_store: SQLStore) -> None:
    """On PostgreSQL the keys are bound in binary, or rendered as a literal when the read
    travels with writes deferred before it: either way it sees them (non-ASCII keys too)."""
    t = enterprise_locks
    codes = ["E00001", "企业-2", "E00003"]
    add = sql_store.statement("test-lock-insert", lambda: insert(t), ["enterprise"])
    with sql_store.unit_of_work() as uow:
        for code in codes[:2]:
            uow.defer(add, {"enterprise": code})
        found = read_among(
            uow,
            "test-among-deferred",
            lambda among: select(t.c.enterprise).where(among(t.c.enterprise, "codes")),
            {"codes": codes},
        )
        uow.commit()
    assert sorted(row[0] for row in found) == sorted(codes[:2])
    with sql_store.unit_of_work() as uow:
        assert sorted(row[0] for row in uow.execute(select(t.c.enterprise))) == sorted(codes[:2])


def test_a_list_sent_again_as_json_is_the_same_keys_not_merely_equal_ones() -> None:
    keys = ["a", "b"]
    assert json.loads(_list_value("sqlite", keys)) == ["a", "b"]
    assert _list_value("sqlite", list(keys)) == '["a", "b"]'  # the same keys: the text kept
    keys[1] = "c"  # the caller's list changed since
    assert json.loads(_list_value("sqlite", keys)) == ["a", "c"]
    assert _list_value("sqlite", [1]) == "[1]"
    assert _list_value("sqlite", [True]) == "[true]"  # equal to [1], written otherwise
