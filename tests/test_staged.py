"""Audit records and notifications staged as plain values (`jointinspect.staged`, what bulk
filing stages): sealed without building the records, they give the entries, bodies and
hashes of the records built and sealed one after another, and the same refusals (issue 11)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_audit_checked import _Number, _Odd

from jointinspect import staged
from jointinspect.audit import GENESIS, AuditRecord, sealed_many
from jointinspect.errors import ValidationError
from jointinspect.model.notification import Notification, Role
from jointinspect.model.plan import InspectionKind, PlanStatus

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


class _Hidden(str):
    """Text whose ``str`` hides a NUL of its content."""

    def __str__(self) -> str:
        return "fine"


# Texts the fast path must send to `AuditRecord.checked` (a NUL, a lone surrogate) or must
# not mistake for one (an escape's text, written out).
texts = st.one_of(st.text(max_size=5), st.sampled_from(["", "a\x00", "\ud800", "检查", "plan.filed", "\\u0000", "a\\"]))
values = st.one_of(
    texts,
    st.integers(),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.sampled_from(
        [InspectionKind.ROUTINE, PlanStatus.ACTIVE, _Number.ONE, _Odd("x"), _Hidden("a\x00"), _Hidden("b"), b"bytes"]
    ),
)
instants = st.sampled_from(
    [T0, T0.in_timezone("Asia/Shanghai"), dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC), dt.datetime(2026, 3, 2, 1)]
)
#: A record refused by nothing (put around the drawn ones).
_GOOD: staged.StagedRecord = ("plan.filed", "p0", {"plan": "p0"})
staged_records = st.tuples(texts, texts, st.dictionaries(texts, values, max_size=4))


def _sealed_many(at: Any, actor: Any, batch: list[staged.StagedRecord], seq: int, prev: str) -> Any:
    try:
        records = staged.records(at, actor, batch)
    except ValidationError as refused:
        return "refused", (refused.code, refused.details)
    entries, bodies = sealed_many(records, seq, prev)
    rows = [(e.seq, e.prev_hash, e.hash, b, e.record.action) for e, b in zip(entries, bodies, strict=True)]
    return rows, [entries[0], entries[-1]] if len(entries) > 1 else entries


def _sealed_rows(at: Any, actor: Any, batch: list[staged.StagedRecord], seq: int, prev: str) -> Any:
    try:
        rows, ends = staged.sealed_rows(at, actor, batch, seq, prev)
    except ValidationError as refused:
        return "refused", (refused.code, refused.details)
    return rows, ends


@settings(max_examples=300)
@given(
    instants,
    st.one_of(texts, st.none()),
    st.lists(staged_records, max_size=4),
    st.integers(0, 2**40),
    st.sampled_from([GENESIS, "ab" * 32]),
)
def test_sealed_rows_are_the_records_sealed_one_after_another(
    at: Any, actor: Any, batch: list[staged.StagedRecord], seq: int, prev: str
) -> None:
    for drawn in (batch, [_GOOD, *batch, _GOOD]):  # not only at the ends (built as records, for the anchors)
        assert _sealed_rows(at, actor, drawn, seq, prev) == _sealed_many(at, actor, drawn, seq, prev)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("a\x00b", "contains a NUL character"),
        ("a\ud800", "contains a lone surrogate"),
        (1.5e400, "not a finite"),
        (_Hidden("a\x00"), "contains a NUL character"),  # hidden by its str, not by its content
    ],
)
@pytest.mark.parametrize("where", ["value", "key", "subject"])
def test_a_value_a_record_refuses_is_refused_when_sealed(value: object, reason: str, where: str) -> None:
    """Checked when sealed: a NUL (an escape in the body), a lone surrogate (the body does not
    encode) or a value of another type, in a value, a key or the subject, is refused as
    `AuditRecord` refuses it, naming the field."""
    if where != "value" and type(value) is not str:
        return
    data: dict[str, object] = {"plan": "p1", "kind": InspectionKind.ROUTINE}
    subject = "s1"
    if where == "value":
        data["bad"] = value
    elif where == "key":
        data[str(value)] = "x"
    else:
        subject = str(value)
    with pytest.raises(ValidationError) as alone:
        AuditRecord.checked(T0, "officer:A", "plan.filed", subject, data)
    with pytest.raises(ValidationError) as sealed:
        staged.sealed_rows(T0, "officer:A", [_GOOD, ("plan.filed", subject, data), _GOOD], 0, GENESIS)
    assert reason in sealed.value.details["reason"]
    assert (sealed.value.code, sealed.value.details) == (alone.value.code, alone.value.details)


def test_the_ends_are_the_first_and_last_entries() -> None:
    batch: list[staged.StagedRecord] = [("a", f"s{n}", {"n": n}) for n in range(3)]
    rows, ends = staged.sealed_rows(T0, "officer:A", batch, 7, GENESIS)
    entries, _ = sealed_many(staged.records(T0, "officer:A", batch), 7, GENESIS)
    assert [row[0] for row in rows] == [8, 9, 10]
    assert ends == [entries[0], entries[2]]
    assert staged.sealed_rows(T0, "officer:A", batch[:1], 7, GENESIS)[1] == entries[:1]
    assert staged.sealed_rows(T0, "officer:A", [], 7, GENESIS) == ([], [])


@pytest.mark.parametrize(
    "data",
    [
        {_Hidden("plan"): "x"},  # equal to a key escaped before, but not text
        {_Odd("kind"): "x", "plan": "p"},
        {1: "x", 2: "y"},  # keys of one other type: sorted, then refused by type
        {"plan": "p", 1: "x"},  # keys that do not sort together
        {"": "x"},  # an empty key is never kept
        {"a\x00": "x"},
        {"plan": "p", "kind": InspectionKind.ROUTINE, "n": 3, "ok": True, "none": None},
    ],
)
def test_a_key_escaped_before_is_still_checked(data: dict[Any, object]) -> None:
    """The keys' JSON openings are kept from record to record: a key is still checked on
    every record (type, empty, NUL), whatever was kept for an equal one."""
    batch: list[staged.StagedRecord] = [_GOOD, ("plan.filed", "s1", {"plan": "p", "kind": "k"}), ("a", "s2", data)]
    assert _sealed_rows(T0, "officer:A", batch, 0, GENESIS) == _sealed_many(T0, "officer:A", batch, 0, GENESIS)


def test_the_kept_key_openings_are_bounded_and_right() -> None:
    """More distinct keys than are kept: the openings are dropped and made again, each the
    key's own (records sealed one after another give the same rows)."""
    many = staged._OPENED_KEPT + 50
    batch: list[staged.StagedRecord] = [("a", f"s{n}", {f"k{n}": n, f"k{n}b": "v", "plan": "p"}) for n in range(many)]
    batch += batch[:5]  # keys kept before the openings were dropped
    assert _sealed_rows(T0, "officer:A", batch, 0, GENESIS) == _sealed_many(T0, "officer:A", batch, 0, GENESIS)
    assert len(staged._OPENED) <= staged._OPENED_KEPT


