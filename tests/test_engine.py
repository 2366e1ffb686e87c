"""Engine behaviours beyond the contract suite: plan validation, result sharing, the
responsible department, idempotent notifications, and each check-in refusal."""

from __future__ import annotations

import datetime as dt
import itertools

import attrs
import pendulum
import pytest

from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.engine import Engine
from jointinspect.errors import (
    CheckInRejected,
    Forbidden,
    JointInspectError,
    NotFoundError,
    OperationalError,
    TokenError,
    ValidationError,
)
from jointinspect.memory import MemoryStore
from jointinspect.model.plan import InspectionKind, InspectionStatus
from jointinspect.model.reference import CreditClass, GeoPoint, Inspector, SupervisionItem
from jointinspect.model.result import Outcome
from jointinspect.policy.schema import Policy
from jointinspect.relay import CollectingNotifier
from jointinspect.requests import FilingOutcome, IssuedCode, PlanRequest
from jointinspect.testing import principals
from jointinspect.testing.city import build_city, credit_code
from jointinspect.testing.contract import populate

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=3, departments=3)
CITY = attrs.evolve(CITY, enterprises=tuple(attrs.evolve(e, credit_class=CreditClass.B) for e in CITY.enterprises))
ENT, OTHER = CITY.enterprises[0], CITY.enterprises[1]
SEED = b"engine-tests-signing-seed-32byte"


def engine(policy: Policy | None = None, *, auto_deliver: bool = True) -> tuple[Engine, FixedClock, CollectingNotifier]:
    counter = itertools.count()
    clock = FixedClock(T0.subtract(days=21))
    notes = CollectingNotifier()
    eng = Engine(
        store=MemoryStore(),
        policy=policy or Policy(),
        clock=clock,
        notifier=notes,
        keys=MemoryKeyStore.from_seed(SEED),
        ids=lambda: f"id{next(counter):04d}",
        auto_deliver=auto_deliver,
    )
    populate(eng, CITY)
    return eng, clock, notes


def req(
    dept: str = "SCJG",
    day: float = 0,
    *,
    enterprise: str = ENT.credit_code,
    items: tuple[str, ...] | None = None,
    inspectors: tuple[str, ...] | None = None,
    hours: float = 8,
    kind: InspectionKind = InspectionKind.ROUTINE,
) -> PlanRequest:
    start = T0 + pendulum.duration(days=day)
    return PlanRequest(
        enterprise,
        dept,
        start,
        start + pendulum.duration(hours=hours),
        kind=kind,
        items=items or (f"{dept}-01",),
        inspectors=inspectors or (f"{dept}-I01", f"{dept}-I02"),
    )


def state(eng: Engine) -> tuple[object, ...]:
    """Everything an operation might change."""
    with eng.store.unit_of_work() as uow:
        ents = [e.credit_code for e in CITY.enterprises]
        return (
            len(uow.audit.entries()),
            tuple(p for e in ents for p in uow.plans.for_enterprise(e)),
            tuple(i for e in ents for i in uow.inspections.for_enterprise(e)),
            tuple(r for e in ents for r in uow.ledger.reservations(e)),
            tuple(n.key for n in uow.outbox.pending(10_000)),
        )


# ------------------------------------------------------------------ plan validation


def test_plan_validation_errors_change_nothing() -> None:
    eng, _, notes = engine()
    cases: list[tuple[PlanRequest, type[JointInspectError], str]] = [
        (req(items=("SCJG-99",)), NotFoundError, "reference.not_found"),
        (req(enterprise=credit_code(999)), NotFoundError, "reference.not_found"),
        (
            req(dept="NOPE", items=("SCJG-01",), inspectors=("SCJG-I01", "SCJG-I02")),
            NotFoundError,
            "reference.not_found",
        ),
        (req(inspectors=("SCJG-I01", "SCJG-I77")), NotFoundError, "reference.not_found"),
        (req(items=("SCJG-01", "YJGL-01")), ValidationError, "filing.item_not_owned"),
        (req(inspectors=("SCJG-I01",)), ValidationError, "filing.no_inspectors"),
        (req(inspectors=("SCJG-I01", "YJGL-I01")), ValidationError, "filing.inspector_other_department"),
    ]
    before, sent = state(eng), dict(notes.received)
    for request, cls, code in cases:
        with pytest.raises(cls) as err:
            eng.file_plan(request, by=principals.officer(request.department))
        assert err.value.code == code, request
    assert state(eng) == before and notes.received == sent
    unknown = cases[0]
    with pytest.raises(NotFoundError) as err:
        eng.file_plan(unknown[0], by=principals.officer(unknown[0].department))
    assert err.value.details == {"kind": "item", "key": "SCJG-99"}
    # a wrong check character is refused as such when the request is built (issue 10)
    with pytest.raises(ValidationError) as err:
        req(enterprise="91370600000000999X")
    assert err.value.code == "enterprise.credit_code_check"


