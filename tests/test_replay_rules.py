"""The vectorised rule forms of ``jointinspect.rules.replay`` equal the pure rules.

Each property draws small random inputs (plans, visits, policies) and compares the column
form with the pure rule function applied one by one: ``allowed_window``,
``check_advance_notice``, ``check_window_length``, ``whitelist_decision``, the window and
``joint`` flag of ``match_batch``'s groups, and ``evaluate`` with ``frequency_checks``
replayed visit by visit.
"""

from __future__ import annotations

import calendar
import datetime as dt

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy", reason="numpy not installed (optional extra jointinspect[fast])")

from jointinspect.errors import FilingRejected, ValidationError  # noqa: E402
from jointinspect.model.plan import InspectionKind, Plan, Window  # noqa: E402
from jointinspect.model.reference import CreditClass, Enterprise, GeoPoint  # noqa: E402
from jointinspect.policy.schema import (  # noqa: E402
    Allowance,
    DayUnit,
    Direction,
    FilingPolicy,
    FrequencyRule,
    MatchingPolicy,
    Period,
    Policy,
    WhitelistMode,
    WhitelistPolicy,
)
from jointinspect.rules import replay  # noqa: E402
from jointinspect.rules.batch import group_ids  # noqa: E402
from jointinspect.rules.filing import (  # noqa: E402
    check_advance_notice,
    check_window_length,
    frequency_checks,
    whitelist_decision,
)
from jointinspect.rules.frequency import Action, Reservation, Scope, evaluate  # noqa: E402
from jointinspect.rules.matching import allowed_window, match_batch  # noqa: E402

KINDS = tuple(InspectionKind)
CLASSES = tuple(CreditClass)
T0 = pendulum.datetime(2026, 1, 26, 0, tz="UTC")  # before the Spring Festival holidays


def secs(at: dt.datetime) -> int:
    return calendar.timegm(at.utctimetuple())


def col(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64)


@st.composite
def allowances(draw: st.DrawFn) -> MatchingPolicy:
    chosen = draw(st.lists(st.sampled_from(KINDS[:3]), unique=True, max_size=3))
    return MatchingPolicy(
        min_common_hours=draw(st.sampled_from([1, 2, 8])),  # group_ids needs a minimum
        allowances={
            k: Allowance(
                days=draw(st.integers(0, 3)),
                hours=draw(st.integers(0, 5)),
                direction=draw(st.sampled_from(list(Direction))),
            )
            for k in chosen
        },
    )


@st.composite
def plans(draw: st.DrawFn) -> list[Plan]:
    out = []
    for k in range(draw(st.integers(1, 20))):
        start = T0.add(hours=draw(st.integers(0, 40 * 24)))
        length = pendulum.duration(hours=draw(st.sampled_from([1, 2, 3, 8, 24, 72, 240])))
        dept = draw(st.sampled_from(["SCJG", "YJGL", "STHJ"]))
        out.append(
            Plan(
                id=f"p{k:03d}",
                enterprise=draw(st.sampled_from(["E1", "E2", "E3"])),
                department=dept,
                items=[f"{dept}-01"],
                inspectors=[f"{dept}-I01"],
                window=Window(start, start + length),
                kind=draw(st.sampled_from(KINDS)),
                filed_at=start.subtract(hours=draw(st.integers(0, 20 * 24))),
            )
        )
    return out


@settings(max_examples=80, deadline=None)
@given(plans(), allowances())
def test_allowed_windows_equal_allowed_window(ps: list[Plan], policy: MatchingPolicy) -> None:
    earlier, later = replay.allowance_seconds(policy, KINDS)
    for p in ps:
        w = allowed_window(p, policy)
        k = KINDS.index(p.kind)
        assert secs(w.start) == secs(p.window.start) - earlier[k]
        assert secs(w.end) == secs(p.window.end) + later[k]


