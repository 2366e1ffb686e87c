"""A demo city for the web service: the example city (`jointinspect.sample`) with a fortnight
of filings and one morning of visits, so both pages have something to show.

Plans are filed on Monday 2026-11-09 for the week of 2026-11-23. That Monday morning
(Asia/Shanghai) SCJG, YJGL and STHJ visit enterprise 1 together (one joint visit: two
inspectors scan in, one item fails, a rectification opens with guidance), SCJG visits
enterprise 2 alone and is rated 95. A whitelisted enterprise has one plan approved and one
still waiting. The clock is left at 11:00, within the joint visit's window, so its inspection
code still verifies and the enterprise can rate it or complain.
"""

from __future__ import annotations

import attrs
import pendulum

from jointinspect import Engine, FixedClock
from jointinspect.auth import Principal
from jointinspect.model.reference import CreditClass
from jointinspect.model.result import Outcome
from jointinspect.requests import FilingOutcome, PlanRequest
from jointinspect.sample import City, build_city, populate

ZONE = "Asia/Shanghai"
#: When the demo's plans are filed; the visits happen two weeks later.
FILED_AT = pendulum.datetime(2026, 11, 9, 9, tz=ZONE)
VISIT_DAY = pendulum.datetime(2026, 11, 23, 9, tz=ZONE)
#: Where the demo leaves the clock: within the joint visit's window.
NOW = VISIT_DAY.add(hours=2)
SYSTEM = Principal.system("demo")
SUPERVISOR = Principal.supervisor(user="wang")


@attrs.frozen
class Demo:
    """What the demo made: the city, the joint visit's inspection and code, and personas.

    Attributes:
        city: the registered example city.
        joint_inspection: the joint visit of enterprise 1 (completed, not rated yet).
        joint_code: its inspection code (the QR's text; the first inspector entered with it),
            which the enterprise scans: it verifies until the window ends.
        enterprise: enterprise 1's credit code.
        personas: label -> principal, for the demo's sign-in links.
    """

    city: City
    joint_inspection: str
    joint_code: str
    enterprise: str
    personas: dict[str, Principal]


def inspector(inspector_id: str) -> Principal:
    """The inspector ``inspector_id`` (department from the id's prefix)."""
    return Principal.inspector(inspector_id, department=inspector_id.split("-", maxsplit=1)[0])


def _plan(engine: Engine, enterprise: str, dept: str, day: int, hours: int = 4, kind: str = "routine") -> FilingOutcome:
    start = VISIT_DAY.add(days=day)
    request = PlanRequest(
        enterprise,
        dept,
        start,
        start.add(hours=hours),
        items=[f"{dept}-01", f"{dept}-02"],
        inspectors=[f"{dept}-I01", f"{dept}-I02"],
        kind=kind,
        reason="群众举报" if kind != "routine" else "",
    )
    return engine.file_plan(request, by=Principal.officer(dept, user=f"{dept.lower()}-officer"))


def build_demo(engine: Engine, clock: FixedClock) -> Demo:
    """Register the city on ``engine`` and play the demo's history on ``clock`` (left at `NOW`)."""
    clock.set(FILED_AT)
    city = build_city()
    # The enterprises visited are credit class B (visited normally) but the fifth, whitelisted.
    classes = [CreditClass.B] * 4 + [CreditClass.A] + [CreditClass.B] * 7
    ents = tuple(
        attrs.evolve(e, credit_class=classes[n]) if n < len(classes) else e for n, e in enumerate(city.enterprises)
    )
    city = attrs.evolve(city, enterprises=ents)
    populate(engine, city)
    e1, e2, e3, e4, limited = (e.credit_code for e in ents[:5])
    joint = _plan(engine, e1, "SCJG", 0)
    _plan(engine, e1, "YJGL", 0)
    _plan(engine, e1, "STHJ", 0)
    alone = _plan(engine, e2, "SCJG", 0)
    _plan(engine, e3, "XFJY", 1)
    _plan(engine, e4, "WSJK", 2)
    _plan(engine, e4, "STHJ", 2)
    for n, dept in enumerate(("SCJG", "YJGL", "STHJ", "XFJY", "WSJK", "JTYS")):
        _plan(engine, ents[6 + n].credit_code, dept, 3 + n % 3)
    approved = _plan(engine, limited, "SCJG", 4)
    engine.approve_plan(approved.plan.id, by=SUPERVISOR)
    _plan(engine, limited, "YJGL", 4)  # stays pending: the dashboard lists it
    assert joint.inspection is not None and alone.inspection is not None
    joint_id = engine.plan(joint.plan.id, by=SYSTEM).inspection_id
    assert joint_id is not None
    joint_code = engine.issue_inspection_code(joint_id, by=SYSTEM).token
    # The joint visit: SCJG-I01 and YJGL-I01 scan the enterprise code and go in.
    clock.set(VISIT_DAY.add(minutes=5))
    gate = engine.issue_enterprise_code(e1, by=SYSTEM).token
    site = ents[0].site
    engine.check_in(joint_code, site, gate, by=inspector("SCJG-I01"))
    second = engine.issue_inspection_code(joint_id, by=SYSTEM).token  # one-time codes: one per entry
    engine.check_in(second, site, gate, by=inspector("YJGL-I01"))
    engine.record_result(joint_id, "SCJG-01", Outcome.PASS, "证照齐全", by=inspector("SCJG-I01"))
    engine.record_result(joint_id, "YJGL-01", Outcome.FAIL, "安全生产责任制未上墙", by=inspector("YJGL-I01"))
    clock.set(VISIT_DAY.add(minutes=45))
    engine.check_out(joint_id, by=inspector("SCJG-I01"))
    clock.set(VISIT_DAY.add(minutes=50))
    engine.check_out(joint_id, by=inspector("YJGL-I01"))
    # SCJG alone at enterprise 2, rated 95.
    clock.set(VISIT_DAY.add(minutes=70))
    code = engine.issue_inspection_code(alone.inspection.id, by=SYSTEM).token
    gate2 = engine.issue_enterprise_code(e2, by=SYSTEM).token
    engine.check_in(code, ents[1].site, gate2, by=inspector("SCJG-I02"))
    clock.set(VISIT_DAY.add(minutes=100))
    engine.check_out(alone.inspection.id, by=inspector("SCJG-I02"))
    engine.rate(alone.inspection.id, 95, "规范高效", by=Principal.enterprise(e2))
    clock.set(NOW)
    personas = {
        "enterprise": Principal.enterprise(e1, user="e1-rep"),
        "supervisor": SUPERVISOR,
        "officer-SCJG": Principal.officer("SCJG", user="scjg-officer"),
        "inspector-SCJG-I01": inspector("SCJG-I01"),
    }
    return Demo(city, joint_id, joint_code, e1, personas)