@given(
    st.lists(
        st.tuples(
            st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=6),  # checked keys
            st.text(max_size=6),
            st.sampled_from(Role),
            st.text(max_size=6),
            st.dictionaries(st.text(max_size=4), st.one_of(st.text(max_size=4), st.integers(), st.none()), max_size=3),
        ),
        max_size=4,
    ),
    instants,
)
def test_staged_notifications_are_those_notify_builds(items: list[Any], at: Any) -> None:
    batch = [(key, kind, role, "r", subject, values) for key, kind, role, subject, values in items]
    assert _outcome(lambda: staged.notifications(at, batch)) == _outcome(
        lambda: [
            Notification(key=k, kind=kind, role=role, recipient="r", subject=subject, at=at, payload=values)
            for k, kind, role, _, subject, values in batch
        ]
    )


def _outcome(build: Callable[[], object]) -> object:
    try:
        return build()
    except ValidationError as refused:
        return refused.code, refused.details


class _SortsLast(str):
    """Text equal to a plain key that sorts after every other (as `AuditRecord` sorts it)."""

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return True


@pytest.mark.parametrize(
    "value",
    [InspectionKind.ROUTINE, PlanStatus.ACTIVE, _Number.ONE, _Odd("x"), _Hidden("b"), b"b", 1.5, float("inf"),
     True, None, 3, "a\x00", "\ud800", "检查"],
)  # fmt: skip
def test_records_of_one_shape_are_written_as_each_would_be(value: object) -> None:
    """Records of one action and keys share a writer made for the first: a later one's value
    of any type is still checked and written as its record would be."""
    shape: list[staged.StagedRecord] = [("plan.filed", f"s{n}", {"plan": "p", "kind": "k"}) for n in range(2)]
    batch = [_GOOD, *shape, ("plan.filed", "s9", {"plan": "p", "kind": value}), *shape]
    assert _sealed_rows(T0, "officer:A", batch, 0, GENESIS) == _sealed_many(T0, "officer:A", batch, 0, GENESIS)


@pytest.mark.parametrize(
    "data",
    [
        {"plan": "p"},  # fewer keys than the action's last shape
        {"plan": "p", "kind": "k", "n": 1},  # more
        {"kind": "k", "plan": "p"},  # the same keys in another order
        {_SortsLast("kind"): "k", "plan": "p"},  # keys equal to a shape's, but not plain text
        {"plan": "p", _SortsLast("kind"): "k"},
        {"plan": "p", "kind": "k"},
    ],
)
def test_a_record_of_another_shape_than_its_actions_last_is_written_as_its_own(data: dict[Any, object]) -> None:
    """The writer an action used last is used again only for records of the very same keys
    in the same order; any other record is written by its own shape (or checked as a record)."""
    batch: list[staged.StagedRecord] = [("plan.filed", "s1", {"plan": "p", "kind": "k"}), ("plan.filed", "s2", data)]
    batch += [("plan.filed", "s3", {"plan": "p", "kind": "k"}), ("plan.filed", "s4", dict(data)), _GOOD]
    assert _sealed_rows(T0, "officer:A", batch, 0, GENESIS) == _sealed_many(T0, "officer:A", batch, 0, GENESIS)


def test_the_kept_writers_are_bounded_and_right() -> None:
    """More shapes than are kept: the writers are dropped and made again, each its shape's."""
    many = staged._SHAPES_KEPT + 20
    batch: list[staged.StagedRecord] = [(f"a{n % 40}", f"s{n}", {f"k{n}": n, "plan": "p"}) for n in range(many)]
    batch += batch[:5]
    assert _sealed_rows(T0, "officer:A", batch, 0, GENESIS) == _sealed_many(T0, "officer:A", batch, 0, GENESIS)
    assert len(staged._SHAPES) <= staged._SHAPES_KEPT
