"""Strategies and the world of the fuzz suite (issue 10).

Every public value type and Engine operation gets arguments that mix valid values with
invalid ones (wrong types, ``None``, bare strings for sequences, truthy strings for bools,
NaN, huge numbers, lone surrogates, NUL, 1 MB strings, naive datetimes, ISO text, year 9999).

``ENGINE_BOUNDARY_WIRED`` is the one switch for arguments that only the Engine's operations
can check (ids passed straight to the store, ``approve``, ``evidence``, ``batch``...): while
it is ``False`` those parameters are drawn valid only, listed in `ENGINE_CHECKED`. Flip it
once the Engine validates its arguments (issue 10) and the same suite covers them too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pendulum
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import strategies as st

from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.codes.offline import OfflineRecord, public_key_hex, sign_offline
from jointinspect.errors import JointInspectError
from jointinspect.model.licence import Licence
from jointinspect.model.reference import (
    CoordinateSystem,
    CreditClass,
    Department,
    Enterprise,
    GeoPoint,
    Inspector,
    Scenario,
    SupervisionItem,
)
from jointinspect.model.result import Outcome
from jointinspect.operations.spot_checks import SpotCheckRequest
from jointinspect.policy.schema import Policy
from jointinspect.ports import Store
from jointinspect.relay import CollectingNotifier
from jointinspect.requests import PlanRequest
from jointinspect.service import Engine
from jointinspect.testing.city import build_city
from jointinspect.testing.contract import populate
from jointinspect.testing.principals import SUPERVISOR, SYSTEM, approver, enterprise, inspector, officer

#: Examples per store for the operation property (a SQL store pays a round trip per query).
EXAMPLES = {"memory": 500, "sqlite": 200, "postgresql": 100, "mariadb": 100}

#: An inspector's device (issue 12's offline check-ins).
DEVICE = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))
DEVICE_KEY_HEX = public_key_hex(DEVICE)

#: Flip to True when the Engine's operations validate their own arguments (issue 10).
ENGINE_BOUNDARY_WIRED = True
#: Audit values and actors are checked by the audit code (causes 7, 8, merged from h-trust);
#: set to False only to bisect a failure to the Engine's own checks.
AUDIT_VALUES_CHECKED = True

#: operation -> parameters whose invalid values only the Engine can refuse.
ENGINE_CHECKED: dict[str, set[str]] = {
    "add_enterprise": {"value"},
    "add_department": {"value"},
    "add_inspector": {"value"},
    "add_item": {"value"},
    "add_scenario": {"value"},
    "file_plan": {"request"},
    "approve_plan": {"plan_id", "approve"},
    "issue_inspection_code": {"inspection_id"},
    "issue_enterprise_code": {"credit_code"},
    "describe_code": {"token"},
    "check_in": {"inspection_code", "enterprise_code"},
    "check_out": {"inspection_id"},
    "record_result": {"inspection_id", "item", "evidence"},
    "correct_result": {"result_id"},
    "acknowledge_result": {"result_id"},
    "submit_rectification": {"rect_id", "evidence"},
    "accept_rectification": {"rect_id", "mode"},
    "reject_rectification": {"rect_id"},
    "refuse_rectification": {"rect_id"},
    "rate": {"inspection_id"},
    "complain": {"inspection_id"},
    "inspection": {"inspection_id"},
    "plan": {"plan_id"},
    "inspections_of": {"enterprise"},
    "rectifications_of": {"enterprise"},
    "enterprise": {"credit_code"},
    "shared_records": {"enterprise", "items"},
    "deliver_notifications": {"batch"},
    "rebuild_reservations": {"enterprise"},
    "replan": {"enterprise"},
    "record_violation": {"inspection_id", "item", "evidence", "circumstance"},
    "record_loop_step": {"result_id", "stage"},
    "enforcement_loop": {"enterprise"},
    "explain_watch": {"inspector_id", "enterprise"},
    "inspector_watch": {"inspector_id", "enterprise"},
    "resolve_conflict": {"flag_id", "prevailing"},
    "conflicts_of": {"inspection_id"},
    "list_enterprises": {"credit_class", "whitelisted", "whitelist", "limit", "offset"},
    "list_plans": {"department", "status", "since", "until", "limit", "offset"},
    "pending_approvals": {"department", "since", "until", "limit", "offset"},
    "list_inspections": {"department", "enterprise", "status", "since", "until", "limit", "offset"},
    "results_of": {"inspection_id", "limit", "offset"},
    "list_rectifications": {"department", "enterprise", "overdue", "limit", "offset"},
    "list_complaints": {"enterprise", "since", "until", "limit", "offset"},
    "list_evaluations": {"enterprise", "since", "until", "limit", "offset"},
    "pending_notifications": {"limit", "offset"},
    "audit_entries": {"after_seq", "through_seq", "limit"},
    "file_plans": {"requests", "chunk"},
    "add_licence": {"value"},
    "issue_penalty": {"enterprise", "kind", "field", "fine_fen", "review_id"},
    "request_legal_review": {"enterprise", "fine_fen", "summary"},
    "decide_legal_review": {"review_id", "approve", "reason"},
    "apply_credit_repair": {"penalty_id", "reason"},
    "decide_credit_repair": {"penalty_id", "approve", "reason"},
    "credit_view": {"enterprise"},
}
#: parameters that reach the audit log as values (checked by the audit code, causes 7, 8);
#: the principal ``by`` is one (its ``actor`` is audited).
AUDIT_CHECKED = {"by"}

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=2, departments=2)
ENT = CITY.enterprises[0]
MEGA = "x" * 1_000_000

# ------------------------------------------------------------------ junk values

junk: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(["yes", "no", "false", "0", "", " ", "\ud800", "a\x00b", "SCJG", "photo.jpg"]),
    st.builds(lambda: MEGA),  # 1 MB of text (built, so that hypothesis does not print it)
    st.integers(min_value=-(10**30), max_value=10**30),
    st.builds(lambda: 10**400),  # beyond float (built, so that hypothesis does not print it)
    st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(max_magnitude=10),
    st.binary(max_size=8),
    st.lists(st.text(max_size=4), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),  # naive
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=st.just(dt.UTC)),
    st.dates(),
    st.sampled_from(["2026-03-02T09:00:00", "2026-03-02T09:00:00+08:00", "9999-12-31T23:59:59Z", "2026-13-01T00:00Z"]),
    st.text(max_size=20),
)


def mixed(valid: st.SearchStrategy[Any], op: str, param: str) -> st.SearchStrategy[Any]:
    """``valid`` or (when the operation can refuse it) junk."""
    if param in AUDIT_CHECKED and not AUDIT_VALUES_CHECKED:
        return valid
    if not ENGINE_BOUNDARY_WIRED and (param == "by" or param in ENGINE_CHECKED.get(op, set())):
        return valid
    if param == "by":  # junk rarely: every operation checks it first, so it hides the rest
        return _weighted(valid, junk, 1 / 6)
    return _weighted(valid, junk, 1 / 3)


def _weighted(usual: st.SearchStrategy[Any], rare: st.SearchStrategy[Any], share: float) -> st.SearchStrategy[Any]:
    """``rare`` in about ``share`` of the examples (``st.one_of`` merges repeated branches,
    so it cannot weight them)."""
    slots = round(1 / share)
    return st.sampled_from(range(slots)).flatmap(lambda n: rare if n == slots - 1 else usual)


def field(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A value-type field: valid or junk (the value types check their own fields)."""
    return st.one_of(valid, junk)