@settings(max_examples=80, deadline=None)
@given(
    plans(),
    st.integers(0, 10),
    st.sampled_from(list(DayUnit)),
    st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York"]),
)
def test_late_equals_check_advance_notice(ps: list[Plan], advance: int, unit: DayUnit, zone: str) -> None:
    policy = Policy(zone=zone, filing=FilingPolicy(advance=advance, unit=unit))
    got = replay.late(
        np.array([KINDS.index(p.kind) for p in ps], np.int8),
        col([secs(p.window.start) for p in ps]),
        col([secs(p.filed_at) for p in ps]),
        KINDS,
        policy,
    )
    for p, flag in zip(ps, got, strict=True):
        try:
            check_advance_notice(p.kind, p.window, p.filed_at, policy)
            expected = False
        except FilingRejected:
            expected = True
        assert bool(flag) is expected, p


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin"])
@pytest.mark.parametrize("second", [-1, 0, 1])
def test_late_at_local_midnight(zone: str, second: int) -> None:
    # Filing and start exactly at (or a second around) local midnight: the day boundaries.
    policy = Policy(zone=zone, filing=FilingPolicy(advance=7))
    filed = pendulum.datetime(2026, 3, 2, tz=zone).in_timezone("UTC").add(seconds=second)
    starts = [
        pendulum.datetime(2026, 3, d, tz=zone).in_timezone("UTC").add(seconds=s) for d in (8, 9, 10) for s in (-1, 0, 1)
    ]
    got = replay.late(
        np.zeros(len(starts), np.int8), col([secs(t) for t in starts]), col([secs(filed)] * len(starts)), KINDS, policy
    )
    for start, flag in zip(starts, got, strict=True):
        try:
            check_advance_notice(KINDS[0], Window(start, start.add(hours=8)), filed, policy)
            expected = False
        except FilingRejected:
            expected = True
        assert bool(flag) is expected, start


@settings(max_examples=50, deadline=None)
@given(plans(), st.sampled_from([0, 1, 2, 3, 8]))
def test_short_equals_check_window_length(ps: list[Plan], hours: int) -> None:
    policy = Policy(matching=MatchingPolicy(min_common_hours=hours))
    got = replay.short(col([secs(p.window.start) for p in ps]), col([secs(p.window.end) for p in ps]), policy.matching)
    for p, flag in zip(ps, got, strict=True):
        try:
            check_window_length(p.window, policy)
            expected = False
        except ValidationError:
            expected = True
        assert bool(flag) is expected


@settings(max_examples=50, deadline=None)
@given(
    st.dictionaries(st.sampled_from(CLASSES), st.sampled_from(list(WhitelistMode))),
    st.sampled_from(list(WhitelistMode)),
    st.frozensets(st.sampled_from(KINDS)),
    st.lists(st.tuples(st.integers(0, 3), st.booleans(), st.integers(0, len(KINDS) - 1)), max_size=30),
)
def test_whitelist_equals_whitelist_decision(
    classes: dict[CreditClass, WhitelistMode],
    explicit: WhitelistMode,
    kinds: frozenset[InspectionKind],
    rows: list[tuple[int, bool, int]],
) -> None:
    policy = WhitelistPolicy(classes=classes, explicit=explicit, kinds=kinds)
    got = replay.whitelist(
        np.array([r[0] for r in rows], np.int8),
        np.array([r[1] for r in rows], np.bool_),
        np.array([r[2] for r in rows], np.int8),
        CLASSES,
        KINDS,
        policy,
    )
    for (c, listed, k), code in zip(rows, got, strict=True):
        e = Enterprise("91350100M000100Y43", "e", GeoPoint(30.0, 104.0), CLASSES[c], listed)
        assert replay.DECISIONS[int(code)] is whitelist_decision(e, KINDS[k], policy)


