"""Frequency windows: how many visits a rule allows, evaluated over a ledger of visits.

A `FrequencyRule` (policy data) becomes, for one new visit, a
`RuleCheck`: the rule with its window made concrete (a rolling length, or the
calendar bucket the visit falls in, computed in the policy zone). The ledger port
evaluates all checks and records the reservation in one atomic step; this module is the
reference semantics every ledger must reproduce (the contract suite compares them):

* Rolling window of length ``W``: the visit is over the limit when some half-open interval
  ``[s, s + W)`` containing it holds more than ``limit`` counted visits (the new one
  included). Two visits exactly ``W`` apart never share a window.
* Calendar bucket ``[start, end)``: the visits in the bucket, the new one included, must be
  at most ``limit``.
* Scope: ``enterprise`` counts every visit to the enterprise; ``enterprise_department`` is
  checked once per department of the new visit (a joint visit has several), counting visits
  that department took part in, as lead or by merging; ``inspector_enterprise`` is checked
  once per inspector of the new visit, counting visits that inspector took part in.
* Only visits whose kind is in the rule's ``counts`` are counted; the check exists only
  when the new visit's kind is in the rule's ``applies_to``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
from collections.abc import Iterable, Sequence

import attrs
import pendulum

from jointinspect.model._trusted import builder, sorted_names
from jointinspect.model.plan import InspectionKind
from jointinspect.timeutil import shifted, shifted_back, utc, utc_or_none


class Scope(enum.StrEnum):
    """What a frequency rule counts per."""

    ENTERPRISE = "enterprise"
    ENTERPRISE_DEPARTMENT = "enterprise_department"
    INSPECTOR_ENTERPRISE = "inspector_enterprise"


class Action(enum.StrEnum):
    """What happens when a rule is exceeded."""

    BLOCK = "block"  # the plan is refused; nothing is reserved
    WARN = "warn"  # the plan goes ahead; a supervision warning is sent


class ReservationState(enum.StrEnum):
    """A reservation counts from the moment it is made; pending ones expire unconfirmed."""

    PENDING = "pending"
    CONFIRMED = "confirmed"


def _kinds(value: Iterable[object]) -> frozenset[InspectionKind]:
    return frozenset(InspectionKind(str(v)) for v in value)


def _names(value: Iterable[object]) -> tuple[str, ...]:
    if sorted_names(value):  # already what the conversion makes
        return value  # type: ignore[return-value]
    return tuple(sorted({str(v) for v in value}))


def _inspection_kind(value: str) -> InspectionKind:
    # A member as it is (a ledger's rows): the enum's own call costs more than the check.
    return value if type(value) is InspectionKind else InspectionKind(value)


def _reservation_state(value: str) -> ReservationState:
    return value if type(value) is ReservationState else ReservationState(value)


@attrs.frozen
class Reservation:
    """One counted visit in the ledger.

    ``department`` is the lead; ``departments`` every department of the visit, sorted, the
    lead always included (it may be left out when constructing: it is added).
    """

    id: str
    enterprise: str
    department: str
    inspectors: tuple[str, ...] = attrs.field(converter=_names)
    kind: InspectionKind = attrs.field(converter=_inspection_kind)
    at: pendulum.DateTime = attrs.field(converter=utc)
    state: ReservationState = attrs.field(default=ReservationState.CONFIRMED, converter=_reservation_state)
    #: when a pending reservation stops counting if nobody confirmed it.
    expires_at: pendulum.DateTime | None = attrs.field(default=None, converter=utc_or_none)
    #: every department of the visit (the lead included), so departments that join a
    #: visit by merging count toward their own per-department limits.
    departments: tuple[str, ...] = attrs.field(default=(), converter=_names)

    def __attrs_post_init__(self) -> None:
        if self.department not in self.departments:
            object.__setattr__(self, "departments", _names((self.department, *self.departments)))

    @classmethod
    def checked(
        cls,
        id: str,
        enterprise: str,
        department: str,
        inspectors: tuple[str, ...],
        kind: InspectionKind,
        at: pendulum.DateTime,
        state: ReservationState,
        expires_at: pendulum.DateTime | None,
        departments: tuple[str, ...],
        names_checked: bool = False,
    ) -> Reservation:
        """A reservation placement builds for every plan from values already right (the
        tuples of a plan or visit: sorted, distinct; a kind, a state, UTC instants):
        built without the converters when they are so, else by them. ``names_checked``:
        the caller took ``inspectors`` and ``departments`` from a record whose converters
        make them what this one's do (an `Inspection`'s, or a `Plan`'s and its
        department alone), so they are not looked over again."""
        checked = (
            type(kind) is InspectionKind
            and type(state) is ReservationState
            and _is_utc(at)
            and (expires_at is None or _is_utc(expires_at))
            and department in departments
            and (names_checked or (sorted_names(inspectors) and sorted_names(departments)))
        )
        if not checked:
            return cls(id, enterprise, department, inspectors, kind, at, state, expires_at, departments)
        return (_build_reservation if cls is Reservation else builder(cls))(
            id=id,
            enterprise=enterprise,
            department=department,
            inspectors=inspectors,
            kind=kind,
            at=at,
            state=state,
            expires_at=expires_at,
            departments=departments,
        )


def _is_utc(value: object) -> bool:
    return type(value) is pendulum.DateTime and value.tzinfo is pendulum.UTC


#: `Reservation` built from its fields as given (`Reservation.checked`, once they are).
_build_reservation = builder(Reservation)


@attrs.frozen
class RuleCheck:
    """A rule made concrete for one visit. Exactly one of ``window`` / ``bucket`` is set."""

    rule: str
    action: Action = attrs.field(converter=Action)
    limit: int
    scope: Scope = attrs.field(converter=Scope)
    counts: frozenset[InspectionKind] = attrs.field(converter=_kinds)
    window: pendulum.Duration | None = None
    bucket: tuple[pendulum.DateTime, pendulum.DateTime] | None = None

    def __attrs_post_init__(self) -> None:
        if (self.window is None) == (self.bucket is None):
            raise ValueError("a RuleCheck needs exactly one of window or bucket")


@attrs.frozen
class RuleHit:
    """A rule the new visit exceeds: ``count`` visits where ``limit`` are allowed."""

    rule: str
    action: Action = attrs.field(converter=Action)
    limit: int
    count: int
    scope_key: str


@attrs.frozen
class LedgerDecision:
    """Outcome of check-and-reserve.

    When ``blocked`` is non-empty nothing was recorded and ``reservation`` is ``None``;
    otherwise the reservation is recorded (pending or confirmed) and ``warnings`` lists the
    warn-rules it exceeds.
    """

    reservation: Reservation | None
    blocked: tuple[RuleHit, ...] = ()
    warnings: tuple[RuleHit, ...] = ()

    @property
    def allowed(self) -> bool:
        """Whether the visit was reserved."""
        return not self.blocked


#: `LedgerDecision` built from its fields as given.
_decision = builder(LedgerDecision)


def counts_toward(check: RuleCheck, request: Reservation, other: Reservation, member: str | None) -> bool:
    """Whether ``other`` (already in the ledger) counts for ``check`` of ``request``;
    ``member`` is the department or inspector the scope key is about (``None`` for the
    enterprise scope)."""
    if other.enterprise != request.enterprise or other.kind not in check.counts:
        return False
    if member is None:
        return True
    if check.scope is Scope.ENTERPRISE_DEPARTMENT:
        return member in other.departments
    return member in other.inspectors


#: A window of no length holds nothing.
_NO_TIME = dt.timedelta()


def max_in_rolling_window(times: Sequence[pendulum.DateTime], at: pendulum.DateTime, window: pendulum.Duration) -> int:
    """Most events in any half-open window of length ``window`` that contains ``at``.

    ``times`` are the other events (any order); ``at`` itself is counted once. The best
    window starts at an event at or before ``at`` (shifting its start right to the first
    event inside never loses one), so only those starts are tried.
    """
    if not times and window > _NO_TIME:  # the usual case: ``at`` alone in its window
        return 1
    # Plain datetime arithmetic: pendulum's operators cost microseconds each on this hot path.
    lo, hi = shifted_back(at, window), shifted(at, window)
    near = [t for t in times if lo < t < hi]
    if not near and window > _NO_TIME:
        return 1
    relevant = sorted([*near, at])
    best = 0
    for i, start in enumerate(relevant):
        if start > at:
            break
        end = bisect.bisect_left(relevant, shifted(start, window))
        best = max(best, end - i)
    return best


#: The members of an enterprise-scoped check: the enterprise alone.
_ENTERPRISE_ONLY: tuple[None] = (None,)


def evaluate(
    existing: Iterable[Reservation],
    request: Reservation,
    checks: Sequence[RuleCheck],
    now: pendulum.DateTime,
) -> LedgerDecision:
    """Reference semantics of check-and-reserve over the ledger's current contents.

    Expired pending reservations (``expires_at <= now``) are ignored. The returned decision
    carries ``request`` as its reservation when no blocking rule is exceeded.
    """
    live = [
        r
        for r in existing
        if r.id != request.id and not (r.state is ReservationState.PENDING and r.expires_at and r.expires_at <= now)
    ]
    if not live:
        # Nothing else counts: every count is 1 (the new visit alone) or 0 (a window of no
        # length holds nothing), so no limit of one or more is exceeded; a lower limit
        # takes the steps below.
        for check in checks:
            if check.limit < 1:
                break
        else:
            return _decision(reservation=request, blocked=(), warnings=())
    enterprise = request.enterprise
    blocked: list[RuleHit] = []
    warnings: list[RuleHit] = []
    pool: list[Reservation] = []
    pooled: frozenset[InspectionKind] | None = None
    for check in checks:
        # `counts_toward`, in two steps: the enterprise and kind once per check (once for
        # consecutive checks holding the same set object: identity, not equality, which
        # would hash every kind), then the member.
        counts, scope, window = check.counts, check.scope, check.window
        if live and counts is not pooled:
            pool, pooled = [r for r in live if r.enterprise == enterprise and r.kind in counts], counts
        members: Sequence[str | None]
        if scope is Scope.ENTERPRISE:
            members = _ENTERPRISE_ONLY
        elif scope is Scope.ENTERPRISE_DEPARTMENT:
            members = request.departments
        else:
            members = request.inspectors
        for member in members:
            if not pool and (window is None or window > _NO_TIME):
                count = 1  # the new visit alone (what both counts below give with no times)
            else:
                if member is None:
                    times = [r.at for r in pool]
                elif scope is Scope.ENTERPRISE_DEPARTMENT:
                    times = [r.at for r in pool if member in r.departments]
                else:
                    times = [r.at for r in pool if member in r.inspectors]
                if window is not None:
                    count = max_in_rolling_window(times, request.at, window)
                else:
                    assert check.bucket is not None
                    start, end = check.bucket
                    count = 1 + sum(1 for t in times if start <= t < end)
            if count > check.limit:
                # the scope key (the enterprise, or enterprise/member), built only for a hit
                key = enterprise if member is None else f"{enterprise}/{member}"
                hit = RuleHit(check.rule, check.action, check.limit, count, key)
                (blocked if check.action is Action.BLOCK else warnings).append(hit)
    if blocked:
        return LedgerDecision(None, tuple(blocked), tuple(warnings))
    # A plain record (no converter or check): built as given, for every plan bulk filing places.
    return _decision(reservation=request, blocked=(), warnings=tuple(warnings) if warnings else ())
