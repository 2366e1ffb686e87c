"""The world the authorization contract acts in: an engine over the store under test with
the example city registered, helpers that walk one inspection, and a snapshot of
everything an operation may change (shared by `jointinspect.testing.authorization` and
`jointinspect.testing.impersonation`)."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pendulum
import pytest

from jointinspect.auth import MATRIX, AuthContext, Principal
from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.engine import Engine
from jointinspect.errors import Forbidden, JointInspectError
from jointinspect.model.reference import CreditClass, Enterprise
from jointinspect.model.result import Outcome
from jointinspect.policy.schema import Policy
from jointinspect.ports import Store
from jointinspect.requests import FilingOutcome, PlanRequest, ResultOutcome
from jointinspect.sample import City, build_city, populate
from jointinspect.testing.principals import SYSTEM, inspector, officer

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
_EPOCH = pendulum.datetime(1970, 1, 1, tz="UTC")

#: Rows performed through an Engine method of the same name; the field rows are
#: performed through add_enterprise / add_inspector. ``prune`` has no Engine method yet.
FIELD_ROWS = ("set_whitelist", "move_site", "move_inspector_department", "mark_key_supervision")
ROWS = tuple(r.operation for r in MATRIX if hasattr(Engine, r.operation) or r.operation in FIELD_ROWS)


def snapshot(store: Store, city: City) -> tuple[object, ...]:
    """Everything an operation might change: records, reservations, outbox, audit trail."""
    ents = [e.credit_code for e in city.enterprises]
    items = [i.code for i in city.items]
    with store.unit_of_work() as uow:
        inspections = [i for e in ents for i in uow.inspections.for_enterprise(e)]
        return (
            [uow.reference.get_enterprise(e) for e in ents],
            [uow.reference.get_inspector(i.id) for i in city.inspectors],
            [p for e in ents for p in uow.plans.for_enterprise(e)],
            inspections,
            [v for i in inspections for v in uow.visits.for_inspection(i.id)],
            [r for e in ents for r in uow.results.for_enterprise(e, items, _EPOCH)],
            [r for e in ents for r in uow.rectifications.for_enterprise(e)],
            [uow.feedback.get_evaluation(i.id) for i in inspections],
            [c for e in ents for c in uow.feedback.complaints(e)],
            [r for e in ents for r in uow.ledger.reservations(e)],
            [n.key for n in uow.outbox.pending(100_000)],
            [(x.seq, x.hash) for x in uow.audit.entries()],
            # issue 12: quiet slots, conflicts, device keys
            [q for e in ents for q in uow.quiet_slots.for_enterprise(e)],
            uow.spot_checks.conflicts_of([i.id for i in city.inspectors]),
            [uow.offline.get_device_key(i.id) for i in city.inspectors],
        )


@attrs.define
class World:
    """An engine over the store under test, with the example city registered and helpers
    that walk one inspection of ``ent`` by SCJG (inspectors SCJG-I01, SCJG-I02)."""

    engine: Engine
    clock: FixedClock
    store: Store
    city: City

    @property
    def ent(self) -> Enterprise:
        """The enterprise visited (credit class B)."""
        return self.city.enterprises[0]

    @property
    def other(self) -> Enterprise:
        """Another enterprise (credit class B)."""
        return self.city.enterprises[1]

    @property
    def limited(self) -> Enterprise:
        """A whitelisted (credit class A) enterprise: its plans wait for approval."""
        return self.city.enterprises[2]

    def request(self, dept: str = "SCJG", enterprise: str | None = None, day: int = 0) -> PlanRequest:
        """A routine plan of ``dept`` for ``enterprise`` (default: ``ent``), day ``day``."""
        start = T0.add(days=day)
        return PlanRequest(
            enterprise or self.ent.credit_code,
            dept,
            start,
            start.add(hours=8),
            items=[f"{dept}-01", f"{dept}-02"],
            inspectors=[f"{dept}-I01", f"{dept}-I02"],
        )

    def file(self, dept: str = "SCJG", enterprise: str | None = None, day: int = 0) -> FilingOutcome:
        """File a plan as an officer of ``dept``."""
        return self.engine.file_plan(self.request(dept, enterprise, day), by=officer(dept))

    def visit(self, out: FilingOutcome, who: str = "SCJG-I01") -> str:
        """Check ``who`` in to the filed plan's inspection; return its id."""
        assert out.inspection is not None
        insp = out.inspection
        code = self.engine.issue_inspection_code(insp.id, by=SYSTEM)
        gate = self.engine.issue_enterprise_code(insp.enterprise, by=SYSTEM)
        self.clock.set(insp.window.start.add(minutes=5))
        site = self.engine.enterprise(insp.enterprise, by=SYSTEM).site
        self.engine.check_in(code.token, site, gate.token, by=inspector(who))
        return insp.id

    def fail(self, iid: str, item: str = "SCJG-01", who: str = "SCJG-I01") -> ResultOutcome:
        """Record a failed item (opens a rectification)."""
        return self.engine.record_result(iid, item, Outcome.FAIL, "licence expired", by=inspector(who))

    def failed_visit(self) -> tuple[str, ResultOutcome]:
        """An inspection of ``ent`` with SCJG-I01 checked in and one failed item."""
        iid = self.visit(self.file())
        return iid, self.fail(iid)

    def refused(self, call: Callable[[], object], code: str | None = None) -> JointInspectError:
        """Run ``call``, expect `Forbidden` (with ``code``) and nothing changed."""
        return self.refused_with(Forbidden, call, code)

    def refused_with(
        self, error: type[JointInspectError], call: Callable[[], object], code: str | None = None
    ) -> JointInspectError:
        """Run ``call``, expect ``error`` (with ``code``) and nothing changed."""
        before = snapshot(self.store, self.city)
        with pytest.raises(error) as err:
            call()
        assert code is None or err.value.code == code, err.value
        assert snapshot(self.store, self.city) == before, "a refused operation changed the store"
        return err.value


class DenyOperation:
    """A municipality's own check refusing one operation to everybody (deny wins)."""

    def __init__(self, operation: str) -> None:
        self.operation, self.seen = operation, 0

    def authorize(self, operation: str, principal: Principal, context: AuthContext) -> None:
        self.seen += 1
        if operation == self.operation:
            raise Forbidden("auth.forbidden", operation=operation, principal=principal.actor)


def make_world(store: Store, policy: Policy | None = None) -> World:
    """An engine over ``store`` with a small city registered, three weeks before T0."""
    city = build_city(enterprises=4, departments=3)
    classes = (CreditClass.B, CreditClass.B, CreditClass.A, CreditClass.B)
    city = attrs.evolve(
        city,
        enterprises=tuple(attrs.evolve(e, credit_class=c) for e, c in zip(city.enterprises, classes, strict=True)),
    )
    clock = FixedClock(T0.subtract(days=21))
    engine = Engine(
        store=store,
        policy=policy or Policy(),
        clock=clock,
        keys=MemoryKeyStore.from_seed(b"authorization-contract-seed-32by"),
    )
    populate(engine, city)
    return World(engine, clock, store, city)
