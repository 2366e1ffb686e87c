"""Contract suites for frequency ledgers and replay guards, for any adapter.

Subclass in your adapter's tests and provide a fresh, empty instance per call::

    class TestMyLedger(LedgerContract):
        def make_ledger(self) -> FrequencyLedger:
            return MyLedger(...)

    class TestMyGuard(ReplayGuardContract):
        def make_guard(self) -> object:
            return MyGuard(...)

``make_ledger`` / ``make_guard`` may be called several times in one test (the property
test calls it once per example), so each call must return an empty instance (for a shared
server: a new key prefix). The reference semantics are
`jointinspect.rules.frequency.evaluate`; every instant is passed explicitly, so no
test reads the wall clock.

This module imports pytest and hypothesis; the core package never imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import pendulum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jointinspect.model.plan import InspectionKind
from jointinspect.ports import FrequencyLedger
from jointinspect.rules.frequency import (
    Action,
    LedgerDecision,
    Reservation,
    ReservationState,
    RuleCheck,
    RuleHit,
    Scope,
    evaluate,
)
from jointinspect.testing._storm import STORM, T0, storm
from jointinspect.testing.replay_guard import ReplayGuardContract

__all__ = ["ENTERPRISE", "OTHER_ENTERPRISE", "T0", "LedgerContract", "ReplayGuardContract"]

#: Subjects used by the suites (their instant, ``T0``, is shared with the replay-guard suite).
ENTERPRISE = "91340200MA2NBQ4X1K"
OTHER_ENTERPRISE = "91340200MA2NBQ4Y2L"
WEEK = pendulum.duration(days=7)

ROUTINE, SPECIAL = InspectionKind.ROUTINE, InspectionKind.SPECIAL
COMPLAINT = InspectionKind.COMPLAINT
PLANNED = frozenset({InspectionKind.ROUTINE, InspectionKind.RANDOM, InspectionKind.SPECIAL})
ALL = frozenset(InspectionKind)


def visit(
    rid: str,
    at: pendulum.DateTime,
    *,
    kind: InspectionKind = ROUTINE,
    enterprise: str = ENTERPRISE,
    department: str = "D-market",
    inspectors: Sequence[str] = ("i-1", "i-2"),
    pending_until: pendulum.DateTime | None = None,
    departments: Sequence[str] = (),
) -> Reservation:
    """Build a reservation for the suites; ``pending_until`` makes it pending until then,
    ``departments`` names the other departments of a joint visit."""
    return Reservation(
        id=rid,
        enterprise=enterprise,
        department=department,
        inspectors=tuple(inspectors),
        kind=kind,
        at=at,
        state=ReservationState.PENDING if pending_until else ReservationState.CONFIRMED,
        expires_at=pending_until,
        departments=tuple(departments),
    )


def rolling(
    rule: str,
    limit: int,
    *,
    action: Action = Action.BLOCK,
    scope: Scope = Scope.ENTERPRISE,
    counts: frozenset[InspectionKind] = ALL,
    window: pendulum.Duration = WEEK,
) -> RuleCheck:
    """Build a rolling-window check."""
    return RuleCheck(rule, action, limit, scope, counts, window=window)


def bucketed(
    rule: str,
    limit: int,
    start: pendulum.DateTime,
    end: pendulum.DateTime,
    *,
    action: Action = Action.BLOCK,
    scope: Scope = Scope.ENTERPRISE,
    counts: frozenset[InspectionKind] = ALL,
) -> RuleCheck:
    """Build a calendar-bucket check over ``[start, end)``."""
    return RuleCheck(rule, action, limit, scope, counts, bucket=(start, end))


# The checks the property test draws from: every scope, both actions, both window kinds.
_PROPERTY_CHECKS = (
    rolling("planned_per_week", 1, counts=PLANNED),
    rolling("visits_per_week", 2, action=Action.WARN),
    rolling(
        "department_per_3_days",
        1,
        action=Action.WARN,
        scope=Scope.ENTERPRISE_DEPARTMENT,
        window=pendulum.duration(days=3),
    ),
    rolling(
        "inspector_per_5_days",
        1,
        action=Action.WARN,
        scope=Scope.INSPECTOR_ENTERPRISE,
        window=pendulum.duration(days=5),
    ),
    bucketed("second_week_cap", 3, T0.add(days=7), T0.add(days=14)),
)

_HALF_DAYS = st.integers(min_value=0, max_value=40)
_reserve_op = st.tuples(
    st.just("reserve"),
    st.integers(min_value=0, max_value=7),  # id from a small pool: re-reserves happen
    _HALF_DAYS,  # at
    st.sampled_from([ROUTINE, SPECIAL, COMPLAINT]),
    st.sampled_from(["D-market", "D-fire"]),  # the lead; joint visits add others below
    st.lists(st.sampled_from(["i-1", "i-2", "i-3"]), max_size=2, unique=True),
    st.one_of(st.none(), _HALF_DAYS),  # pending until
    _HALF_DAYS,  # now
    st.lists(st.integers(min_value=0, max_value=len(_PROPERTY_CHECKS) - 1), unique=True),
    st.lists(st.sampled_from(["D-market", "D-fire", "D-env"]), max_size=2, unique=True),  # joined
    st.sampled_from([ENTERPRISE, OTHER_ENTERPRISE]),
)
_other_op = st.tuples(
    st.sampled_from(["release", "confirm"]),
    st.integers(min_value=0, max_value=7),
    st.sampled_from([ENTERPRISE, OTHER_ENTERPRISE]),
)
_amend_op = _reserve_op.map(lambda op: ("amend", *op[1:]))
_operations = st.lists(st.one_of(_reserve_op, _reserve_op, _amend_op, _other_op), min_size=1, max_size=18)


class LedgerContract:
    """What every `FrequencyLedger` must do.

    Subclasses implement `make_ledger`. Pytest collects the ``test_*`` methods of a
    subclass whose name starts with ``Test``.
    """

    #: Hypothesis examples in the property test (kept modest for real servers).
    property_examples = 30

    def make_ledger(self) -> FrequencyLedger:
        """Return a fresh, empty ledger (called once per test and once per property example)."""
        raise NotImplementedError

    # basic decisions ----------------------------------------------------------------------

    def test_reserve_then_blocked_within_window(self) -> None:
        """Contract: reserve then blocked within window."""
        ledger = self.make_ledger()
        checks = [rolling("one_per_week", 1)]
        first = ledger.check_and_reserve(visit("a", T0), checks, T0)
        assert first.allowed and first.reservation == visit("a", T0)
        second = ledger.check_and_reserve(visit("b", T0.add(days=6, hours=23)), checks, T0)
        assert not second.allowed and second.reservation is None
        assert second.blocked == (RuleHit("one_per_week", Action.BLOCK, 1, 2, ENTERPRISE),)
        earlier = ledger.check_and_reserve(visit("c", T0.subtract(days=3)), checks, T0)
        assert not earlier.allowed
        assert [r.id for r in ledger.reservations(ENTERPRISE)] == ["a"]

    def test_allowed_exactly_at_window_edge(self) -> None:
        """Contract: allowed exactly at window edge."""
        ledger = self.make_ledger()
        checks = [rolling("one_per_week", 1)]
        assert ledger.check_and_reserve(visit("a", T0), checks, T0).allowed
        # half-open windows: visits exactly one window apart never share one
        assert ledger.check_and_reserve(visit("b", T0.add(days=7)), checks, T0).allowed
        assert ledger.check_and_reserve(visit("c", T0.subtract(days=7)), checks, T0).allowed
        # one microsecond closer is inside
        inside = visit("d", T0.add(days=14).subtract(microseconds=1))
        assert not ledger.check_and_reserve(inside, checks, T0).allowed

    def test_max_in_any_window_not_just_trailing(self) -> None:
        """Contract: max in any window not just trailing."""
        ledger = self.make_ledger()
        checks = [rolling("two_per_week", 2)]
        for rid, days in (("a", 0), ("b", 6)):
            assert ledger.check_and_reserve(visit(rid, T0.add(days=days)), checks, T0).allowed
        # day 3 shares [0, 7) with both (3 > 2); day 10 shares a week with b only
        decision = ledger.check_and_reserve(visit("c", T0.add(days=3)), checks, T0)
        assert decision.blocked == (RuleHit("two_per_week", Action.BLOCK, 2, 3, ENTERPRISE),)
        assert ledger.check_and_reserve(visit("d", T0.add(days=10)), checks, T0).allowed

    def test_warnings_reported_and_still_reserved(self) -> None:
        """Contract: warnings reported and still reserved."""
        ledger = self.make_ledger()
        checks = [rolling("warn_past_1", 1, action=Action.WARN)]
        assert ledger.check_and_reserve(visit("a", T0), checks, T0).warnings == ()
        second = ledger.check_and_reserve(visit("b", T0.add(days=1), kind=COMPLAINT), checks, T0)
        assert second.allowed and second.reservation is not None
        assert second.warnings == (RuleHit("warn_past_1", Action.WARN, 1, 2, ENTERPRISE),)
        third = ledger.check_and_reserve(visit("c", T0.add(days=2)), checks, T0)
        assert third.warnings[0].count == 3
        assert [r.id for r in ledger.reservations(ENTERPRISE)] == ["a", "b", "c"]

    def test_blocked_reports_warnings_and_records_nothing(self) -> None:
        """Contract: blocked reports warnings and records nothing."""
        ledger = self.make_ledger()
        checks = [rolling("block", 1), rolling("warn", 1, action=Action.WARN)]
        ledger.check_and_reserve(visit("a", T0), checks, T0)
        decision = ledger.check_and_reserve(visit("b", T0.add(hours=1)), checks, T0)
        assert decision.reservation is None
        assert [h.rule for h in decision.blocked] == ["block"]
        assert [h.rule for h in decision.warnings] == ["warn"]
        assert [r.id for r in ledger.reservations(ENTERPRISE)] == ["a"]

    # scopes and filters -------------------------------------------------------------------

    def test_scope_enterprise_counts_every_department_not_other_enterprises(self) -> None:
        """Contract: scope enterprise counts every department not other enterprises."""
        ledger = self.make_ledger()
        checks = [rolling("one_per_week", 1)]
        ledger.check_and_reserve(visit("a", T0, department="D-fire"), checks, T0)
        other = visit("b", T0, enterprise=OTHER_ENTERPRISE)
        assert ledger.check_and_reserve(other, checks, T0).allowed
        assert not ledger.check_and_reserve(visit("c", T0, department="D-env"), checks, T0).allowed

    def test_scope_enterprise_department(self) -> None:
        """Contract: scope enterprise department."""
        ledger = self.make_ledger()
        checks = [rolling("dept", 1, scope=Scope.ENTERPRISE_DEPARTMENT)]
        ledger.check_and_reserve(visit("a", T0, department="D-fire"), checks, T0)
        assert ledger.check_and_reserve(visit("b", T0, department="D-env"), checks, T0).allowed
        decision = ledger.check_and_reserve(visit("c", T0, department="D-fire"), checks, T0)
        assert decision.blocked == (RuleHit("dept", Action.BLOCK, 1, 2, f"{ENTERPRISE}/D-fire"),)
        # a joint visit counts for every department in it, the lead or joined by merging
        joint = visit("d", T0.add(days=1), department="D-tax", departments=("D-env", "D-fire"))
        decision = ledger.check_and_reserve(joint, checks, T0)
        assert [h.scope_key for h in decision.blocked] == [f"{ENTERPRISE}/D-env", f"{ENTERPRISE}/D-fire"]
        assert ledger.amend(attrs.evolve(joint, departments=("D-tax",)), checks, T0).allowed  # narrowed
        assert not ledger.check_and_reserve(visit("e", T0.add(days=2), department="D-tax"), checks, T0).allowed
        assert ledger.amend(visit("d", T0.add(days=1), department="D-tax", departments=("D-gas",)), checks, T0).allowed
        assert ledger.reservations(ENTERPRISE)[-1].departments == ("D-gas", "D-tax")  # widened

    def test_scope_inspector_enterprise(self) -> None:
        """Contract: scope inspector enterprise."""
        ledger = self.make_ledger()
        checks = [rolling("insp", 1, action=Action.WARN, scope=Scope.INSPECTOR_ENTERPRISE)]
        ledger.check_and_reserve(visit("a", T0, inspectors=("i-1", "i-2")), checks, T0)
        ledger.check_and_reserve(visit("b", T0, inspectors=("i-2",)), checks, T0)
        three = visit("c", T0, inspectors=("i-3", "i-2", "i-1"))
        decision = ledger.check_and_reserve(three, checks, T0)
        assert decision.warnings == (
            RuleHit("insp", Action.WARN, 1, 2, f"{ENTERPRISE}/i-1"),
            RuleHit("insp", Action.WARN, 1, 3, f"{ENTERPRISE}/i-2"),
        )
        assert ledger.check_and_reserve(visit("d", T0, inspectors=()), checks, T0).warnings == ()

    def test_counts_only_listed_kinds(self) -> None:
        """Contract: counts only listed kinds."""
        ledger = self.make_ledger()
        planned = [rolling("planned", 1, counts=PLANNED)]
        # a complaint visit does not count toward the planned limit ...
        ledger.check_and_reserve(visit("a", T0, kind=COMPLAINT), [], T0)
        assert ledger.check_and_reserve(visit("b", T0.add(days=1)), planned, T0).allowed
        # ... a special (planned) one does
        special = visit("c", T0.add(days=2), kind=SPECIAL)
        assert not ledger.check_and_reserve(special, planned, T0).allowed
        # a check that does not apply to the new kind is simply not passed: nothing blocks
        assert ledger.check_and_reserve(visit("d", T0.add(days=2), kind=COMPLAINT), [], T0).allowed

    def test_calendar_bucket(self) -> None:
        """Contract: calendar bucket."""
        ledger = self.make_ledger()
        start, end = T0.start_of("month"), T0.start_of("month").add(months=1)
        checks = [bucketed("two_per_month", 2, start, end)]
        ledger.check_and_reserve(visit("before", start.subtract(microseconds=1)), [], T0)
        ledger.check_and_reserve(visit("after", end), [], T0)  # end is exclusive
        assert ledger.check_and_reserve(visit("a", start), checks, T0).allowed
        assert ledger.check_and_reserve(visit("b", end.subtract(days=1)), checks, T0).allowed
        decision = ledger.check_and_reserve(visit("c", T0.add(days=5)), checks, T0)
        assert decision.blocked == (RuleHit("two_per_month", Action.BLOCK, 2, 3, ENTERPRISE),)

    # lifecycle ----------------------------------------------------------------------------

    def test_release_frees_the_slot(self) -> None:
        """Contract: release frees the slot."""
        ledger = self.make_ledger()
        checks = [rolling("one_per_week", 1)]
        ledger.check_and_reserve(visit("a", T0), checks, T0)
        ledger.release("a")
        ledger.release("a")  # idempotent
        ledger.release("never-reserved")
        assert ledger.reservations(ENTERPRISE) == []
        assert ledger.check_and_reserve(visit("b", T0.add(days=1)), checks, T0).allowed

    def test_confirm_keeps_it_past_the_pending_expiry(self) -> None:
        """Contract: confirm keeps it past the pending expiry."""
        ledger = self.make_ledger()
        checks = [rolling("one_per_week", 1)]
        ledger.check_and_reserve(visit("a", T0, pending_until=T0.add(minutes=10)), checks, T0)
        ledger.confirm("a")
        ledger.confirm("a")  # idempotent
        ledger.confirm("never-reserved")
        [kept] = ledger.reservations(ENTERPRISE)
        assert kept.state is ReservationState.CONFIRMED
        later = T0.add(hours=1)
        assert not ledger.check_and_reserve(visit("b", T0.add(days=1)), checks, later).allowed

    def test_pending_expiry(self) -> None:
        """Contract: pending expiry."""
        ledger = self.make_ledger()
        checks = [rolling("one_per_week", 1)]
        until = T0.add(minutes=10)
        ledger.check_and_reserve(visit("a", T0, pending_until=until), checks, T0)
        # still counts just before its expiry ...
        before = until.subtract(microseconds=1)
        assert not ledger.check_and_reserve(visit("b", T0.add(days=1)), checks, before).allowed
        # ... and no longer at it
        assert ledger.check_and_reserve(visit("c", T0.add(days=1)), checks, until).allowed

    def test_same_id_is_idempotent(self) -> None:
        """Contract: same id is idempotent."""
        ledger = self.make_ledger()
        checks = [rolling("warn_past_1", 1, action=Action.WARN)]
        first = ledger.check_and_reserve(visit("a", T0), checks, T0)
        again = ledger.check_and_reserve(visit("a", T0), checks, T0)
        assert again.allowed and again.reservation == first.reservation
        assert again.blocked == () and again.warnings == ()
        assert [r.id for r in ledger.reservations(ENTERPRISE)] == ["a"]
        # the visit counts once for others
        later = ledger.check_and_reserve(visit("b", T0.add(days=1)), checks, T0)
        assert [h.count for h in later.warnings] == [2]

    def test_restore_without_checks_records_whatever_it_holds(self) -> None:
        """Contract: with no checks a reservation is recorded even over a limit (how a
        rebuild puts back what a failover lost), an id already held is kept as it is, and
        confirming it then makes it permanent."""
        ledger = self.make_ledger()
        checks = [rolling("one_per_week", 1)]
        assert ledger.check_and_reserve(visit("a", T0), checks, T0).allowed
        assert ledger.check_and_reserve(visit("b", T0.add(days=1)), (), T0).allowed
        assert ledger.check_and_reserve(visit("p", T0.add(days=2), pending_until=T0), checks, T0).blocked
        ledger.check_and_reserve(visit("p", T0.add(days=2), pending_until=T0.add(minutes=1)), (), T0)
        again = ledger.check_and_reserve(visit("p", T0.add(days=2)), (), T0)
        assert again.reservation is not None and again.reservation.state is ReservationState.PENDING
        ledger.confirm("p", ENTERPRISE)
        held = {r.id: r.state for r in ledger.reservations(ENTERPRISE)}
        assert held == dict.fromkeys("abp", ReservationState.CONFIRMED)
        blocked = ledger.check_and_reserve(visit("c", T0.add(days=3)), checks, T0.add(hours=1))
        assert [h.count for h in blocked.blocked] == [4]

    def test_reservations_lists_oldest_first_with_every_field(self) -> None:
        """Contract: reservations lists oldest first with every field."""
        ledger = self.make_ledger()
        made = [
            visit("z", T0.add(days=2), kind=COMPLAINT, inspectors=("i-9",)),
            visit("y", T0, department="D-fire", pending_until=T0.add(days=1)),
            visit("x", T0, inspectors=()),
            visit("w", T0.add(days=1), enterprise=OTHER_ENTERPRISE),
        ]
        for r in made:
            assert ledger.check_and_reserve(r, [], T0).allowed
        assert ledger.reservations(ENTERPRISE) == [made[2], made[1], made[0]]
        assert ledger.reservations(OTHER_ENTERPRISE) == [made[3]]
        assert ledger.reservations("91000000000000000X") == []

    # amend: the reservation follows the visit (issue 8) ------------------------------------

    def test_amend_moves_the_reservation_and_rechecks_without_itself(self) -> None:
        """Contract: amend re-checks at the new instant, not counting the reservation itself."""
        ledger = self.make_ledger()
        checks = [rolling("one_per_week", 1, counts=PLANNED)]
        assert ledger.check_and_reserve(visit("a", T0), checks, T0).allowed
        assert ledger.check_and_reserve(visit("b", T0.add(days=10)), checks, T0).allowed
        # a moves two days later: still alone in its week (its old instant does not count)
        moved = visit("a", T0.add(days=2), inspectors=("i-1", "i-2", "i-3"), department="D-fire")
        decision = ledger.amend(moved, checks, T0)
        assert decision.allowed and decision.reservation == moved
        assert ledger.reservations(ENTERPRISE) == [moved, visit("b", T0.add(days=10))]
        # the old instant is free now
        assert ledger.check_and_reserve(visit("c", T0.subtract(days=6)), checks, T0).allowed

    def test_blocked_amend_changes_nothing(self) -> None:
        """Contract: a blocked amend keeps the stored reservation as it was."""
        ledger = self.make_ledger()
        checks = [rolling("one_per_week", 1, counts=PLANNED), rolling("warn", 0, action=Action.WARN)]
        ledger.check_and_reserve(visit("a", T0), checks, T0)
        ledger.check_and_reserve(visit("b", T0.add(days=10)), checks, T0)
        decision = ledger.amend(visit("a", T0.add(days=5)), checks, T0)
        assert not decision.allowed and decision.reservation is None
        assert decision.blocked == (RuleHit("one_per_week", Action.BLOCK, 1, 2, ENTERPRISE),)
        assert [h.rule for h in decision.warnings] == ["warn"]
        assert ledger.reservations(ENTERPRISE) == [visit("a", T0), visit("b", T0.add(days=10))]
        # the blocking rule does not apply to a triggered kind: that move is allowed
        complaint = visit("a", T0.add(days=5), kind=COMPLAINT)
        assert ledger.amend(complaint, checks[1:], T0).allowed
        assert ledger.reservations(ENTERPRISE)[0] == complaint

    def test_amend_without_checks_restores_and_unknown_ids_are_recorded(self) -> None:
        """Contract: amend with no checks always succeeds; an unknown id is recorded."""
        ledger = self.make_ledger()
        checks = [rolling("one_per_week", 1)]
        ledger.check_and_reserve(visit("a", T0), checks, T0)
        ledger.check_and_reserve(visit("b", T0.add(days=8)), checks, T0)
        assert ledger.amend(visit("a", T0.add(days=7)), [], T0).allowed  # forced back beside b
        assert [r.at for r in ledger.reservations(ENTERPRISE)] == [T0.add(days=7), T0.add(days=8)]
        fresh = visit("n", T0.add(days=30), pending_until=T0.add(minutes=5))
        assert ledger.amend(fresh, checks, T0).allowed
        assert ledger.reservations(ENTERPRISE)[-1] == fresh

    # against the reference ----------------------------------------------------------------

    def test_matches_reference_semantics(self) -> None:
        """Contract: matches reference semantics."""

        @settings(
            max_examples=self.property_examples,
            deadline=None,
            # a fresh ledger is made per example, so function-scoped fixtures are fine
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(ops=_operations)
        def run(ops: list[tuple[Any, ...]]) -> None:
            self._replay_against_reference(self.make_ledger(), ops)

        run()

    def _replay_against_reference(self, ledger: FrequencyLedger, ops: list[tuple[Any, ...]]) -> None:
        shadow: dict[str, Reservation] = {}
        half_day = pendulum.duration(hours=12)
        for op in ops:
            # Ids are unique across enterprises (reusing one for another enterprise is a
            # caller bug with unspecified outcome), so the pool is per enterprise.
            rid = f"r{op[1]}@{op[-1][-2:]}"
            if op[0] == "release":
                ledger.release(rid)
                shadow.pop(rid, None)
            elif op[0] == "confirm":
                ledger.confirm(rid)
                if rid in shadow and shadow[rid].state is not ReservationState.CONFIRMED:
                    shadow[rid] = attrs.evolve(shadow[rid], state=ReservationState.CONFIRMED, expires_at=None)
            else:
                _, _, at, kind, dept, insp, until, now, chosen, joined, enterprise = op
                request = visit(
                    rid,
                    T0 + half_day * at,
                    kind=kind,
                    department=dept,
                    inspectors=insp,
                    enterprise=enterprise,
                    pending_until=None if until is None else T0 + half_day * until,
                    departments=joined,
                )
                checks = [_PROPERTY_CHECKS[i] for i in chosen]
                if op[0] == "amend":
                    # The reservation follows the visit: re-checked without itself, replaced.
                    decision = ledger.amend(request, checks, T0 + half_day * now)
                    expected = evaluate(shadow.values(), request, checks, T0 + half_day * now)
                    assert _same(decision, expected), (op, decision, expected)
                    if expected.allowed:
                        shadow[rid] = request
                elif rid in shadow:
                    decision = ledger.check_and_reserve(request, checks, T0 + half_day * now)
                    assert decision.allowed and decision.reservation == shadow[rid], op
                else:
                    decision = ledger.check_and_reserve(request, checks, T0 + half_day * now)
                    expected = evaluate(shadow.values(), request, checks, T0 + half_day * now)
                    assert _same(decision, expected), (op, decision, expected)
                    if expected.allowed:
                        shadow[rid] = request
            for enterprise in (ENTERPRISE, OTHER_ENTERPRISE):
                want = sorted(
                    (r for r in shadow.values() if r.enterprise == enterprise),
                    key=lambda r: (r.at, r.id),
                )
                assert ledger.reservations(enterprise) == want, op

    # concurrency --------------------------------------------------------------------------

    def test_storm_exactly_one_allowed(self) -> None:
        """Contract: storm exactly one allowed."""
        ledger = self.make_ledger()
        checks = [rolling("one_planned_per_week", 1, counts=PLANNED)]
        decisions = storm(
            STORM,
            lambda i: ledger.check_and_reserve(visit(f"s{i}", T0.add(minutes=i), department=f"D-{i}"), checks, T0),
        )
        assert sum(d.allowed for d in decisions) == 1
        assert len(ledger.reservations(ENTERPRISE)) == 1
        for d in decisions:
            if not d.allowed:
                assert d.blocked[0].count == 2

    def test_storm_every_warning_counted_once(self) -> None:
        """Contract: storm every warning counted once."""
        ledger = self.make_ledger()
        checks = [rolling("warn_past_1", 1, action=Action.WARN)]
        decisions = storm(
            STORM,
            lambda i: ledger.check_and_reserve(visit(f"s{i}", T0.add(minutes=i)), checks, T0),
        )
        assert all(d.allowed for d in decisions)
        # serialised, the k-th visit sees k in the window: warnings for k = 2..STORM, once each
        counts = sorted(h.count for d in decisions for h in d.warnings)
        assert counts == list(range(2, STORM + 1))
        assert len(ledger.reservations(ENTERPRISE)) == STORM


def _same(actual: LedgerDecision, expected: LedgerDecision) -> bool:
    return (
        actual.reservation == expected.reservation
        and actual.blocked == expected.blocked
        and actual.warnings == expected.warnings
    )
