"""The audit hash chain: any single alteration, removal, swap or insertion is detected."""

from __future__ import annotations

import hashlib

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointinspect.audit import (
    GENESIS,
    AuditEntry,
    AuditRecord,
    _canonical_slow,
    canonical_body,
    seal,
    sealed,
    sealed_many,
    verify,
)
from jointinspect.errors import AuditChainBroken

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")

# What a record may hold: text without NUL or lone surrogates (refused, see test_audit_values).
chars = st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"])
text = st.text(chars, min_size=0, max_size=8)
records = st.builds(
    AuditRecord,
    at=st.integers(0, 10**6).map(lambda s: T0.add(seconds=s)),
    actor=st.text(chars, min_size=1, max_size=8),
    action=st.text(chars, min_size=1, max_size=8),
    subject=text,
    data=st.dictionaries(st.text(chars, min_size=1, max_size=4), text, max_size=3),
)


def chain(recs: list[AuditRecord]) -> list[AuditEntry]:
    out: list[AuditEntry] = []
    for n, rec in enumerate(recs, start=1):
        out.append(seal(rec, n, out[-1].hash if out else GENESIS))
    return out


def _other(value: str) -> str:
    return value + "x"


def altered(entry: AuditEntry, field: str) -> AuditEntry:
    rec = entry.record
    if field == "at":
        return attrs.evolve(entry, record=attrs.evolve(rec, at=rec.at.add(seconds=1)))
    if field == "actor":
        return attrs.evolve(entry, record=attrs.evolve(rec, actor=_other(rec.actor)))
    if field == "action":
        return attrs.evolve(entry, record=attrs.evolve(rec, action=_other(rec.action)))
    if field == "subject":
        return attrs.evolve(entry, record=attrs.evolve(rec, subject=_other(rec.subject)))
    if field == "data_value" and rec.data:
        (k, v), *rest = rec.data
        return attrs.evolve(entry, record=attrs.evolve(rec, data=((k, _other(v)), *rest)))
    if field.startswith("data"):
        return attrs.evolve(entry, record=attrs.evolve(rec, data=(*rec.data, ("~added", "1"))))
    if field == "seq":
        return attrs.evolve(entry, seq=entry.seq + 1)
    if field == "prev_hash":
        return attrs.evolve(entry, prev_hash=("1" if entry.prev_hash[0] != "1" else "2") + entry.prev_hash[1:])
    assert field == "hash"
    return attrs.evolve(entry, hash=("1" if entry.hash[0] != "1" else "2") + entry.hash[1:])


FIELDS = ["at", "actor", "action", "subject", "data_value", "data_added", "seq", "prev_hash", "hash"]


@given(st.lists(records, min_size=1, max_size=8))
def test_an_untouched_chain_verifies(recs: list[AuditRecord]) -> None:
    entries = chain(recs)
    assert verify(entries) == len(recs)
    assert verify([]) == 0


@given(st.lists(records, min_size=1, max_size=8), st.data())
def test_any_altered_field_is_detected(recs: list[AuditRecord], data: st.DataObject) -> None:
    entries = chain(recs)
    i = data.draw(st.integers(0, len(entries) - 1))
    field = data.draw(st.sampled_from(FIELDS))
    entries[i] = altered(entries[i], field)
    with pytest.raises(AuditChainBroken) as err:
        verify(entries)
    assert err.value.code == "audit.broken"
    assert err.value.details["seq"] in (i + 1, i + 2)


@given(st.lists(records, min_size=2, max_size=8), st.data())
def test_removed_entry_is_detected(recs: list[AuditRecord], data: st.DataObject) -> None:
    entries = chain(recs)
    # Removing the last entry leaves a valid shorter chain: only the count tells (the
    # caller compares ``verify``'s return value with the length it expects).
    i = data.draw(st.integers(0, len(entries) - 2))
    del entries[i]
    with pytest.raises(AuditChainBroken):
        verify(entries)


def test_truncation_shows_in_the_count() -> None:
    entries = chain([AuditRecord(T0, "a", "x", "s"), AuditRecord(T0, "b", "y", "t")])
    assert verify(entries[:1]) == 1 != len(entries)