def test_certificate_expiring_during_the_window() -> None:
    eng, _, _ = engine()
    # Valid until the first day of a three-day window (local dates).
    eng.add_inspector(
        Inspector("SCJG-X", "临时执法员", "SCJG", "37999999", {"market"}, dt.date(2024, 1, 1), dt.date(2026, 3, 2)),
        by=principals.SYSTEM,
    )
    with pytest.raises(ValidationError) as err:
        eng.file_plan(req(inspectors=("SCJG-I01", "SCJG-X"), hours=72), by=principals.officer("SCJG"))
    assert err.value.code == "filing.certificate_invalid"
    assert (
        eng.file_plan(req(inspectors=("SCJG-I01", "SCJG-X"), hours=8), by=principals.officer("SCJG")).inspection
        is not None
    )


def test_naive_datetimes_are_refused() -> None:
    eng, _, _ = engine()
    naive = dt.datetime(2026, 3, 2, 9, 0)
    with pytest.raises(ValidationError) as err:
        eng.file_plan(
            PlanRequest(
                ENT.credit_code,
                "SCJG",
                naive,
                naive + dt.timedelta(hours=2),
                items=["SCJG-01"],
                inspectors=["SCJG-I01", "SCJG-I02"],
            ),
            by=principals.officer("SCJG"),
        )
    assert err.value.code == "time.naive"
    with pytest.raises(ValidationError) as err:
        eng.file_plan(req(hours=-1), by=principals.officer("SCJG"))
    assert err.value.code == "window.invalid"


# ------------------------------------------------------------------ visits


def visit(
    eng: Engine, clock: FixedClock, out: FilingOutcome, inspector: str = "SCJG-I01"
) -> tuple[str, IssuedCode, IssuedCode]:
    assert out.inspection is not None
    iid = out.inspection.id
    code = eng.issue_inspection_code(iid, by=principals.SYSTEM)
    gate = eng.issue_enterprise_code(out.plan.enterprise, by=principals.SYSTEM)
    clock.set(out.inspection.window.start.add(minutes=5))
    eng.check_in(
        code.token,
        eng.enterprise(out.plan.enterprise, by=principals.SYSTEM).site,
        gate.token,
        by=principals.inspector(inspector),
    )
    return iid, code, gate


def test_result_sharing_within_the_lookback_and_the_enterprise() -> None:
    eng, clock, notes = engine()
    mine, theirs = (
        eng.file_plan(req(), by=principals.officer("SCJG")),
        eng.file_plan(req(day=1, enterprise=OTHER.credit_code), by=principals.officer("SCJG")),
    )
    iid, _, _ = visit(eng, clock, mine)
    first = eng.record_result(iid, "SCJG-01", Outcome.PASS, "licence shown", by=principals.inspector("SCJG-I01")).result
    assert first.responsible_department == "SCJG"
    eng.check_out(iid, by=principals.inspector("SCJG-I01"))  # one open check-in at a time
    # Another enterprise's result for the same item never shows.
    other = visit(eng, clock, theirs)[0]
    eng.record_result(other, "SCJG-01", Outcome.FAIL, "no licence", by=principals.inspector("SCJG-I01"))
    clock.set(T0.add(days=60))
    later = eng.file_plan(req(day=90), by=principals.officer("SCJG"))
    assert [r.id for r in later.shared_records] == [first.id]
    assert notes.of_kind("results.shared")[-1].data()["records"] == first.id
    assert eng.shared_records(ENT.credit_code, ["SCJG-01"], by=principals.SYSTEM) == [first]
    assert eng.file_plan(req(day=100, items=("SCJG-02",)), by=principals.officer("SCJG")).shared_records == ()
    # Older than six months: not shown any more.
    clock.set(T0.add(months=6, days=1))
    assert eng.file_plan(req(day=200), by=principals.officer("SCJG")).shared_records == ()
    assert eng.shared_records(ENT.credit_code, ["SCJG-01"], by=principals.SYSTEM) == []