# --------------------------------------------------------------- value types

ids = st.sampled_from(["SCJG", "SCJG-01", "SCJG-I01", "YJGL-01", "S1", "a.b:c_d-e"]) | st.from_regex(
    r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}", fullmatch=True
)
instants = st.datetimes(
    min_value=dt.datetime(2000, 1, 2), max_value=dt.datetime(2200, 12, 30), timezones=st.just(dt.UTC)
) | st.just(T0)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2200, 12, 31))
names = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=30).filter(str.strip)
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)
credit_codes = st.sampled_from([e.credit_code for e in CITY.enterprises])

geo_points = st.builds(
    GeoPoint,
    field(st.floats(-90, 90)),
    field(st.floats(-180, 180)),
    field(st.sampled_from(CoordinateSystem)),
)
VALUE_TYPES: dict[str, st.SearchStrategy[Any]] = {
    "GeoPoint": geo_points,
    "Enterprise": st.builds(
        Enterprise,
        field(credit_codes),
        field(names),
        field(st.just(ENT.site)),
        field(st.sampled_from(CreditClass)),
        field(st.booleans()),
        field(st.booleans()),
    ),
    "Department": st.builds(Department, field(ids), field(names)),
    "Inspector": st.builds(
        Inspector,
        field(ids),
        field(names),
        field(ids),
        field(ids),
        field(st.lists(ids, max_size=3)),
        field(dates),
        field(dates),
    ),
    "SupervisionItem": st.builds(
        SupervisionItem,
        field(ids),
        field(names),
        field(ids),
        field(ids),
        field(texts),
        field(st.booleans()),
        field(st.frozensets(ids, max_size=3)),
    ),
    "Licence": st.builds(
        Licence,
        field(ids),
        field(ids),
        field(credit_codes),
        field(st.sampled_from(["SCJG", "YJGL"])),
        field(dates),
    ),
    "Scenario": st.builds(Scenario, field(ids), field(names), field(st.lists(ids, max_size=3))),
    "PlanRequest": st.builds(
        PlanRequest,
        field(credit_codes),
        field(st.sampled_from(["SCJG", "YJGL"])),
        field(instants),
        field(instants),
        field(st.sampled_from(["routine", "random", "complaint"])),
        field(st.lists(ids, max_size=3)),
        field(st.lists(ids, max_size=3)),
        field(st.none() | ids),
        field(texts),
    ),
}


