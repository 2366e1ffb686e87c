"""The hand-written decoders (issue 11): the value cattrs gives, with the same field types,
for every body the store writes; and for a changed body (a key missing, a value of another
type, a failing check) the value or the error cattrs gives."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any, cast

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jointinspect_sqlalchemy import codec

from jointinspect.model.plan import Inspection, InspectionKind, InspectionStatus, Plan, PlanStatus, Window
from jointinspect.model.quiet_slot import QuietSlot
from jointinspect.model.reference import CoordinateSystem, CreditClass, Enterprise, GeoPoint
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.validation import ID_PATTERN, _check_character

_text = st.text(st.characters(codec="utf-8"), max_size=12)
_clean_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
_names = st.lists(_text, max_size=4)
_identifiers = st.from_regex(ID_PATTERN, fullmatch=True)
_instants = st.datetimes(
    min_value=pendulum.datetime(1900, 1, 1).naive(), max_value=pendulum.datetime(2200, 1, 1).naive()
).map(lambda d: pendulum.instance(d, tz="UTC"))
# a few instants shared by many values, as a chunk's bodies share its filing time and windows
_shared = st.sampled_from([pendulum.datetime(2026, 3, 2, h, tz="UTC") for h in range(3)])
_windows = st.tuples(_instants | _shared, st.integers(1, 10**12)).map(
    lambda p: Window(p[0], p[0].add(microseconds=p[1]))
)
_credit_codes = st.text("0123456789", min_size=8, max_size=8).flatmap(
    lambda head: st.text("0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9).map(
        lambda tail: head + tail + _check_character(head + tail)
    )
)
_enterprise_names = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20).filter(
    str.strip
)


@st.composite
def _plans(draw: st.DrawFn) -> Plan:
    return Plan(
        draw(_text),
        draw(_text),
        draw(_text),
        draw(_names),
        draw(_names),
        draw(_windows),
        draw(st.sampled_from(InspectionKind)),
        draw(_instants | _shared),
        status=draw(st.sampled_from(PlanStatus)),
        inspection_id=draw(st.none() | _text),
        approvals=tuple(draw(_names)),
        reason=draw(_clean_text),
        approved_by=tuple(draw(_names)),
        idempotency_key=draw(st.none() | _identifiers),
    )


@st.composite
def _inspections(draw: st.DrawFn) -> Inspection:
    return Inspection(
        draw(_text),
        draw(_text),
        draw(_text),
        draw(_names),
        draw(_names),
        draw(_names),
        draw(_names),
        draw(_windows),
        draw(st.sampled_from(InspectionKind)),
        draw(_instants | _shared),
        status=draw(st.sampled_from(InspectionStatus)),
        successor=draw(st.none() | _text),
        reservation_id=draw(st.none() | _text),
        completed_at=draw(st.none() | _instants),
    )


_enterprises = st.builds(
    Enterprise,
    _credit_codes,
    _enterprise_names,
    st.builds(
        GeoPoint,
        st.floats(-90, 90) | st.integers(-90, 90),
        st.floats(-180, 180) | st.integers(-180, 180),
        st.sampled_from(CoordinateSystem),
    ),
    st.sampled_from(CreditClass),
    st.booleans(),
    st.booleans(),
)
_quiet_slots = st.builds(QuietSlot, _text, _text, st.dates(), st.dates(), _text, _instants | _shared)
_results = st.builds(
    ResultRecord,
    _text,
    _text,
    _text,
    _text,
    _text,
    _text,
    st.sampled_from(Outcome),
    _clean_text,
    st.lists(_clean_text, max_size=3),
    _instants | _shared,
    _text,
    st.booleans(),
    st.none() | _instants,
    st.none() | _clean_text,
)
_values = st.one_of(_plans(), _inspections(), _enterprises, _quiet_slots, _results)


def _same(a: object, b: object, *, fold: bool = True) -> None:
    """``a == b`` with the same type at every level (fields, elements, time zones), and
    instants' ``fold`` too unless ``fold`` is false (then their offsets and hashes)."""
    assert type(a) is type(b), (a, b)
    assert a == b
    if attrs.has(type(a)):
        for field in attrs.fields(cast(Any, type(a))):
            _same(getattr(a, field.name), getattr(b, field.name), fold=fold)
    elif isinstance(a, tuple):
        for x, y in zip(a, b, strict=True):  # type: ignore[call-overload]
            _same(x, y, fold=fold)
    elif isinstance(a, dt.datetime):
        assert isinstance(b, dt.datetime)
        assert a.tzinfo is b.tzinfo is pendulum.UTC
        if fold:
            assert a.fold == b.fold
        else:
            assert a.utcoffset() == b.utcoffset() and hash(a) == hash(b)


