"""A hypothesis stateful test comparing the engine with a small reference model.

`engine_machine` builds a ``RuleBasedStateMachine`` over any store factory, so every
adapter runs the same comparison::

    TestMyStoreModel = engine_machine(lambda: MyStore(...)).TestCase

The machine files random plans (several enterprises, departments, days and kinds), one
by one and in bulk (`Engine.file_plans`), and starts random inspections, then checks
after every step, against brute-force re-computations that share no code with the engine's rules:

* every live inspection lies inside the window of every plan it serves, and a visit of
  several plans has at least the policy minimum of common time (issue 8);
* every active plan is in exactly one live inspection;
* an inspection that started keeps the plans it had;
* the ledger's live reservations equal the live visits: one per visit, at its start, of
  its kind, for its enterprise, lead department, every department and every inspector
  (issue 8);
* no two planned-kind visits of one enterprise lie within the blocking window;
* a refused plan really had a planned visit within the blocking window;
* the audit chain verifies.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count, pairwise

import pendulum
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.engine import Engine
from jointinspect.errors import FrequencyBlocked
from jointinspect.model.plan import Inspection, InspectionKind, InspectionStatus
from jointinspect.policy.schema import PLANNED_KINDS, Policy
from jointinspect.ports import Store, UnitOfWork
from jointinspect.requests import PlanRequest
from jointinspect.sample import build_city, populate
from jointinspect.testing.principals import SYSTEM, inspector, officer

BASE = pendulum.datetime(2026, 3, 2, 0, tz="UTC")
MINIMUM = pendulum.duration(hours=2)
BLOCK_WINDOW = pendulum.duration(days=7)
KINDS = (InspectionKind.ROUTINE, InspectionKind.RANDOM, InspectionKind.COMPLAINT, InspectionKind.EMERGENCY)


def engine_machine(store_factory: Callable[[], Store], max_examples: int = 25) -> type[RuleBasedStateMachine]:
    """A state machine class comparing an engine over ``store_factory()`` with the model."""

    city = build_city(enterprises=6, departments=3, inspectors_per_department=2)
    enterprises = [e for e in city.enterprises if e.credit_class != "A"][:3]
    departments = [d.code for d in city.departments]

    def _request(ent: int, dept: str, day: int, hours: int, kind: InspectionKind) -> PlanRequest:
        start = BASE.add(days=14 + day, hours=1)
        return PlanRequest(
            enterprises[ent].credit_code,
            dept,
            start,
            start.add(hours=hours),
            kind=kind,
            items=[f"{dept}-01"],
            inspectors=[p.id for p in city.inspectors_of(dept)],
        )

    class EngineVersusModel(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.store = store_factory()
            self.clock = FixedClock(BASE)
            ids = count(1)
            self.engine = Engine(
                store=self.store,
                policy=Policy(),
                clock=self.clock,
                keys=MemoryKeyStore.from_seed(b"model-test-seed-model-test-seed!"),
                ids=lambda: f"{next(ids):08d}",
            )
            populate(self.engine, city)
            #: plan id -> (enterprise, start, end, kind) of every active plan
            self.plans: dict[str, tuple[str, pendulum.DateTime, pendulum.DateTime, InspectionKind]] = {}
            #: started inspection id -> its plan ids at start
            self.started: dict[str, frozenset[str]] = {}

        def teardown(self) -> None:
            self.store.close()

        def _inspections(self) -> list[Inspection]:
            out: list[Inspection] = []
            for e in enterprises:
                out.extend(self.engine.inspections_of(e.credit_code, by=SYSTEM))
            return out

        @rule(
            ent=st.integers(0, len(enterprises) - 1),
            dept=st.sampled_from(departments),
            day=st.integers(0, 40),
            hours=st.integers(2, 72),
            kind=st.sampled_from(KINDS),
        )
        def file(self, ent: int, dept: str, day: int, hours: int, kind: InspectionKind) -> None:
            request = _request(ent, dept, day, hours, kind)
            try:
                out = self.engine.file_plan(request, by=officer(dept))
            except FrequencyBlocked:
                self._check_blocked(request)
                return
            self.plans[out.plan.id] = (request.enterprise, request.start, request.end, request.kind)

        @rule(
            dept=st.sampled_from(departments),
            shapes=st.lists(
                st.tuples(
                    st.integers(0, len(enterprises) - 1),
                    st.integers(0, 40),
                    st.integers(2, 72),
                    st.sampled_from(KINDS),
                ),
                min_size=1,
                max_size=4,
            ),
        )
        def file_in_bulk(self, dept: str, shapes: list[tuple[int, int, int, InspectionKind]]) -> None:
            """`Engine.file_plans` interleaved with single filings and check-ins."""
            requests = [_request(ent, dept, day, hours, kind) for ent, day, hours, kind in shapes]
            out = self.engine.file_plans(requests, by=officer(dept))
            assert [item.index for item in out.items] == list(range(len(requests)))
            for item, request in zip(out.items, requests, strict=True):
                if item.outcome is not None:
                    plan = item.outcome.plan
                    self.plans[plan.id] = (request.enterprise, request.start, request.end, request.kind)
                else:
                    assert isinstance(item.error, FrequencyBlocked), item.error
                    self._check_blocked(request)

        def _check_blocked(self, request: PlanRequest) -> None:
            assert request.kind in PLANNED_KINDS, "only planned kinds may be blocked"
            with self.store.unit_of_work() as uow:
                near = [
                    r
                    for r in uow.ledger.reservations(request.enterprise)
                    if self._planned(uow, r.id, r.kind)
                    and abs((r.at - request.start).total_seconds()) < BLOCK_WINDOW.total_seconds()
                ]
            assert near, "blocked without a planned visit in the window"

        @staticmethod
        def _planned(uow: UnitOfWork, visit_id: str, kind: InspectionKind) -> bool:
            """Whether the visit counts, or counted, as planned: a triggered plan filed later
            in the same bulk call may have joined it and made it lead (its kind then changes
            after the check that refused the request)."""
            if kind in PLANNED_KINDS:
                return True
            visit = uow.inspections.get(visit_id)
            plans = [] if visit is None else [uow.plans.get(p) for p in visit.plan_ids]
            return any(p is not None and p.kind in PLANNED_KINDS for p in plans)

        @precondition(lambda self: bool(self.plans))
        @rule(pick=st.integers(0, 10_000))
        def start_inspection(self, pick: int) -> None:
            candidates = sorted(
                (i for i in self._inspections() if i.status is InspectionStatus.PLANNED),
                key=lambda i: i.id,
            )
            if not candidates:
                return
            insp = candidates[pick % len(candidates)]
            with self.store.unit_of_work() as uow:  # one open check-in per inspector at a time
                free = [i for i in insp.inspectors if not uow.visits.open_for_inspector(i)]
            if not free:
                return
            code = self.engine.issue_inspection_code(insp.id, by=SYSTEM)
            site = next(e.site for e in enterprises if e.credit_code == insp.enterprise)
            self.clock.set(insp.window.start.add(minutes=1))
            try:
                gate = self.engine.issue_enterprise_code(insp.enterprise, by=SYSTEM).token
                self.engine.check_in(code.token, site, gate, by=inspector(free[0]))
            finally:
                self.clock.set(BASE)
            self.started[insp.id] = frozenset(insp.plan_ids)

        @invariant()
        def visits_lie_in_every_plans_window(self) -> None:
            insps = self._inspections()
            live = [i for i in insps if i.status is not InspectionStatus.SUPERSEDED]
            for insp in live:
                for pid in insp.plan_ids:
                    _, start, end, _ = self.plans[pid]
                    assert start <= insp.window.start and insp.window.end <= end, (pid, insp.id)
                if len(insp.plan_ids) > 1:
                    assert insp.window.end - insp.window.start >= MINIMUM
            # every active plan is in exactly one live inspection
            placed = sorted(p for i in live for p in i.plan_ids)
            assert placed == sorted(self.plans)

        @invariant()
        def started_inspections_keep_their_plans(self) -> None:
            for insp in self._inspections():
                if insp.id in self.started:
                    assert frozenset(insp.plan_ids) == self.started[insp.id]

        @invariant()
        def ledger_matches_inspections(self) -> None:
            live = {
                i.reservation_id: (i.enterprise, i.window.start, i.kind, i.lead_department, i.departments, i.inspectors)
                for i in self._inspections()
                if i.status is not InspectionStatus.SUPERSEDED
            }
            with self.store.unit_of_work() as uow:
                reservations = [r for e in enterprises for r in uow.ledger.reservations(e.credit_code)]
            held = {r.id: (r.enterprise, r.at, r.kind, r.department, r.departments, r.inspectors) for r in reservations}
            assert held == live
            for e in enterprises:
                planned = sorted(
                    r.at for r in reservations if r.enterprise == e.credit_code and r.kind in PLANNED_KINDS
                )
                for a, b in pairwise(planned):
                    assert b - a >= BLOCK_WINDOW, "two planned visits inside one blocking window"

        @invariant()
        def audit_chain_verifies(self) -> None:
            assert self.engine.verify_audit(by=SYSTEM) > 0

    EngineVersusModel.TestCase.settings = settings(max_examples=max_examples, stateful_step_count=20, deadline=None)
    return EngineVersusModel
