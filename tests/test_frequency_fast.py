"""`evaluate`'s shortcuts (issue 11: pools shared by checks counting the same kinds, the
new visit alone when nothing else can count, scope keys built only for hits) decide
exactly what the rule read literally decides: the reference below evaluates every check
and scope key with `counts_toward` and `max_in_rolling_window`, one by one."""

from __future__ import annotations

import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect.model.plan import InspectionKind
from jointinspect.rules.frequency import (
    Action,
    LedgerDecision,
    Reservation,
    ReservationState,
    RuleCheck,
    RuleHit,
    Scope,
    counts_toward,
    evaluate,
    max_in_rolling_window,
)

BASE = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
KINDS = (InspectionKind.ROUTINE, InspectionKind.COMPLAINT, InspectionKind.SPECIAL)
#: Two kind sets as distinct objects with equal contents, and others: pools keyed by identity
#: must not mix them up.
COUNTS = (frozenset(KINDS), frozenset(KINDS), frozenset(KINDS[:1]), frozenset(KINDS[1:]))


def reference(
    existing: list[Reservation], request: Reservation, checks: list[RuleCheck], now: pendulum.DateTime
) -> LedgerDecision:
    """The rule read literally: every check, every scope key, every reservation."""
    live = [
        r
        for r in existing
        if r.id != request.id and not (r.state is ReservationState.PENDING and r.expires_at and r.expires_at <= now)
    ]
    blocked: list[RuleHit] = []
    warnings: list[RuleHit] = []
    for check in checks:
        if check.scope is Scope.ENTERPRISE:
            keys: list[tuple[str, str | None]] = [(request.enterprise, None)]
        elif check.scope is Scope.ENTERPRISE_DEPARTMENT:
            keys = [(f"{request.enterprise}/{d}", d) for d in request.departments]
        else:
            keys = [(f"{request.enterprise}/{i}", i) for i in request.inspectors]
        for key, member in keys:
            times = [r.at for r in live if counts_toward(check, request, r, member)]
            if check.window is not None:
                count = max_in_rolling_window(times, request.at, check.window)
            else:
                assert check.bucket is not None
                count = 1 + sum(1 for t in times if check.bucket[0] <= t < check.bucket[1])
            if count > check.limit:
                hit = RuleHit(check.rule, check.action, check.limit, count, key)
                (blocked if check.action is Action.BLOCK else warnings).append(hit)
    if blocked:
        return LedgerDecision(None, tuple(blocked), tuple(warnings))
    return LedgerDecision(request, (), tuple(warnings))


names = st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True).map(lambda v: tuple(sorted(v)))


@st.composite
def reservations(draw: st.DrawFn, rid: str) -> Reservation:
    pending = draw(st.booleans())
    return Reservation(
        rid,
        draw(st.sampled_from(["E1", "E2"])),
        draw(st.sampled_from(["a", "b", "c"])),
        draw(names),
        draw(st.sampled_from(KINDS)),
        BASE.add(hours=draw(st.integers(-400, 400))),
        ReservationState.PENDING if pending else ReservationState.CONFIRMED,
        BASE.add(hours=draw(st.integers(-5, 5))) if pending else None,
        draw(names),
    )


@st.composite
def checks(draw: st.DrawFn, n: int) -> RuleCheck:
    rolling = draw(st.booleans())
    start = BASE.add(hours=draw(st.integers(-300, 300)))
    return RuleCheck(
        f"r{n}",
        draw(st.sampled_from(list(Action))),
        draw(st.integers(0, 3)),
        draw(st.sampled_from(list(Scope))),
        draw(st.sampled_from(COUNTS)),
        # a window of no length (or less) too: nothing fits in it, not even the new visit
        window=pendulum.duration(hours=draw(st.integers(-2, 300))) if rolling else None,
        bucket=None if rolling else (start, start.add(hours=draw(st.integers(1, 300)))),
    )


@settings(max_examples=400, deadline=None)
@given(
    st.integers(0, 6).flatmap(lambda n: st.tuples(*(reservations(f"x{i % 5}") for i in range(n)))),
    reservations("x0"),
    st.integers(0, 5).flatmap(lambda n: st.tuples(*(checks(i) for i in range(n)))),
)
def test_evaluate_decides_what_the_rule_read_literally_decides(
    existing: tuple[Reservation, ...], request: Reservation, rules: tuple[RuleCheck, ...]
) -> None:
    assert evaluate(list(existing), request, list(rules), BASE) == reference(list(existing), request, list(rules), BASE)


def test_checks_sharing_kinds_share_no_pool_across_other_kinds() -> None:
    """A named case: the second check counts other kinds than the first (the pool is
    rebuilt), the third the first's again."""
    other = Reservation("o", "E1", "a", ("a",), InspectionKind.COMPLAINT, BASE.add(hours=1))
    request = Reservation("n", "E1", "a", ("a",), InspectionKind.ROUTINE, BASE)
    week = pendulum.duration(days=7)
    rules = [
        RuleCheck("routine", Action.WARN, 1, Scope.ENTERPRISE, COUNTS[2], window=week),
        RuleCheck("complaint", Action.WARN, 1, Scope.ENTERPRISE, COUNTS[3], window=week),
        RuleCheck("routine2", Action.WARN, 1, Scope.ENTERPRISE, COUNTS[2], window=week),
    ]
    decision = evaluate([other], request, rules, BASE)
    assert [(h.rule, h.count) for h in decision.warnings] == [("complaint", 2)]
