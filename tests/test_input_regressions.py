"""One regression test per cause and silent acceptance of issue 10 (bad inputs).

The Engine's operations check ``by`` and their arguments at the boundary, before any
store (``src/jointinspect/operations``, ``v`` = ``jointinspect.validation``):

- ``by``: a `jointinspect.auth.Principal`, else ``auth.no_principal`` (`Forbidden`)
- ``add_enterprise``/``add_department``/``add_inspector``/``add_item``/``add_scenario``:
  ``x = v.instance_of(x, "<name>", <Type>)``
- ``file_plan``: ``request = v.instance_of(request, "request", PlanRequest)``
- ``approve_plan``: ``approve = v.boolean(approve, "approve")``; ``plan_id = v.identifier(plan_id, "plan_id")``
- every id argument: ``x = v.identifier(x, "<name>")``; credit codes:
  ``x = v.credit_code(x, "<name>")``; ``shared_records``: ``items = v.identifier_sequence(items, "items")``
- ``record_result``/``submit_rectification``: ``evidence = v.text_sequence(evidence, "evidence")``
- ``deliver_notifications``: ``batch = v.integer(batch, "batch", minimum=1, maximum=10_000)``
- ``operations/placement.py`` ``FrequencyBlocked(...)``: ``scope=hit.scope_key.partition("/")[2] or None``

Causes 7, 8, 15 and 17 (audit values, bytes actor, key seed, corrupted audit rows) are
tested with the audit/keys code that fixes them (h-trust).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from pathlib import Path

import pendulum
import pytest

from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.errors import Forbidden, JointInspectError, PolicyError, ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.notification import Notification, Role
from jointinspect.model.reference import (
    CreditClass,
    Department,
    Enterprise,
    GeoPoint,
    Inspector,
    Scenario,
    SupervisionItem,
)
from jointinspect.model.result import Outcome
from jointinspect.policy import load_policy, load_policy_file, preset
from jointinspect.policy.schema import Policy
from jointinspect.relay import CollectingNotifier
from jointinspect.requests import PlanRequest
from jointinspect.service import Engine
from jointinspect.testing.city import build_city
from jointinspect.testing.contract import populate
from jointinspect.testing.principals import SYSTEM, approver, enterprise, inspector, officer

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=2, departments=2)
ENT = CITY.enterprises[0]
SITE = ENT.site
SCJG = officer("SCJG")  # the filing department's officer (also responsible for SCJG-01)
ENTERPRISE = enterprise(ENT.credit_code)
LEGAL = approver("legal_office", "YJGL")  # a legal section outside the filing department


@dataclasses.dataclass
class World:
    """An engine with one active inspection, both inspectors checked in, and a failed item
    with its open rectification."""

    eng: Engine
    clock: FixedClock
    notes: CollectingNotifier
    inspection: str
    plan: str
    result: str
    rect: str


def world(policy: Policy | None = None) -> World:
    counter = itertools.count()
    clock = FixedClock(T0.subtract(days=21))
    notes = CollectingNotifier()
    eng = Engine(
        store=MemoryStore(),
        policy=policy or Policy(),
        clock=clock,
        notifier=notes,
        keys=MemoryKeyStore.from_seed(b"input-regressions-seed-32-bytes!"),
        ids=lambda: f"id{next(counter):04d}",
    )
    populate(eng, CITY)
    # every enterprise class B: no whitelist approval in the way
    for e in CITY.enterprises:
        eng.add_enterprise(Enterprise(e.credit_code, e.name, e.site), by=SYSTEM)
    out = eng.file_plan(request(), by=SCJG)
    assert out.inspection is not None
    insp = out.inspection.id
    clock.set(T0.add(hours=1))
    code = eng.issue_inspection_code(insp, by=SYSTEM).token
    ent_code = eng.issue_enterprise_code(ENT.credit_code, by=SYSTEM).token
    eng.check_in(code, SITE, ent_code, by=inspector("SCJG-I01"))
    res = eng.record_result(insp, "SCJG-01", Outcome.FAIL, "broken", ["photo.jpg"], by=inspector("SCJG-I01"))
    assert res.rectification is not None
    return World(eng, clock, notes, insp, out.plan.id, res.result.id, res.rectification.id)


def request(**overrides: object) -> PlanRequest:
    fields: dict[str, object] = {
        "enterprise": ENT.credit_code,
        "department": "SCJG",
        "start": T0,
        "end": T0.add(hours=8),
        "items": ("SCJG-01",),
        "inspectors": ("SCJG-I01", "SCJG-I02"),
    }
    fields.update(overrides)
    return PlanRequest(**fields)  # type: ignore[arg-type]


def snapshot(eng: Engine) -> tuple[object, ...]:
    """Records, outbox, audit chain and ledger, through the ports."""
    with eng.store.unit_of_work() as uow:
        ents = [e.credit_code for e in CITY.enterprises]
        return (
            tuple(uow.audit.entries()),
            tuple(p for e in ents for p in uow.plans.for_enterprise(e)),
            tuple(i for e in ents for i in uow.inspections.for_enterprise(e)),
            tuple(r for e in ents for r in uow.rectifications.for_enterprise(e)),
            tuple(r for e in ents for r in uow.ledger.reservations(e)),
            tuple(uow.outbox.pending(10_000)),
            tuple(uow.reference.get_enterprise(e) for e in ents),
        )


def refused(w: World, call: object, code: str | None = None) -> JointInspectError:
    """Run ``call``; it must raise a typed error (with ``code``) and change nothing."""
    before = snapshot(w.eng)
    with pytest.raises(JointInspectError) as info:
        call()  # type: ignore[operator]
    assert snapshot(w.eng) == before
    if code is not None:
        assert info.value.code == code, info.value
    return info.value


# ---------------------------------------------------------------- the 17 causes


@pytest.mark.parametrize("position", [None, (30.0, 120.0), "30,120", {"lat": 30}])
def test_cause_01_check_in_with_a_position_that_is_no_geopoint(position: object) -> None:
    w = world()
    w.eng.check_out(w.inspection, by=inspector("SCJG-I01"))
    w2 = world()
    code = w2.eng.issue_inspection_code(w2.inspection, by=SYSTEM).token
    ent = w2.eng.issue_enterprise_code(ENT.credit_code, by=SYSTEM).token
    err = refused(w2, lambda: w2.eng.check_in(code, position, ent, by=inspector("SCJG-I02")), "input.wrong_type")  # type: ignore[arg-type]
    assert err.details["field"] == "position"


@pytest.mark.parametrize(
    ("lat", "code"),
    [
        ("abc", "input.not_number"),
        (None, "input.not_number"),
        (1j, "input.not_number"),
        (True, "input.not_number"),
        (91, "geo.latitude"),
        (float("nan"), "geo.latitude"),
        (float("inf"), "geo.latitude"),
        (10**400, "geo.latitude"),
    ],
)
def test_cause_02_geopoint_needs_finite_numbers_in_range(lat: object, code: str) -> None:
    with pytest.raises(ValidationError) as err:
        GeoPoint(lat, 121)  # type: ignore[arg-type]
    assert err.value.code == code
    with pytest.raises(ValidationError):
        GeoPoint(30, 181)


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (dt.date(2026, 3, 2), "input.not_instant"),
        (None, "input.not_instant"),
        (1_772_000_000, "input.not_instant"),
        ("2026-03-02T09:00:00", "time.naive"),
        ("2026-03-02", "time.naive"),
        ("next monday", "input.not_instant"),
        (dt.datetime(2026, 3, 2, 9), "time.naive"),
    ],
)
def test_cause_03_plan_start_must_be_an_instant(start: object, code: str) -> None:
    with pytest.raises(ValidationError) as err:
        request(start=start)
    assert err.value.code == code and err.value.details["field"] == "start"


def test_cause_03_iso_text_with_an_offset_is_an_instant() -> None:
    req = request(start="2026-03-02T09:00:00+08:00", end="2026-03-02T09:00:00Z")
    assert req.start == T0 and req.end == T0.add(hours=8)
    assert req.start.tzinfo == pendulum.UTC


@pytest.mark.parametrize(
    "build",
    [
        lambda: request(items=None),
        lambda: request(inspectors=None),
        lambda: Scenario("S1", "一件事", None),
        lambda: Inspector("i1", "张三", "SCJG", "37000001", None, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        lambda: SupervisionItem("SCJG-09", "事项", "SCJG", "market", also_checked_by=None),
    ],
)
def test_cause_04_none_where_a_sequence_is_expected(build: object) -> None:
    with pytest.raises(ValidationError) as err:
        build()  # type: ignore[operator]
    assert err.value.code == "input.not_sequence"


def test_cause_04_evidence_none_in_record_result() -> None:
    # record_result: evidence = v.text_sequence(evidence, "evidence") before tuple(evidence)
    w = world()
    refused(
        w,
        lambda: w.eng.record_result(w.inspection, "SCJG-01", "pass", "", None, by=inspector("SCJG-I01")),
        "input.not_sequence",
    )  # type: ignore[arg-type]


def test_cause_05_certificate_dates_are_dates() -> None:
    ok = Inspector("i1", "张三", "SCJG", "37000001", ["market"], "2024-01-01", "2030-12-31")  # type: ignore[arg-type]
    assert ok.valid_from == dt.date(2024, 1, 1) and type(ok.valid_from) is dt.date
    for bad in (dt.datetime(2024, 1, 1, tzinfo=dt.UTC), 20240101, None, "2024-02-30", "01/01/2024"):
        with pytest.raises(ValidationError) as err:
            Inspector("i1", "张三", "SCJG", "37000001", ["market"], bad, dt.date(2030, 12, 31))  # type: ignore[arg-type]
        assert err.value.details["field"] == "valid_from"


def test_cause_06_reject_with_a_naive_deadline_or_no_reason() -> None:
    w = world()
    w.eng.submit_rectification(w.rect, ["fixed.jpg"], by=ENTERPRISE)
    naive = dt.datetime(2026, 4, 1, 9)
    refused(w, lambda: w.eng.reject_rectification(w.rect, "not fixed", naive, by=SCJG), "time.naive")  # type: ignore[arg-type]
    later = T0.add(days=30)
    err = refused(w, lambda: w.eng.reject_rectification(w.rect, None, later, by=SCJG), "input.not_text")  # type: ignore[arg-type]
    assert err.details["field"] == "note"
    # an ISO text with an offset is an instant
    done = w.eng.reject_rectification(w.rect, "not fixed", "2026-04-01T09:00:00+08:00", by=SCJG)  # type: ignore[arg-type]
    assert done.deadline == pendulum.datetime(2026, 4, 1, 1, tz="UTC")


def test_cause_09_a_rejection_without_text_reason_is_refused_before_any_store() -> None:
    w = world(preset("laizhou"))
    ent = CITY.enterprises[1]
    w.eng.add_enterprise(Enterprise(ent.credit_code, ent.name, ent.site, credit_class=CreditClass.A), by=SYSTEM)
    pending = w.eng.file_plan(
        request(enterprise=ent.credit_code, start=T0.add(days=20), end=T0.add(days=20, hours=4)), by=SCJG
    )
    err = refused(
        w,
        lambda: w.eng.approve_plan(pending.plan.id, Role.LEGAL_OFFICE, approve=False, reason=None, by=LEGAL),  # type: ignore[arg-type]
        "input.not_text",
    )
    assert err.details["field"] == "reason"


def test_cause_10_a_query_with_a_malformed_id() -> None:
    # plan/inspection/...: plan_id = v.identifier(plan_id, "plan_id") before the unit of work
    w = world()
    refused(w, lambda: w.eng.plan(["x"], by=SYSTEM), "input.not_text")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "call",
    [
        lambda e: e.add_enterprise(None, by=SYSTEM),
        lambda e: e.add_department("SCJG", by=SYSTEM),
        lambda e: e.file_plan(None, by=SCJG),
    ],
    ids=["add_enterprise(None)", "add_department('SCJG')", "file_plan(None)"],
)
def test_cause_11_an_argument_of_the_wrong_type(call: object) -> None:
    # add_department: v.instance_of(department, "department", Department) (add_enterprise,
    # add_inspector... likewise); file_plan: v.instance_of(request, "request", PlanRequest)
    w = world()
    refused(w, lambda: call(w.eng), "input.wrong_type")  # type: ignore[operator]


@pytest.mark.parametrize("year", [9999, 1900, 2201])
def test_cause_12_instants_outside_the_supported_years(year: int) -> None:
    far = pendulum.datetime(year, 6, 1, tz="UTC")
    with pytest.raises(ValidationError) as err:
        request(start=far, end=far.add(hours=1))
    assert err.value.code == "time.out_of_range"
    with pytest.raises(ValidationError) as err:
        request(start=f"{year}-06-01T00:00:00+14:00")
    assert err.value.code == "time.out_of_range"


@pytest.mark.parametrize("batch", [None, "x", 0, -1, True])
def test_cause_13_deliver_notifications_batch(batch: object) -> None:
    # deliver_notifications: batch = v.integer(batch, "batch", minimum=1, maximum=10_000)
    w = world()
    with pytest.raises(ValidationError):
        w.eng.deliver_notifications(batch, by=SYSTEM)  # type: ignore[arg-type]


@pytest.mark.parametrize("site", [None, "30,120", (30.0, 120.0), {"lat": 30, "lon": 120}])
def test_cause_14_enterprise_site_must_be_a_geopoint(site: object) -> None:
    with pytest.raises(ValidationError) as err:
        Enterprise(ENT.credit_code, ENT.name, site)  # type: ignore[arg-type]
    assert err.value.code == "input.wrong_type" and err.value.details["field"] == "site"


def test_cause_16_policy_files_that_are_not_policies(tmp_path: Path) -> None:
    files = {
        "latin1.toml": 'name = "café"\n'.encode("latin-1"),
        "utf16.toml": 'name = "x"\n'.encode("utf-16"),
        "binary.toml": bytes(range(256)),
        "deep.toml": ("x = " + "[" * 5000 + "]" * 5000 + "\n").encode(),
    }
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(PolicyError):
            load_policy_file(path)
    with pytest.raises(PolicyError):
        load_policy_file(None)  # type: ignore[arg-type]
    deep: dict[str, object] = {}
    cur = deep
    for _ in range(5000):
        cur["filing"] = {}
        cur = cur["filing"]  # type: ignore[assignment]
    with pytest.raises(PolicyError):
        load_policy(deep)


@pytest.mark.parametrize(
    "data",
    [
        {"matching": {"min_common_hours": 10**15}},
        {"matching": {"allowances": {"routine": {"days": 10**15}}}},
        {"frequency": [{"name": "a", "limit": 1, "window_days": 10**15}]},
        {"checkin": {"tolerance_minutes": 10**15}},
        {"sharing": {"lookback_months": 10**9}},
        {"filing": {"advance": 10**9}},
        {"rectification": {"deadline_days": 10**9}},
        {"checkin": {"enterprise_code_days": 0}},
        {"rectification": {"deadline_days": 0}},
        {"checkin": {"radius_m": 1e300}},
        {"frequency": [{"name": "r" * 300, "limit": 1, "window_days": 7}]},
    ],
)
def test_cause_16_policy_numbers_have_bounds(data: dict[str, object]) -> None:
    with pytest.raises(PolicyError):
        load_policy(data)


def test_cause_16_the_largest_policy_keeps_every_computation_in_range() -> None:
    # the upper bounds together still give valid instants and codes
    w = world(
        load_policy(
            {
                "checkin": {"enterprise_code_days": 1830, "tolerance_minutes": 1440},
                "codes": {"max_lifetime_days": 1830},
                "sharing": {"lookback_months": 120},
                "rectification": {"deadline_days": 3650},
                "matching": {"window_limit_days": 366, "allowances": {"routine": {"days": 366}}},
            }
        )
    )
    assert w.eng.issue_enterprise_code(ENT.credit_code, by=SYSTEM).expires_at.year <= 2040
    assert w.eng.shared_records(ENT.credit_code, ["SCJG-01"], by=SCJG)


# --------------------------------------------------------- silent acceptances


def test_bare_strings_are_not_split_into_characters() -> None:
    with pytest.raises(ValidationError) as err:
        SupervisionItem("SCJG-09", "事项", "SCJG", "market", also_checked_by="YJGL")
    assert err.value.code == "input.not_sequence"
    with pytest.raises(ValidationError):
        request(items="SCJG-01")
    with pytest.raises(PolicyError):
        load_policy({"matching": {"lead_priority": "SCJG"}})
    assert load_policy({"matching": {"lead_priority": ["SCJG"]}}).matching.lead_priority == ("SCJG",)


def test_bare_string_evidence_in_record_result() -> None:
    # record_result / submit_rectification: evidence = v.text_sequence(evidence, "evidence")
    w = world()
    refused(w, lambda: w.eng.submit_rectification(w.rect, "photo.jpg", by=ENTERPRISE), "input.not_sequence")


def test_approve_no_is_not_an_approval() -> None:
    # approve_plan: approve = v.boolean(approve, "approve")
    w = world(preset("laizhou"))
    ent = CITY.enterprises[1]
    w.eng.add_enterprise(Enterprise(ent.credit_code, ent.name, ent.site, credit_class=CreditClass.A), by=SYSTEM)
    pending = w.eng.file_plan(
        request(enterprise=ent.credit_code, start=T0.add(days=20), end=T0.add(days=20, hours=4)), by=SCJG
    )
    refused(
        w, lambda: w.eng.approve_plan(pending.plan.id, Role.LEGAL_OFFICE, approve="no", by=LEGAL), "input.not_boolean"
    )  # type: ignore[arg-type]


def test_truthy_strings_are_not_booleans() -> None:
    with pytest.raises(ValidationError) as err:
        Enterprise(ENT.credit_code, ENT.name, SITE, whitelisted="no")  # type: ignore[arg-type]
    assert err.value.code == "input.not_boolean"
    with pytest.raises(PolicyError):
        load_policy({"checkin": {"one_time_codes": "no"}})


def test_rate_anonymous_must_be_a_boolean_and_comment_text() -> None:
    w = world()
    w.eng.check_out(w.inspection, by=inspector("SCJG-I01"))
    assert w.eng.inspection(w.inspection, by=SYSTEM).status.value == "completed"
    refused(w, lambda: w.eng.rate(w.inspection, 90, anonymous="no", by=ENTERPRISE), "input.not_boolean")  # type: ignore[arg-type]
    refused(w, lambda: w.eng.rate(w.inspection, 90, None, by=ENTERPRISE), "input.not_text")  # type: ignore[arg-type]
    assert w.eng.rate(w.inspection, 90, "好", anonymous=True, by=ENTERPRISE).anonymous is True


@pytest.mark.parametrize("value", [None, 5, ["a"], "a\x00b", "\ud800", "x" * 5000])
def test_text_arguments_must_be_text(value: object) -> None:
    w = world()
    refused(w, lambda: w.eng.record_result(w.inspection, "SCJG-01", "pass", value, by=inspector("SCJG-I01")))  # type: ignore[arg-type]
    refused(w, lambda: w.eng.complain(w.inspection, "other", value, by=ENTERPRISE))  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        SupervisionItem("SCJG-09", "事项", "SCJG", "market", standard=value)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        request(reason=value)


@pytest.mark.parametrize("value", ["x" * 1_000_000, "SCJG\x00", "", "a b", "科室", "\ud800", "-lead"])
def test_ids_follow_one_grammar_on_every_store(value: str) -> None:
    for build in (
        lambda: Department(value, "部门"),
        lambda: request(department=value),
        lambda: request(items=[value]),
        lambda: SupervisionItem(value, "事项", "SCJG", "market"),
    ):
        with pytest.raises(ValidationError) as err:
            build()
        assert err.value.code in {"input.identifier", "input.not_text"}


def test_a_lookup_by_a_huge_id_is_a_validation_error() -> None:
    # every operation taking an id: v.identifier(x, "<name>") before the unit of work
    w = world()
    refused(w, lambda: w.eng.inspection("x" * 1_000_000, by=SYSTEM), "input.identifier")


def test_notification_keys_fit_every_store() -> None:
    with pytest.raises(ValidationError) as err:
        Notification("k" * 256, "plan.filed", Role.SUPERVISOR, "j", "p1", T0)
    assert err.value.code == "input.text_too_long"
    # rule names (part of warning keys) are identifiers of at most 64 characters
    with pytest.raises(PolicyError):
        load_policy({"frequency": [{"name": "r" * 65, "limit": 1, "window_days": 7}]})


def test_policy_dates_and_names_are_strict() -> None:
    with pytest.raises(PolicyError):
        load_policy({"filing": {"extra_holidays": [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]}})
    with pytest.raises(PolicyError):
        load_policy({"name": 5})
    with pytest.raises(ValidationError):
        Department("SCJG", 5)  # type: ignore[arg-type]


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


@pytest.mark.parametrize(
    "spell",
    [lambda c: f" {c} ", lambda c: f"{c}\n", lambda c: c.lower(), _full_width],
    ids=["spaces", "newline", "lower", "fullwidth"],
)
def test_credit_codes_are_normalised_wherever_accepted(spell: object) -> None:
    code = ENT.credit_code
    odd = spell(code)  # type: ignore[operator]
    assert odd != code
    assert Enterprise(odd, ENT.name, SITE).credit_code == code
    # a plan naming the same spelling finds the registered enterprise
    w = world()
    out = w.eng.file_plan(request(enterprise=odd, start=T0.add(days=10), end=T0.add(days=10, hours=2)), by=SCJG)
    assert out.plan.enterprise == code


def test_a_wrong_check_character_is_its_own_error() -> None:
    code = ENT.credit_code
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError) as err:
        request(enterprise=wrong)
    assert err.value.code == "enterprise.credit_code_check"
    with pytest.raises(ValidationError) as err:
        request(enterprise="not a code")
    assert err.value.code == "enterprise.credit_code_invalid"


def test_the_xianning_refusal_names_the_department() -> None:
    # _place: FrequencyBlocked(..., scope=hit.scope_key.partition("/")[2] or None, ...)
    w = world(preset("xianning"))
    for day in (40,):  # the world's plan is the first of the year, this the second
        w.eng.file_plan(request(start=T0.add(days=day), end=T0.add(days=day, hours=2)), by=SCJG)
    err = refused(w, lambda: w.eng.file_plan(request(start=T0.add(days=80), end=T0.add(days=80, hours=2)), by=SCJG))
    assert err.code in ("frequency.blocked", "frequency.blocked_joinable")  # day 40 is still open: joinable
    assert "SCJG" in err.message_zh and "自然年" in err.message_zh


@pytest.mark.parametrize("by", [None, "system", "SCJG", {"kind": "system"}, b"system"])
def test_an_operation_without_a_principal_is_refused_first(by: object) -> None:
    w = world()
    calls = [
        lambda: w.eng.inspection(w.inspection, by=by),  # type: ignore[arg-type]
        lambda: w.eng.file_plan(request(start=T0.add(days=10), end=T0.add(days=10, hours=2)), by=by),  # type: ignore[arg-type]
        lambda: w.eng.deliver_notifications(5, by=by),  # type: ignore[arg-type]
        lambda: w.eng.submit_rectification(w.rect, ["fixed.jpg"], by=by),  # type: ignore[arg-type]
    ]
    for call in calls:
        err = refused(w, call, "auth.no_principal")
        assert isinstance(err, Forbidden) and "实为" in err.message_zh