# --------------------------------------------------------------------- world


@dataclasses.dataclass
class World:
    """An engine with reference data, one inspection in progress, a failed result and its
    open rectification; the ids the operations' valid arguments are drawn from."""

    eng: Engine
    inspection: str
    plan: str
    result: str
    rect: str
    code: str
    enterprise_code: str
    penalty: str = "-"
    review: str = "-"


def make_world(store: Store) -> World:
    """Populate ``store`` and bring one visit to an open rectification."""
    counter = itertools.count()
    clock = FixedClock(T0.subtract(days=21))
    eng = Engine(
        store=store,
        policy=Policy(),
        clock=clock,
        notifier=CollectingNotifier(),
        keys=MemoryKeyStore.from_seed(b"fuzz-suite-signing-seed-32bytes!"),
        ids=lambda: f"id{next(counter):06d}",
        auto_deliver=False,
    )
    populate(eng, CITY)
    for e in CITY.enterprises:  # class B everywhere: no whitelist approval in the way
        eng.add_enterprise(Enterprise(e.credit_code, e.name, e.site), by=SYSTEM)
    out = eng.file_plan(
        PlanRequest(
            ENT.credit_code, "SCJG", T0, T0.add(hours=8), items=["SCJG-01"], inspectors=["SCJG-I01", "SCJG-I02"]
        ),
        by=officer("SCJG"),
    )
    assert out.inspection is not None
    clock.set(T0.add(hours=1))
    code = eng.issue_inspection_code(out.inspection.id, by=SYSTEM).token
    ent_code = eng.issue_enterprise_code(ENT.credit_code, by=SYSTEM).token
    eng.check_in(code, ENT.site, ent_code, by=inspector("SCJG-I01"))
    res = eng.record_result(
        out.inspection.id, "SCJG-01", Outcome.FAIL, "broken", ["photo.jpg"], by=inspector("SCJG-I01")
    )
    assert res.rectification is not None
    # A penalty repairable on application and a review awaiting the legal office (issue 12).
    penalty = eng.issue_penalty(
        ENT.credit_code, "SCJG", "fine", "general", 100, by=officer("SCJG"), publicity_start=T0.subtract(years=1)
    )
    review = eng.request_legal_review(ENT.credit_code, "SCJG", "fine", "food", 26_000_000, "facts", by=officer("SCJG"))
    return World(
        eng, out.inspection.id, out.plan.id, res.result.id, res.rectification.id, code, ent_code, penalty.id, review.id
    )


def snapshot(w: World) -> tuple[Any, ...]:
    """Records, outbox, audit chain and ledger, read through the ports."""
    with w.eng.store.unit_of_work() as uow:
        ents = [e.credit_code for e in CITY.enterprises]
        return (
            tuple(uow.audit.entries()),
            tuple(uow.outbox.pending(100_000)),
            tuple(r for e in ents for r in uow.ledger.reservations(e)),
            tuple(uow.reference.get_enterprise(e) for e in ents),
            tuple(p for e in ents for p in uow.plans.for_enterprise(e)),
            tuple(i for e in ents for i in uow.inspections.for_enterprise(e)),
            tuple(r for e in ents for r in uow.rectifications.for_enterprise(e)),
            tuple(r for e in ents for r in uow.results.for_enterprise(e, ["SCJG-01", "SCJG-02"], T0.subtract(years=5))),
            tuple(uow.visits.for_inspection(w.inspection)),
            uow.feedback.get_evaluation(w.inspection),
            tuple(c for e in ents for c in uow.feedback.complaints(e)),
            tuple(p for e in ents for p in uow.penalties.for_enterprise(e)),
            uow.legal_reviews.get(w.review),
        )


# ---------------------------------------------------------------- operations

Call = tuple[str, Callable[[World], Any]]