def test_responsible_department_is_the_first_to_inspect() -> None:
    eng, clock, _ = engine()
    iid, _, _ = visit(eng, clock, eng.file_plan(req(), by=principals.officer("SCJG")))
    eng.record_result(iid, "SCJG-01", Outcome.PASS, by=principals.inspector("SCJG-I01"))
    # The item moves to another department (an institutional reform): YJGL now checks it,
    # but SCJG, which inspected it first within the lookback, stays responsible.
    eng.add_item(SupervisionItem("SCJG-01", "证照公示", "YJGL", "safety"), by=principals.SYSTEM)
    clock.set(T0.add(days=10))
    out = eng.file_plan(req("YJGL", day=40, items=("SCJG-01",)), by=principals.officer("YJGL"))
    assert len(out.shared_records) == 1
    iid2, _, _ = visit(eng, clock, out, inspector="YJGL-I01")
    rec = eng.record_result(iid2, "SCJG-01", Outcome.PASS, by=principals.inspector("YJGL-I01")).result
    assert (rec.department, rec.responsible_department) == ("YJGL", "SCJG")


def test_notifications_are_idempotent_on_redelivery() -> None:
    eng, _, notes = engine(auto_deliver=False)
    eng.deliver_notifications(by=principals.SYSTEM)
    notes.received.clear()
    out = eng.file_plan(req(), by=principals.officer("SCJG"))
    eng.file_plan(req("YJGL", day=0), by=principals.officer("YJGL"))  # merges: joint-inspection notices
    with eng.store.unit_of_work() as uow:
        pending = uow.outbox.pending(1000)
    keys = [n.key for n in pending]
    assert keys and len(keys) == len(set(keys))
    assert {"plan.filed", "inspection.joint"} <= {n.kind for n in pending}
    # A relay that crashed after sending but before marking sends everything again.
    for note in pending:
        notes.send(note)
    assert eng.deliver_notifications(by=principals.SYSTEM) == len(pending)
    assert notes.sends == 2 * len(pending)
    assert list(notes.received) == keys
    assert eng.deliver_notifications(by=principals.SYSTEM) == 0
    # Same operation outcome, same key: a retried filing is a new plan with new keys,
    # while re-sending one notification changes nothing.
    notes.send(pending[0])
    assert len(notes.received) == len(keys)
    assert out.plan.id in {n.subject for n in pending}


# ------------------------------------------------------------------ check-in refusals


def test_check_in_refusals_each_have_their_code() -> None:
    eng, clock, _ = engine()
    out = eng.file_plan(req(), by=principals.officer("SCJG"))
    assert out.inspection is not None
    iid, window = out.inspection.id, out.inspection.window
    code = eng.issue_inspection_code(iid, by=principals.SYSTEM)
    gate = eng.issue_enterprise_code(ENT.credit_code, by=principals.SYSTEM)
    other_gate = eng.issue_enterprise_code(OTHER.credit_code, by=principals.SYSTEM)
    # A code signed by a key this engine does not know.
    stranger = Engine(
        store=eng.store,
        policy=eng.policy,
        clock=clock,
        keys=MemoryKeyStore.from_seed(b"another-signing-seed-of-32-bytes"),
    )
    foreign_code = stranger.issue_inspection_code(iid, by=principals.SYSTEM)
    site = ENT.site
    far = GeoPoint(site.lat + 0.05, site.lon)
    inside = window.start.add(minutes=5)

    def attempt(
        at: pendulum.DateTime, token: str, inspector: str, position: GeoPoint, gate_token: str | None
    ) -> JointInspectError:
        clock.set(at)
        before = state(eng)
        with eng.store.unit_of_work() as uow:
            visits_before = uow.visits.for_inspection(iid)
        with pytest.raises(JointInspectError) as err:
            eng.check_in(token, position, gate_token, by=principals.inspector(inspector))
        assert state(eng) == before
        with eng.store.unit_of_work() as uow:
            assert uow.visits.for_inspection(iid) == visits_before
        return err.value

    cases = [
        # an inspector not assigned is refused by the authorization matrix, before any check
        (inside, code.token, "SCJG-I03", site, gate.token, Forbidden, "auth.not_assigned"),
        (
            window.start.subtract(hours=2),
            code.token,
            "SCJG-I01",
            site,
            gate.token,
            CheckInRejected,
            "checkin.outside_window",
        ),
        (inside, code.token, "SCJG-I01", far, gate.token, CheckInRejected, "checkin.outside_geofence"),
        (inside, code.token, "SCJG-I01", site, other_gate.token, CheckInRejected, "checkin.enterprise_mismatch"),
        (inside, code.token, "SCJG-I01", site, None, CheckInRejected, "checkin.scan_required"),
        (inside, foreign_code.token, "SCJG-I01", site, gate.token, TokenError, "token.unknown_key"),
        (inside, gate.token, "SCJG-I01", site, gate.token, TokenError, "token.wrong_kind"),
        (window.end.add(hours=1), code.token, "SCJG-I01", site, gate.token, TokenError, "token.expired"),
    ]
    for at, token, who, where, gate_token, cls, expected in cases:
        err = attempt(at, token, who, where, gate_token)
        assert isinstance(err, cls) and err.code == expected, (expected, err)

    # Replay: the same one-time code cannot check the same inspector in twice (a second
    # inspector stays inside so that the inspection is still in progress).
    clock.set(inside)
    eng.check_in(code.token, site, gate.token, by=principals.inspector("SCJG-I01"))
    eng.check_in(code.token, site, gate.token, by=principals.inspector("SCJG-I02"))
    err = attempt(inside.add(minutes=1), code.token, "SCJG-I01", site, gate.token)
    assert err.code == "checkin.already_checked_in"
    clock.set(inside.add(minutes=30))
    eng.check_out(iid, by=principals.inspector("SCJG-I01"))
    err = attempt(inside.add(minutes=40), code.token, "SCJG-I01", site, gate.token)
    assert isinstance(err, CheckInRejected) and err.code == "checkin.replayed"
    assert eng.inspection(iid, by=principals.SYSTEM).status is InspectionStatus.IN_PROGRESS
    eng.check_out(iid, by=principals.inspector("SCJG-I02"))
    assert eng.inspection(iid, by=principals.SYSTEM).status is InspectionStatus.COMPLETED
    err = attempt(inside.add(minutes=50), code.token, "SCJG-I02", site, gate.token)
    assert err.code == "checkin.inspection_closed"


