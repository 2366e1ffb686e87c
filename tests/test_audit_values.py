"""Audit values are validated before hashing, rows are read back exactly, anchors are signed,
and verification streams in constant memory."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointinspect.audit import (
    EMPTY_HEAD,
    GENESIS,
    Anchor,
    AuditEntry,
    AuditRecord,
    canonical_body,
    check_anchor,
    make_anchor,
    parse_row,
    seal,
    verify,
    verify_log,
)
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.errors import AuditChainBroken, ValidationError
from jointinspect.memory import MemoryStore

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
KEYS = MemoryKeyStore.from_seed(bytes(range(7, 39)))


@pytest.mark.parametrize(
    "fields",
    [
        {"actor": None},
        {"actor": b"officer"},
        {"actor": ""},
        {"actor": 7},
        {"actor": "a\x00b"},
        {"actor": "\ud800"},
        {"action": None},
        {"subject": None},
        {"subject": "p\udfff"},
        {"data": {"k": b"v"}},
        {"data": {"k": object()}},
        {"data": {"k": float("nan")}},
        {"data": {"k": [1, 2]}},
        {"data": {"k": "\x00"}},
        {"data": {"\ud800": "v"}},
        {"data": {"": "v"}},
        {"data": {1: "v"}},
        {"data": "k=v"},
        {"data": (("k",),)},
    ],
)
def test_values_a_store_cannot_keep_are_refused_before_hashing(fields: dict[str, object]) -> None:
    base: dict[str, object] = {"at": T0, "actor": "officer:SCJG", "action": "plan.filed", "subject": "p1", "data": {}}
    store = MemoryStore()
    with store.unit_of_work() as uow:
        with pytest.raises(ValidationError) as err:
            uow.audit.append(AuditRecord(**{**base, **fields}))  # type: ignore[arg-type]
        assert err.value.code in ("audit.value_invalid", "input.invalid")
        assert uow.audit.entries() == [] and uow.audit.head() == EMPTY_HEAD
        uow.commit()
    with store.unit_of_work() as uow:
        assert verify_log(uow.audit) == 0


def test_accepted_values_are_kept_as_text() -> None:
    rec = AuditRecord(T0, "a", "x", "s", {"n": 3, "b": True, "none": None, "f": 1.5, "s": "文本"})
    assert dict(rec.data) == {"n": "3", "b": "True", "none": "None", "f": "1.5", "s": "文本"}


safe_text = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]), min_size=1, max_size=10)
values = st.one_of(safe_text, st.integers(), st.booleans(), st.none())


@given(safe_text, safe_text, st.dictionaries(safe_text, values, max_size=4))
def test_any_accepted_record_round_trips_through_its_row(actor: str, subject: str, data: dict[str, object]) -> None:
    store = MemoryStore()
    with store.unit_of_work() as uow:
        entry = uow.audit.append(AuditRecord(T0, actor, "act", subject, data))
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.audit.entries() == [entry]
        assert verify_log(uow.audit) == 1
    assert parse_row(entry.seq, entry.prev_hash, entry.hash, canonical_body(entry)) == entry


@pytest.mark.parametrize(
    "row",
    [
        (1, GENESIS, "h", "{bad json"),
        (1, GENESIS, "h", "[]"),
        (1, GENESIS, "h", '{"seq":1}'),
        (1, GENESIS, "h", None),
        ("1", GENESIS, "h", "{}"),
        (None, GENESIS, "h", "{}"),
        (1, None, "h", "{}"),
        (1, GENESIS, 5, "{}"),
    ],
)
def test_a_corrupted_row_is_a_broken_chain_not_a_decoding_error(row: tuple[object, ...]) -> None:
    with pytest.raises(AuditChainBroken) as err:
        parse_row(*row)
    assert err.value.code == "audit.broken"


def test_corrupted_fields_name_the_entry() -> None:
    entry = seal(AuditRecord(T0, "a", "x", "s", {"k": "v"}), 3, "f" * 64)
    body = canonical_body(entry)
    for bad in (
        body.replace('"actor":"a"', '"actor":5'),
        body.replace('"actor":"a"', '"actor":null'),
        body.replace('"data":[["k","v"]]', '"data":[["k",{}]]'),
        body.replace('"data":[["k","v"]]', '"data":"kv"'),
        body.replace(T0.isoformat(), "yesterday"),
        body.replace('"seq":3', '"seq":4'),
        body.replace('"prev":"' + "f" * 64, '"prev":"' + "e" * 64),
        body + " ",
    ):
        with pytest.raises(AuditChainBroken) as err:
            parse_row(3, "f" * 64, entry.hash, bad)
        assert err.value.details["seq"] == 3


def test_anchors_are_signed_and_checked() -> None:
    anchor = make_anchor(5, "a" * 64, T0, KEYS)
    check_anchor(anchor, KEYS)
    assert Anchor.from_dict(anchor.to_dict()) == anchor
    for forged in (
        attrs.evolve(anchor, hash="b" * 64),
        attrs.evolve(anchor, seq=6),
        attrs.evolve(anchor, at=T0.add(seconds=1)),
        attrs.evolve(anchor, key_id="other"),
        attrs.evolve(anchor, signature="zz"),
    ):
        with pytest.raises(AuditChainBroken) as err:
            check_anchor(forged, KEYS)
        assert err.value.code == "audit.anchor_invalid"
    with pytest.raises(AuditChainBroken):
        check_anchor(anchor, MemoryKeyStore.generated())  # someone else's key
    with pytest.raises(ValidationError):
        Anchor.from_dict({"seq": 1})
    for bad in ({"seq": -1}, {"seq": True}, {"hash": "A" * 64}, {"hash": "a"}, {"key_id": ""}):
        with pytest.raises(ValidationError):
            Anchor.from_dict({**anchor.to_dict(), **bad})
    with pytest.raises(ValidationError):
        verify([], anchors=[anchor])  # anchors without keys


def _lazy_chain(n: int) -> Iterator[AuditEntry]:
    prev = GENESIS
    for seq in range(1, n + 1):
        entry = seal(
            AuditRecord(T0.add(seconds=seq), "officer:SCJG", "plan.filed", f"plan-{seq}", {"k": seq}), seq, prev
        )
        prev = entry.hash
        yield entry


def _peak(run: object) -> tuple[int, float]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        run()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1], time.perf_counter() - started
    finally:
        tracemalloc.stop()


def test_verification_streams_in_constant_memory() -> None:
    # Figures for 20,000 entries on a store: benchmarks/trust.py.
    small, _ = _peak(lambda: verify(_lazy_chain(500)))
    large, seconds = _peak(lambda: verify(_lazy_chain(5_000)))
    listed, listed_seconds = _peak(lambda: verify(list(_lazy_chain(5_000))))
    print(
        f"\nverify 5,000 entries streaming: {seconds:.2f} s, peak {large / 2**20:.3f} MiB; "
        f"materialised list: {listed_seconds:.2f} s, peak {listed / 2**20:.2f} MiB; "
        f"streaming 500: peak {small / 2**20:.3f} MiB"
    )
    # Ten times the entries, about the same memory: nothing grows with the log.
    assert large < 2 * small + 64 * 1024
    assert listed > 5 * large


def test_memory_store_iterates_lazily() -> None:
    store = MemoryStore()
    with store.unit_of_work() as uow:
        for entry in _lazy_chain(3):
            uow.audit.append(entry.record)
        uow.commit()
    with store.unit_of_work() as uow:
        it = uow.audit.iter_entries()
        assert next(it).seq == 1
        assert [e.seq for e in uow.audit.iter_entries(after_seq=1)] == [2, 3]
        assert uow.audit.head().seq == 3