def operation(w: World, draw: st.DrawFn) -> Call:
    """Draw one Engine operation with mixed arguments; return its name and a thunk."""
    name = draw(st.sampled_from(sorted(OPERATIONS)))
    try:
        args = {p: draw(mixed(s(w), name, p)) for p, s in OPERATIONS[name][0].items()}
    except JointInspectError as err:
        # a value type refused its fields while the caller built the argument: typed, and
        # nothing was called; the property still holds (checked by the caller).
        refused = err

        def fail(world: World) -> Any:
            raise refused

        return name, fail
    call = OPERATIONS[name][1]
    return name, lambda world: call(world.eng, **args)


def _v(value: Any) -> Callable[[World], st.SearchStrategy[Any]]:
    return lambda w: st.just(value)


def _s(strategy: st.SearchStrategy[Any]) -> Callable[[World], st.SearchStrategy[Any]]:
    return lambda w: strategy


def _attr(name: str) -> Callable[[World], st.SearchStrategy[Any]]:
    return lambda w: st.just(getattr(w, name))


_later = st.sampled_from([T0.add(days=30), T0.add(days=1)])
_inspector = st.sampled_from(["SCJG-I01", "SCJG-I02"])

OTHER = CITY.enterprises[1]
#: Principals that are wrong for most operations (another department, another enterprise,
#: an inspector where an officer is needed...): refused with `Forbidden`.
WRONG_PRINCIPALS = (
    SYSTEM,
    SUPERVISOR,
    officer("SCJG"),
    officer("YJGL"),
    inspector("SCJG-I01"),
    inspector("YJGL-I01"),
    enterprise(ENT.credit_code),
    enterprise(OTHER.credit_code),
    approver("legal_office", "YJGL"),
)


def _by(*right: Principal) -> Callable[[World], st.SearchStrategy[Any]]:
    """``by``: mostly a right principal of the operation, sometimes any (possibly wrong) one."""
    return lambda w: _weighted(st.sampled_from(right), st.sampled_from(WRONG_PRINCIPALS), 1 / 4)


_SYSTEM = _by(SYSTEM)
#: a listing's page and instant range (issue 11)
_PAGE = {"limit": _s(st.integers(1, 50)), "offset": _s(st.integers(0, 5))}
_RANGE = {"since": _s(st.none() | instants), "until": _s(st.none() | instants)}
_SCJG = _by(officer("SCJG"))
_INSPECTORS = _by(inspector("SCJG-I01"), inspector("SCJG-I02"))
_ENTERPRISE = _by(enterprise(ENT.credit_code))
_ANYONE = _by(SYSTEM, SUPERVISOR, officer("SCJG"), inspector("SCJG-I01"), enterprise(ENT.credit_code))