def test_expired_enterprise_code() -> None:
    eng, clock, _ = engine()
    clock.set(T0.subtract(days=400))
    old_gate = eng.issue_enterprise_code(ENT.credit_code, by=principals.SYSTEM)
    clock.set(T0.subtract(days=21))
    out = eng.file_plan(req(), by=principals.officer("SCJG"))
    assert out.inspection is not None
    code = eng.issue_inspection_code(out.inspection.id, by=principals.SYSTEM)
    clock.set(out.inspection.window.start.add(minutes=5))
    with pytest.raises(TokenError) as err:
        eng.check_in(code.token, ENT.site, old_gate.token, by=principals.inspector("SCJG-I01"))
    assert err.value.code == "token.expired"


def test_a_code_issued_before_a_merge_is_refused_and_a_new_one_works() -> None:
    # Issue 8, codes follow the visit: a plan joining a coded visit narrows its window; the
    # old code is refused with its own error, a new one is issued, and scanning either
    # (while valid) shows the visit as it is now.
    eng, clock, _ = engine()
    first = eng.file_plan(req(day=0), by=principals.officer("SCJG"))
    assert first.inspection is not None
    old_code = eng.issue_inspection_code(first.inspection.id, by=principals.SYSTEM)
    joined = eng.file_plan(req("YJGL", day=0, hours=12), by=principals.officer("YJGL"))
    assert joined.merged and joined.inspection is not None
    joined = eng.file_plan(
        attrs.evolve(req("STHJ", day=0, hours=8), start=T0.add(hours=2)), by=principals.officer("STHJ")
    )
    assert joined.inspection is not None and joined.inspection.window.start == T0.add(hours=2)
    assert eng.describe_code(old_code.token, by=principals.SYSTEM).window == joined.inspection.window
    assert eng.describe_code(old_code.token, by=principals.SYSTEM).departments[-1][0] == "YJGL"
    clock.set(joined.inspection.window.start.add(minutes=5))
    gate = eng.issue_enterprise_code(ENT.credit_code, by=principals.SYSTEM)
    with pytest.raises(CheckInRejected) as err:
        eng.check_in(old_code.token, ENT.site, gate.token, by=principals.inspector("SCJG-I01"))
    assert err.value.code == "code.outdated" and "重新签发" in err.value.message_zh
    new_code = eng.issue_inspection_code(first.inspection.id, by=principals.SYSTEM)
    visit = eng.check_in(new_code.token, ENT.site, gate.token, by=principals.inspector("SCJG-I01"))
    assert visit.inspection_id == first.inspection.id