@settings(max_examples=400, deadline=None)
@given(_values)
def test_fast_decoders_give_what_cattrs_gives(value: object) -> None:
    """Every body `dumps` writes is decoded by hand (no fallback) into the value cattrs
    gives, with the same types; and that is the value written."""
    kind = type(value)
    text = codec.dumps(value)
    codec.FAST_LOADS[kind](json.loads(text))  # the hand-written path takes it, without falling back
    fast, slow = codec.loads(text, kind), codec.loads_slow(text, kind)
    _same(fast, slow)
    assert fast == value


def _outcome(text: str, load: Any, kind: type[Any]) -> tuple[str, object]:
    """What loading gives: the value, or the error's type and message (and its parts')."""
    try:
        return "value", load(text, kind)
    except Exception as error:  # comparing whatever is raised
        parts = [(type(e), str(e)) for e in getattr(error, "exceptions", ())]
        return "error", (type(error), str(error), parts)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=6,
)


def _paths(body: dict[str, Any]) -> list[tuple[str, ...]]:
    """Every key of the body, nested ones (window, site) included."""
    paths: list[tuple[str, ...]] = []
    for key, value in body.items():
        paths.append((key,))
        if isinstance(value, dict):
            paths.extend((key, inner) for inner in value)
    return paths


def _variants(value: object) -> st.SearchStrategy[object]:
    """Values a changed field may hold: any JSON, and near misses of the right shape."""
    near: list[object] = [None, True, 1.0, "", "x", [], ["b", "a"], ["a", "a"], [1], {}]
    if isinstance(value, int) and not isinstance(value, bool):
        near += [value + 0.0, str(value), value - 10**15, 10**20]
    if isinstance(value, str):
        near += [value.lower(), " " + value, value + "\x00", value.upper()]
    if isinstance(value, float):
        # (a field changed twice may hold a non-finite float already: no int of it)
        near += [*([int(value)] if math.isfinite(value) else []), float("nan"), float("inf"), -value, value * 3]
    if isinstance(value, list):
        near += [list(reversed(value)), value + value, tuple(value)]
    return st.sampled_from(near) | _json_values


@settings(max_examples=600, deadline=None)
@given(_values, st.data())
def test_a_changed_body_loads_or_fails_as_cattrs_does(value: object, data: st.DataObject) -> None:
    """A corrupt row or an older version's body: the same value or the same error as cattrs."""
    kind = type(value)
    body = json.loads(codec.dumps(value))
    for _ in range(data.draw(st.integers(1, 2))):
        path = data.draw(st.sampled_from(_paths(body)))
        holder = body if len(path) == 1 else body[path[0]]
        if not isinstance(holder, dict) or path[-1] not in holder:
            continue
        action = data.draw(st.sampled_from(["delete", "replace", "add"]))
        if action == "delete":
            del holder[path[-1]]
        elif action == "replace":
            holder[path[-1]] = data.draw(_variants(holder[path[-1]]))
        else:
            holder[data.draw(_text)] = data.draw(_json_values)
    text = json.dumps(body, ensure_ascii=False)
    fast, slow = _outcome(text, codec.loads, kind), _outcome(text, codec.loads_slow, kind)
    assert fast[0] == slow[0], (fast, slow)
    if fast[0] == "value":
        _same(fast[1], slow[1])
    else:
        assert fast[1] == slow[1]


_AT = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
_WINDOW = Window(_AT, _AT.add(hours=2))
#: one value of each kind, every optional field set.
_SAMPLES = [
    Plan(
        "p1",
        "E1",
        "D",
        ["X", "Y"],
        ["I1"],
        _WINDOW,
        InspectionKind.ROUTINE,
        _AT,
        PlanStatus.ACTIVE,
        "v1",
        ("office",),
        "late",
        ("u1",),
        "K-1",
    ),
    Inspection(
        "v1",
        "E1",
        "D",
        ["p1"],
        ["D", "F"],
        ["X"],
        ["I1", "I2"],
        _WINDOW,
        InspectionKind.RANDOM,
        _AT,
        InspectionStatus.COMPLETED,
        "v2",
        "r1",
        _AT.add(hours=1),
    ),
    Enterprise(
        "91350100M000100Y43", "某某有限公司", GeoPoint(26.5, 119.25, CoordinateSystem.GCJ02), CreditClass.A, True
    ),
    QuietSlot("q1", "E1", dt.date(2026, 9, 1), dt.date(2026, 9, 10), "旺季", _AT),
    ResultRecord(
        "r1", "v1", "E1", "D", "I1", "X", Outcome.FAIL, "漏水", ("a.jpg", "b.jpg"), _AT, "D", True, _AT, "张三"
    ),
]