@given(st.lists(records, min_size=2, max_size=8), st.data())
def test_swapped_pair_is_detected(recs: list[AuditRecord], data: st.DataObject) -> None:
    entries = chain(recs)
    i = data.draw(st.integers(0, len(entries) - 2))
    j = data.draw(st.integers(i + 1, len(entries) - 1))
    entries[i], entries[j] = entries[j], entries[i]
    with pytest.raises(AuditChainBroken):
        verify(entries)


@given(st.lists(records, min_size=1, max_size=8), records, st.data())
def test_inserted_entry_is_detected(recs: list[AuditRecord], extra: AuditRecord, data: st.DataObject) -> None:
    entries = chain(recs)
    i = data.draw(st.integers(0, len(entries) - 1))
    how = data.draw(st.sampled_from(["sealed_here", "copy", "sealed_after_prev"]))
    if how == "copy":
        intruder = entries[data.draw(st.integers(0, len(entries) - 1))]
    elif how == "sealed_here":
        # Correctly sealed at position i + 1, but the old entry i + 1 follows it.
        intruder = seal(extra, i + 1, entries[i - 1].hash if i else GENESIS)
    else:
        intruder = seal(extra, entries[i].seq, entries[i].prev_hash)
    entries.insert(i, intruder)
    with pytest.raises(AuditChainBroken):
        verify(entries)


def test_chain_starts_at_genesis_and_one() -> None:
    rec = AuditRecord(T0, "a", "x", "s", {"k": "v"})
    with pytest.raises(AuditChainBroken):
        verify([seal(rec, 2, GENESIS)])
    with pytest.raises(AuditChainBroken):
        verify([seal(rec, 1, "f" * 64)])
    # The hash covers the content canonically: equal records, equal hashes.
    assert seal(rec, 1, GENESIS) == seal(
        AuditRecord(T0.in_timezone("Asia/Shanghai"), "a", "x", "s", {"k": "v"}), 1, GENESIS
    )


def test_a_cut_tail_is_caught_with_the_expected_head() -> None:
    entries = []
    prev = GENESIS
    for n in range(1, 6):
        entry = seal(AuditRecord(pendulum.datetime(2026, 1, 1, tz="UTC"), "a", "act", f"s{n}"), n, prev)
        entries.append(entry)
        prev = entry.hash
    assert verify(entries, expected_head=prev) == 5
    assert verify(entries[:3]) == 3  # by itself a shorter chain is still a chain
    with pytest.raises(AuditChainBroken):
        verify(entries[:3], expected_head=prev)


@given(records, st.integers(1, 2**62), st.text("0123456789abcdef", min_size=64, max_size=64))
def test_canonical_text_is_what_json_dumps_writes(record: AuditRecord, seq: int, prev: str) -> None:
    """The hand-written canonical body is byte for byte json.dumps' sorted compact text,
    and `sealed` hashes exactly the body it hands the store (issue 11)."""
    body = _canonical_slow(seq, record, prev)
    entry, stored = sealed(record, seq, prev)
    assert stored == body == canonical_body(entry)
    assert entry == seal(record, seq, prev)
    assert entry.hash == hashlib.sha256(body.encode()).hexdigest()


@given(
    st.lists(records, max_size=5),
    st.lists(st.integers(0, 4), max_size=10),
    st.integers(0, 2**40),
    st.text(chars, max_size=70),
)
def test_sealed_many_seals_as_sealed_one_after_another(
    recs: list[AuditRecord], picks: list[int], seq: int, prev: str
) -> None:
    """`sealed_many` (what both stores' ``append_many`` use) gives each record the entry and
    body `sealed` gives it, chained after the one before, whether consecutive records share
    their actor and instant (an operation's do), merely equal them or differ; the first
    previous hash is any text a store might hold (issue 11)."""
    batch = [recs[i % len(recs)] for i in picks] if recs else []
    batch += [attrs.evolve(r, subject=r.subject + "+") for r in batch]  # equal actors, other objects
    expected, bodies, at, previous = [], [], seq, prev
    for record in batch:
        at += 1
        entry, body = sealed(record, at, previous)
        expected.append(entry)
        bodies.append(body)
        previous = entry.hash
    assert sealed_many(batch, seq, prev) == (expected, bodies)
    assert all(body == _canonical_slow(e.seq, e.record, e.prev_hash) for e, body in zip(expected, bodies, strict=True))