def test_inspectors_who_join_by_merging_count_for_inspector_rules() -> None:
    from jointinspect.policy import preset

    eng, _, _ = engine(preset("inspector_watch"))
    first = eng.file_plan(req(day=0, inspectors=("SCJG-I01", "SCJG-I02")), by=principals.officer("SCJG"))
    joined = eng.file_plan(req(day=0, inspectors=("SCJG-I03", "SCJG-I04")), by=principals.officer("SCJG"))
    assert joined.merged and first.inspection is not None
    assert "SCJG-I03" in eng.inspection(first.inspection.id, by=principals.SYSTEM).inspectors
    eng.file_plan(req(day=10, inspectors=("SCJG-I01", "SCJG-I03")), by=principals.officer("SCJG"))
    third = eng.file_plan(req(day=20, inspectors=("SCJG-I03", "SCJG-I04")), by=principals.officer("SCJG"))
    # SCJG-I03 took part in three visits within 30 days.
    assert [(w.scope_key, w.count) for w in third.warnings] == [(f"{ENT.credit_code}/SCJG-I03", 3)]


def test_another_department_checking_the_same_item_sees_the_first_record() -> None:
    # Fire safety exits are checked by the fire brigade and by emergency management (Yantai:
    # the first department answers for the result, the next one is shown it when filing).
    eng, clock, notes = engine()
    eng.add_item(
        SupervisionItem("SCJG-01", "证照公示", "SCJG", "market", also_checked_by={"YJGL"}), by=principals.SYSTEM
    )
    for base in CITY.inspectors_of("YJGL")[:2]:
        eng.add_inspector(attrs.evolve(base, fields=base.fields | {"market"}), by=principals.SYSTEM)
    iid, _, _ = visit(eng, clock, eng.file_plan(req(), by=principals.officer("SCJG")))
    first = eng.record_result(
        iid, "SCJG-01", Outcome.FAIL, "licence not shown", by=principals.inspector("SCJG-I01")
    ).result
    clock.set(T0.add(days=10))
    out = eng.file_plan(req("YJGL", day=40, items=("SCJG-01", "YJGL-01")), by=principals.officer("YJGL"))
    assert [r.id for r in out.shared_records] == [first.id]
    assert notes.of_kind("results.shared")[-1].recipient == "YJGL"
    iid2, _, _ = visit(eng, clock, out, inspector="YJGL-I01")
    rec = eng.record_result(iid2, "SCJG-01", Outcome.PASS, "now shown", by=principals.inspector("YJGL-I01")).result
    assert (rec.department, rec.responsible_department) == ("YJGL", "SCJG")
    # A department neither owning nor listed still cannot file the item.
    with pytest.raises(ValidationError) as err:
        eng.file_plan(req("STHJ", day=50, items=("SCJG-01",)), by=principals.officer("STHJ"))
    assert err.value.code == "filing.item_not_owned"


def test_a_check_in_that_fails_to_commit_leaves_its_code_unused() -> None:
    eng, clock, _ = engine()
    out = eng.file_plan(req(), by=principals.officer("SCJG"))
    assert out.inspection is not None
    code, gate = (
        eng.issue_inspection_code(out.inspection.id, by=principals.SYSTEM),
        eng.issue_enterprise_code(ENT.credit_code, by=principals.SYSTEM),
    )
    clock.set(out.inspection.window.start.add(minutes=5))
    store = eng.store
    original = store.unit_of_work

    def failing_commit() -> object:
        uow = original()

        def commit() -> None:
            raise OperationalError(reason="disk full")

        uow.commit = commit  # type: ignore[method-assign]
        return uow

    store.unit_of_work = failing_commit  # type: ignore[method-assign]
    with pytest.raises(OperationalError):
        eng.check_in(code.token, ENT.site, gate.token, by=principals.inspector("SCJG-I01"))
    store.unit_of_work = original  # type: ignore[method-assign]
    visit = eng.check_in(code.token, ENT.site, gate.token, by=principals.inspector("SCJG-I01"))  # not "replayed"
    assert visit.inspector_id == "SCJG-I01"
    with pytest.raises(CheckInRejected):
        eng.check_in(code.token, ENT.site, gate.token, by=principals.inspector("SCJG-I01"))


def test_no_code_for_an_inspection_whose_window_is_over() -> None:
    eng, clock, _ = engine()
    out = eng.file_plan(req(), by=principals.officer("SCJG"))
    assert out.inspection is not None
    clock.set(out.inspection.window.end)
    with pytest.raises(CheckInRejected) as err:
        eng.issue_inspection_code(out.inspection.id, by=principals.SYSTEM)
    assert err.value.code == "code.window_over" and "结束" in err.value.message_zh