@settings(max_examples=80, deadline=None)
@given(plans(), allowances())
def test_visit_windows_and_joint_equal_match_batch(ps: list[Plan], policy: MatchingPolicy) -> None:
    ps = [p for p in ps if p.window.end - p.window.start >= policy.minimum]
    if not ps:
        return
    ents = sorted({p.enterprise for p in ps})
    earlier, later = replay.allowance_seconds(policy, KINDS)
    kind = np.array([KINDS.index(p.kind) for p in ps], np.intp)
    start, end = col([secs(p.window.start) for p in ps]), col([secs(p.window.end) for p in ps])
    a_start, a_end = start - np.array(earlier)[kind], end + np.array(later)[kind]
    merge = bytes(p.kind in policy.kinds for p in ps)
    groups = np.frombuffer(
        group_ids(
            col([ents.index(p.enterprise) for p in ps]),
            a_start,
            a_end,
            merge,
            int(policy.minimum.total_seconds()),
        ),
        dtype=np.int64,
    )
    ws, we, size = replay.visit_windows(groups, start, end, a_start, a_end, policy)
    is_joint = replay.joint(groups, np.array([["SCJG", "YJGL", "STHJ"].index(p.department) for p in ps]))
    index = {p.id: i for i, p in enumerate(ps)}
    for g in match_batch(ps, policy):
        number = int(groups[index[g.plan_ids[0]]])
        assert {index[i] for i in g.plan_ids} == set(np.flatnonzero(groups == number).tolist())
        assert (int(ws[number]), int(we[number])) == (secs(g.window.start), secs(g.window.end))
        assert int(size[number]) == len(g.plan_ids)
        assert bool(is_joint[number]) is g.joint


@st.composite
def rules(draw: st.DrawFn) -> tuple[FrequencyRule, ...]:
    out = []
    for i in range(draw(st.integers(1, 4))):
        rolling = draw(st.booleans())
        out.append(
            FrequencyRule(
                f"r{i}",
                draw(st.integers(0, 3)),
                draw(st.sampled_from(list(Action))),
                applies_to=draw(st.frozensets(st.sampled_from(KINDS[:4]), min_size=1)),
                counts=draw(st.frozensets(st.sampled_from(KINDS[:4]), min_size=1)),
                window_days=draw(st.integers(1, 10)) if rolling else None,
                period=None if rolling else draw(st.sampled_from(list(Period))),
            )
        )
    return tuple(out)


@settings(max_examples=150, deadline=None)
@given(
    rules(),
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 40 * 24), st.integers(0, 3)), min_size=1, max_size=25),
    st.sampled_from(["Asia/Shanghai", "Europe/Berlin"]),
)
def test_frequency_equals_evaluate_replayed(
    freq: tuple[FrequencyRule, ...], visits: list[tuple[int, int, int]], zone: str
) -> None:
    policy = Policy(zone=zone, frequency=freq)
    at = [T0.add(hours=h) for _, h, _ in visits]
    blocked, warned = replay.frequency(
        col([e for e, _, _ in visits]),
        col([secs(t) for t in at]),
        np.array([k for _, _, k in visits], np.int8),
        KINDS,
        policy,
    )
    # The pure rule, visit by visit in the order (enterprise, start, position).
    recorded: list[Reservation] = []
    for i in sorted(range(len(visits)), key=lambda i: (visits[i][0], at[i], i)):
        e, _, k = visits[i]
        request = Reservation(f"v{i}", f"E{e}", "SCJG", (), KINDS[k], at[i])
        decision = evaluate(recorded, request, frequency_checks(policy, KINDS[k], at[i]), T0)
        assert bool(blocked[i]) is (not decision.allowed), (i, decision)
        assert bool(warned[i]) is (decision.allowed and bool(decision.warnings)), (i, decision)
        if decision.allowed:
            recorded.append(request)


def test_frequency_refuses_scopes_it_cannot_replay() -> None:
    rule = FrequencyRule("per_dept", 1, scope=Scope.ENTERPRISE_DEPARTMENT, window_days=7)
    with pytest.raises(ValidationError) as info:
        replay.frequency(col([0]), col([0]), np.array([0], np.int8), KINDS, Policy(frequency=(rule,)))
    assert info.value.code == "input.invalid"


def test_frequency_same_with_enterprise_numbers_too_wide_to_pack() -> None:
    # Enterprise numbers 2**50 apart cannot share one packed sort key with the times: the
    # fallback sort must give the same decisions as the packed one.
    policy = Policy()
    rng = np.random.default_rng(7)
    ent = rng.integers(0, 3, 200)
    at = secs(T0) + rng.integers(0, 120, 200) * 86_400 // 4
    kind = rng.integers(0, 4, 200).astype(np.int8)
    packed = replay.frequency(ent, at, kind, KINDS, policy)
    wide = replay.frequency(ent * 2**50, at, kind, KINDS, policy)
    assert packed[0].any() and packed[1].any()
    assert (packed[0] == wide[0]).all() and (packed[1] == wide[1]).all()