#: name -> (parameter strategies, how to call).
OPERATIONS: dict[str, tuple[dict[str, Callable[[World], st.SearchStrategy[Any]]], Callable[..., Any]]] = {
    "add_enterprise": (
        {"value": _s(VALUE_TYPES["Enterprise"]), "by": _SYSTEM},
        lambda e, value, by: e.add_enterprise(value, by=by),
    ),
    "add_department": (
        {"value": _s(VALUE_TYPES["Department"]), "by": _SYSTEM},
        lambda e, value, by: e.add_department(value, by=by),
    ),
    "add_inspector": (
        {"value": _s(VALUE_TYPES["Inspector"]), "by": _SYSTEM},
        lambda e, value, by: e.add_inspector(value, by=by),
    ),
    "add_item": (
        {"value": _s(VALUE_TYPES["SupervisionItem"]), "by": _SYSTEM},
        lambda e, value, by: e.add_item(value, by=by),
    ),
    "add_scenario": (
        {"value": _s(VALUE_TYPES["Scenario"]), "by": _SYSTEM},
        lambda e, value, by: e.add_scenario(value, by=by),
    ),
    "file_plan": (
        # the request names SCJG or YJGL: an officer of either is right for one of them
        {"request": _s(VALUE_TYPES["PlanRequest"]), "by": _by(officer("SCJG"), officer("YJGL"))},
        lambda e, request, by: e.file_plan(request, by=by),
    ),
    "approve_plan": (
        {
            "plan_id": _attr("plan"),
            "role": _s(st.sampled_from(["supervisor", "department", None])),
            "approve": _s(st.booleans()),
            "reason": _s(texts),
            "by": _by(SUPERVISOR, approver("legal_office", "YJGL")),
        },
        lambda e, plan_id, role, approve, reason, by: e.approve_plan(
            plan_id, role, approve=approve, reason=reason, by=by
        ),
    ),
    "issue_inspection_code": (
        {"inspection_id": _attr("inspection"), "by": _by(SYSTEM, officer("SCJG"))},
        lambda e, inspection_id, by: e.issue_inspection_code(inspection_id, by=by),
    ),
    "issue_enterprise_code": (
        {"credit_code": _s(credit_codes), "by": _SYSTEM},
        lambda e, credit_code, by: e.issue_enterprise_code(credit_code, by=by),
    ),
    "describe_code": ({"token": _attr("code"), "by": _ANYONE}, lambda e, token, by: e.describe_code(token, by=by)),
    "check_in": (
        {
            "inspection_code": _attr("code"),
            "position": _s(st.just(ENT.site) | geo_points),
            "enterprise_code": _attr("enterprise_code"),
            "by": _INSPECTORS,
        },
        lambda e, inspection_code, position, enterprise_code, by: e.check_in(
            inspection_code, position, enterprise_code, by=by
        ),
    ),
    "check_out": (
        {"inspection_id": _attr("inspection"), "by": _INSPECTORS},
        lambda e, inspection_id, by: e.check_out(inspection_id, by=by),
    ),
    "record_result": (
        {
            "inspection_id": _attr("inspection"),
            "item": _v("SCJG-01"),
            "outcome": _s(st.sampled_from(["pass", "fail", "not_applicable"])),
            "note": _s(texts),
            "evidence": _s(st.lists(texts, max_size=3)),
            "by": _INSPECTORS,
        },
        lambda e, inspection_id, item, outcome, note, evidence, by: e.record_result(
            inspection_id, item, outcome, note, evidence, by=by
        ),
    ),
    "correct_result": (
        {
            "result_id": _attr("result"),
            "outcome": _s(st.sampled_from(["pass", "fail", "not_applicable"])),
            "note": _s(texts),
            "by": _by(officer("SCJG"), inspector("SCJG-I01")),
        },
        lambda e, result_id, outcome, note, by: e.correct_result(result_id, outcome, note, by=by),
    ),
    "acknowledge_result": (
        {"result_id": _attr("result"), "by": _ENTERPRISE},
        lambda e, result_id, by: e.acknowledge_result(result_id, by=by),
    ),
    "submit_rectification": (
        {
            "rect_id": _attr("rect"),
            "evidence": _s(st.lists(texts, min_size=1, max_size=3)),
            "note": _s(texts),
            "by": _ENTERPRISE,
        },
        lambda e, rect_id, evidence, note, by: e.submit_rectification(rect_id, evidence, note, by=by),
    ),
    "accept_rectification": (
        {"rect_id": _attr("rect"), "mode": _s(st.sampled_from(["remote", "on_site"])), "by": _SCJG},
        lambda e, rect_id, mode, by: e.accept_rectification(rect_id, mode, by=by),
    ),
    "reject_rectification": (
        {"rect_id": _attr("rect"), "reason": _s(texts), "new_deadline": _s(_later), "by": _SCJG},
        lambda e, rect_id, reason, new_deadline, by: e.reject_rectification(rect_id, reason, new_deadline, by=by),
    ),
    "refuse_rectification": (
        {"rect_id": _attr("rect"), "note": _s(texts), "by": _SCJG},
        lambda e, rect_id, note, by: e.refuse_rectification(rect_id, note, by=by),
    ),
    "sweep_overdue": ({"by": _SYSTEM}, lambda e, by: e.sweep_overdue(by=by)),
    "rate": (
        {
            "inspection_id": _attr("inspection"),
            "score": _s(st.integers(0, 100)),
            "comment": _s(texts),
            "anonymous": _s(st.booleans()),
            "by": _ENTERPRISE,
        },
        lambda e, inspection_id, score, comment, anonymous, by: e.rate(
            inspection_id, score, comment, anonymous=anonymous, by=by
        ),
    ),
    "complain": (
        {
            "inspection_id": _attr("inspection"),
            "reason": _s(st.sampled_from(["no_scan", "other"])),
            "text": _s(texts),
            "by": _ENTERPRISE,
        },
        lambda e, inspection_id, reason, text, by: e.complain(inspection_id, reason, text, by=by),
    ),
    "inspection": (
        {"inspection_id": _attr("inspection"), "by": _ANYONE},
        lambda e, inspection_id, by: e.inspection(inspection_id, by=by),
    ),
    "plan": ({"plan_id": _attr("plan"), "by": _ANYONE}, lambda e, plan_id, by: e.plan(plan_id, by=by)),
    "inspections_of": (
        {"enterprise": _s(credit_codes), "by": _ANYONE},
        lambda e, enterprise, by: e.inspections_of(enterprise, by=by),
    ),
    "rectifications_of": (
        {"enterprise": _s(credit_codes), "by": _ANYONE},
        lambda e, enterprise, by: e.rectifications_of(enterprise, by=by),
    ),
    "enterprise": (
        {"credit_code": _s(credit_codes), "by": _ANYONE},
        lambda e, credit_code, by: e.enterprise(credit_code, by=by),
    ),
    "shared_records": (
        {"enterprise": _s(credit_codes), "items": _s(st.lists(ids, max_size=3)), "by": _ANYONE},
        lambda e, enterprise, items, by: e.shared_records(enterprise, items, by=by),
    ),
    "deliver_notifications": (
        {"batch": _s(st.integers(1, 50)), "by": _SYSTEM},
        lambda e, batch, by: e.deliver_notifications(batch, by=by),
    ),
    "rebuild_reservations": (
        {"enterprise": _s(st.none() | credit_codes), "by": _SYSTEM},
        lambda e, enterprise, by: e.rebuild_reservations(enterprise, by=by),
    ),
    "replan": (
        {"enterprise": _s(credit_codes), "by": _SYSTEM},
        lambda e, enterprise, by: e.replan(enterprise, by=by),
    ),
    "verify_audit": ({"by": _SYSTEM}, lambda e, by: e.verify_audit(by=by)),
    # licence prewarning, credit repair, legal review (issue 12)
    "add_licence": (
        {"value": _s(VALUE_TYPES["Licence"]), "by": _SYSTEM},
        lambda e, value, by: e.add_licence(value, by=by),
    ),
    "sweep_licences": ({"by": _SYSTEM}, lambda e, by: e.sweep_licences(by=by)),
    "sweep_credit_repair": ({"by": _SYSTEM}, lambda e, by: e.sweep_credit_repair(by=by)),
    "sweep_legal_reviews": ({"by": _SYSTEM}, lambda e, by: e.sweep_legal_reviews(by=by)),
    "issue_penalty": (
        {
            "enterprise": _s(credit_codes),
            "kind": _s(st.sampled_from(["admonition", "fine", "revocation"])),
            "field": _s(st.sampled_from(["food", "general"])),
            "fine_fen": _s(st.sampled_from([0, 100, 26_000_000])),
            "review_id": _s(st.none() | st.just("id-review")),
            "by": _SCJG,
        },
        lambda e, enterprise, kind, field, fine_fen, review_id, by: e.issue_penalty(
            enterprise, "SCJG", kind, field, fine_fen, review_id=review_id, by=by
        ),
    ),
    "request_legal_review": (
        {"enterprise": _s(credit_codes), "fine_fen": _s(st.integers(0, 10**9)), "summary": _s(names), "by": _SCJG},
        lambda e, enterprise, fine_fen, summary, by: e.request_legal_review(
            enterprise, "SCJG", "fine", "food", fine_fen, summary, by=by
        ),
    ),
    "decide_legal_review": (
        {
            "review_id": _attr("review"),
            "approve": _s(st.booleans()),
            "reason": _s(names),
            "by": _by(approver("legal_office", "SCJG")),
        },
        lambda e, review_id, approve, reason, by: e.decide_legal_review(review_id, approve, reason, by=by),
    ),
    "apply_credit_repair": (
        {"penalty_id": _attr("penalty"), "reason": _s(names), "by": _ENTERPRISE},
        lambda e, penalty_id, reason, by: e.apply_credit_repair(penalty_id, reason, by=by),
    ),
    "decide_credit_repair": (
        {"penalty_id": _attr("penalty"), "approve": _s(st.booleans()), "reason": _s(names), "by": _SCJG},
        lambda e, penalty_id, approve, reason, by: e.decide_credit_repair(penalty_id, approve, reason, by=by),
    ),
    "credit_view": (
        {"enterprise": _s(credit_codes), "by": _ANYONE},
        lambda e, enterprise, by: e.credit_view(enterprise, by=by),
    ),
    "anchor_audit": ({"by": _SYSTEM}, lambda e, by: e.anchor_audit(by=by)),
    "supervision_report": (
        {"start": _s(instants | _later), "end": _s(instants | _later), "by": _by(SUPERVISOR, SYSTEM)},
        lambda e, by, start, end: e.supervision_report(start, end, by=by),
    ),
    "prune": ({"by": _SYSTEM}, lambda e, by: e.prune(by=by)),
    # issue 12: first-violation guidance, the inefficient-inspection watch, conflicting standards
    "record_violation": (
        {
            "inspection_id": _attr("inspection"),
            "item": _v("SCJG-02"),
            "circumstance": _s(texts),
            "note": _s(texts),
            "evidence": _s(st.lists(texts, max_size=3)),
            "by": _INSPECTORS,
        },
        lambda e, inspection_id, item, circumstance, note, evidence, by: e.record_violation(
            inspection_id, item, circumstance, note, evidence, by=by
        ),
    ),
    "record_loop_step": (
        {
            "result_id": _attr("result"),
            "stage": _s(st.sampled_from(["penalty", "assistance", "guidance"])),
            "note": _s(texts),
            "by": _SCJG,
        },
        lambda e, result_id, stage, note, by: e.record_loop_step(result_id, stage, note, by=by),
    ),
    "enforcement_loop": (
        {"enterprise": _s(credit_codes), "by": _ANYONE},
        lambda e, enterprise, by: e.enforcement_loop(enterprise, by=by),
    ),
    "explain_watch": (
        {
            "inspector_id": _s(_inspector),
            "enterprise": _s(credit_codes),
            "explanation": _s(texts),
            "by": _by(SUPERVISOR),
        },
        lambda e, inspector_id, enterprise, explanation, by: e.explain_watch(
            inspector_id, enterprise, explanation, by=by
        ),
    ),
    "inspector_watch": (
        {"inspector_id": _s(_inspector), "enterprise": _s(credit_codes), "by": _ANYONE},
        lambda e, inspector_id, enterprise, by: e.inspector_watch(inspector_id, enterprise, by=by),
    ),
    "resolve_conflict": (
        {"flag_id": _s(ids), "prevailing": _v("SCJG-01"), "reason": _s(texts), "by": _by(SUPERVISOR)},
        lambda e, flag_id, prevailing, reason, by: e.resolve_conflict(flag_id, prevailing, reason, by=by),
    ),
    "conflicts_of": (
        {"inspection_id": _attr("inspection"), "by": _ANYONE},
        lambda e, inspection_id, by: e.conflicts_of(inspection_id, by=by),
    ),
    # issue 12
    "draw_spot_check": (
        {
            "request": _s(
                st.builds(
                    SpotCheckRequest,
                    field(ids),
                    field(st.sampled_from(["SCJG", "YJGL"])),
                    field(instants),
                    field(instants),
                    field(st.lists(ids, max_size=3)),
                    field(st.lists(credit_codes, max_size=3)),
                    field(st.lists(_inspector, max_size=3)),
                    field(st.dictionaries(st.sampled_from(["A", "B", "C", "D"]), st.floats(0, 1), max_size=2)),
                    field(st.none() | ids),
                )
            ),
            "by": _by(officer("SCJG"), officer("YJGL")),
        },
        lambda e, request, by: e.draw_spot_check(request, by=by),
    ),
    "refile_spot_check": (
        {"department": _s(st.sampled_from(["SCJG", "YJGL"])), "campaign": _s(ids), "by": _SCJG},
        lambda e, department, campaign, by: e.refile_spot_check(department, campaign, by=by),
    ),
    "declare_conflict": (
        {"inspector_id": _s(_inspector), "enterprise": _s(credit_codes), "reason": _s(texts), "by": _INSPECTORS},
        lambda e, inspector_id, enterprise, reason, by: e.declare_conflict(inspector_id, enterprise, reason, by=by),
    ),
    "declare_quiet_slot": (
        {"enterprise": _s(credit_codes), "start": _s(dates), "end": _s(dates), "reason": _s(texts), "by": _ENTERPRISE},
        lambda e, enterprise, start, end, reason, by: e.declare_quiet_slot(enterprise, start, end, reason, by=by),
    ),
    "withdraw_quiet_slot": (
        {"slot_id": _s(ids), "by": _ENTERPRISE},
        lambda e, slot_id, by: e.withdraw_quiet_slot(slot_id, by=by),
    ),
    "register_device_key": (
        {
            "inspector_id": _s(_inspector),
            "public_key": _s(st.sampled_from([DEVICE_KEY_HEX, "00" * 32, "zz"])),
            "by": _SCJG,
        },
        lambda e, inspector_id, public_key, by: e.register_device_key(inspector_id, public_key, by=by),
    ),
    "check_in_offline": (
        {
            "record": lambda w: st.builds(
                lambda at, position: sign_offline(
                    OfflineRecord(w.inspection, "SCJG-I01", at, position, w.enterprise_code), DEVICE
                ),
                st.sampled_from([T0.add(hours=1), T0.subtract(days=30)]),
                st.just(ENT.site) | geo_points,
            ),
            "by": _INSPECTORS,
        },
        lambda e, record, by: e.check_in_offline(record, by=by),
    ),
    # the operator listings (issue 11): pages, filters, ranges
    "list_enterprises": (
        {
            "credit_class": _s(st.none() | st.sampled_from(["A", "B", "C", "D"])),
            "whitelisted": _s(st.none() | st.booleans()),
            "whitelist": _s(st.none() | st.sampled_from(["normal", "limited", "exempt"])),
            **_PAGE,
            "by": _ANYONE,
        },
        lambda e, credit_class, whitelisted, whitelist, limit, offset, by: e.list_enterprises(
            credit_class=credit_class, whitelisted=whitelisted, whitelist=whitelist, limit=limit, offset=offset, by=by
        ),
    ),
    "list_plans": (
        {
            "department": _s(st.none() | st.just("SCJG")),
            "status": _s(st.none() | st.sampled_from(["active", "pending_approval"])),
            **_RANGE,
            **_PAGE,
            "by": _ANYONE,
        },
        lambda e, department, status, since, until, limit, offset, by: e.list_plans(
            department=department, status=status, since=since, until=until, limit=limit, offset=offset, by=by
        ),
    ),
    "pending_approvals": (
        {"department": _s(st.none() | st.just("SCJG")), **_RANGE, **_PAGE, "by": _ANYONE},
        lambda e, department, since, until, limit, offset, by: e.pending_approvals(
            department=department, since=since, until=until, limit=limit, offset=offset, by=by
        ),
    ),
    "list_inspections": (
        {
            "department": _s(st.none() | st.just("SCJG")),
            "enterprise": _s(st.none() | credit_codes),
            "status": _s(st.none() | st.sampled_from(["planned", "in_progress", "completed"])),
            **_RANGE,
            **_PAGE,
            "by": _ANYONE,
        },
        lambda e, department, enterprise, status, since, until, limit, offset, by: e.list_inspections(
            department=department,
            enterprise=enterprise,
            status=status,
            since=since,
            until=until,
            limit=limit,
            offset=offset,
            by=by,
        ),
    ),
    "results_of": (
        {"inspection_id": _attr("inspection"), **_PAGE, "by": _ANYONE},
        lambda e, inspection_id, limit, offset, by: e.results_of(inspection_id, limit=limit, offset=offset, by=by),
    ),
    "list_rectifications": (
        {
            "department": _s(st.none() | st.just("SCJG")),
            "enterprise": _s(st.none() | credit_codes),
            "overdue": _s(st.booleans()),
            **_PAGE,
            "by": _ANYONE,
        },
        lambda e, department, enterprise, overdue, limit, offset, by: e.list_rectifications(
            department=department, enterprise=enterprise, overdue=overdue, limit=limit, offset=offset, by=by
        ),
    ),
    "list_complaints": (
        {"enterprise": _s(st.none() | credit_codes), **_RANGE, **_PAGE, "by": _ANYONE},
        lambda e, enterprise, since, until, limit, offset, by: e.list_complaints(
            enterprise=enterprise, since=since, until=until, limit=limit, offset=offset, by=by
        ),
    ),
    "list_evaluations": (
        {"enterprise": _s(st.none() | credit_codes), **_RANGE, **_PAGE, "by": _ANYONE},
        lambda e, enterprise, since, until, limit, offset, by: e.list_evaluations(
            enterprise=enterprise, since=since, until=until, limit=limit, offset=offset, by=by
        ),
    ),
    "pending_notifications": (
        {**_PAGE, "by": _by(SYSTEM, SUPERVISOR)},
        lambda e, limit, offset, by: e.pending_notifications(limit=limit, offset=offset, by=by),
    ),
    "audit_entries": (
        {
            "after_seq": _s(st.integers(0, 20)),
            "through_seq": _s(st.none() | st.integers(1, 40)),
            "limit": _s(st.integers(1, 50)),
            "by": _by(SYSTEM, SUPERVISOR),
        },
        lambda e, after_seq, through_seq, limit, by: e.audit_entries(
            after_seq=after_seq, through_seq=through_seq, limit=limit, by=by
        ),
    ),
    "file_plans": (
        {
            "requests": _s(st.lists(VALUE_TYPES["PlanRequest"], max_size=3)),
            "chunk": _s(st.integers(1, 3)),
            "by": _by(officer("SCJG"), officer("YJGL")),
        },
        lambda e, requests, chunk, by: e.file_plans(requests, chunk=chunk, by=by),
    ),
}