def _near_misses(body: dict[str, Any], value: object) -> list[object]:
    """Values a field of ``body`` may hold in a corrupt row: other types, near misses, and
    the values of its sibling fields (a window ending where it starts)."""
    near: list[object] = [None, True, False, 0, 1.0, "", "x", [], ["b", "a"], ["a", "a"], [1], {}, {"a": 1}]
    near += [v for v in body.values() if not isinstance(v, dict)]
    near += [v for inner in body.values() if isinstance(inner, dict) for v in inner.values()]
    if isinstance(value, int) and not isinstance(value, bool):
        near += [value + 0.0, str(value), -value, value - 1, 10**20]
    if isinstance(value, str):
        near += [value.lower(), " " + value, value + "\x00", value + "\ud800", value * 500, value.upper()]
    if isinstance(value, float):
        near += [int(value), float("nan"), float("inf"), -value, value * 3, str(value)]
    if isinstance(value, list):
        near += [list(reversed(value)), value + value, [*value, 3], ["A", *value], [*value, "\x00"]]
    return near


def _changed_bodies(body: dict[str, Any]) -> list[Any]:
    """``body`` with one key deleted, one value replaced by a near miss, or one key added."""
    changed = []
    for path in _paths(body):
        holder = body if len(path) == 1 else body[path[0]]
        for replacement in [_DELETE, *_near_misses(holder, holder[path[-1]])]:
            copy = json.loads(json.dumps(body))
            target = copy if len(path) == 1 else copy[path[0]]
            if replacement is _DELETE:
                del target[path[-1]]
            else:
                target[path[-1]] = replacement
            changed.append(copy)
    return [*changed, {**body, "extra": 1}, [], None, "x"]


_DELETE = object()


@pytest.mark.parametrize("value", _SAMPLES, ids=lambda v: type(v).__name__)
def test_every_near_miss_loads_or_fails_as_cattrs_does(value: object) -> None:
    """Each key of each kind deleted or given each near miss: the same value or error."""
    kind = type(value)
    compared = 0
    for body in _changed_bodies(json.loads(codec.dumps(value))):
        text = json.dumps(body, ensure_ascii=False)
        fast, slow = _outcome(text, codec.loads, kind), _outcome(text, codec.loads_slow, kind)
        assert fast[0] == slow[0], (text, fast, slow)
        if fast[0] == "value":
            _same(fast[1], slow[1])
        else:
            assert fast[1] == slow[1], text
        compared += 1
    assert compared > 100


def test_an_older_body_without_defaulted_fields_loads() -> None:
    """A body written before a field with a default existed gets the default, as with cattrs."""
    at = pendulum.datetime(2026, 3, 2, tz="UTC")
    plan = Plan("p1", "E1", "D", ["X"], ["I1"], Window(at, at.add(hours=2)), InspectionKind.ROUTINE, at)
    body = json.loads(codec.dumps(plan))
    for key in ("idempotency_key", "approved_by", "reason", "approvals", "inspection_id", "status"):
        del body[key]
    loaded = codec.loads(json.dumps(body), Plan)
    _same(loaded, codec.loads_slow(json.dumps(body), Plan))
    assert loaded == plan


@pytest.mark.parametrize(
    "text",
    ['{"a":1}', ' {"a":1}', '{"a":1} ', '{"a":1}x', '\ufeff{"a":1}', '{"a":', "", "[1,2]", '"\\ud800"', "[1e400]"],
)
def test_parse_reads_as_json_loads(text: str) -> None:
    """The direct scanner call gives what ``json.loads`` gives, errors included."""
    assert _outcome(text, lambda t, _: codec._parse(t), object) == _outcome(text, lambda t, _: json.loads(t), object)
    assert codec._parse(b'{"a":1}') == {"a": 1}  # bytes go to json.loads as they are


def test_decoders_are_kept_only_for_classes_they_know() -> None:
    """Like the encoders: a decoder is registered only while its class has the fields it reads."""
    assert set(codec.FAST_LOADS) == {Plan, Inspection, Enterprise, QuietSlot, ResultRecord}
    assert codec._known(QuietSlot, "id", "enterprise") is False
