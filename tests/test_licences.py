"""Licence expiry prewarning (issue 12, Yantai): once per licence and lead time, idempotent,
to the holder and the issuing department, paged, and the Yantai preset firing."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.errors import Forbidden, NotFoundError, PolicyError, ValidationError
from jointinspect.importing import import_reference
from jointinspect.memory import MemoryStore
from jointinspect.model.licence import Licence, LicencePage
from jointinspect.model.notification import Notification, Role
from jointinspect.policy import preset
from jointinspect.policy.schema import Policy, load_policy
from jointinspect.policy.seeds import LicencePolicy
from jointinspect.relay import CollectingNotifier
from jointinspect.rules.licences import lead_ranges
from jointinspect.sample import build_city, populate
from jointinspect.testing.principals import SYSTEM, officer

# 02:00 in Yantai (UTC+8) on 1 March 2026: the local day is 1 March.
NOW = pendulum.datetime(2026, 2, 28, 18, tz="UTC")
TODAY = dt.date(2026, 3, 1)
CITY = build_city(enterprises=3, departments=2)
UNKNOWN = build_city(enterprises=5, seed=99).enterprises[4].credit_code
ENT = CITY.enterprises[0].credit_code


def _engine(policy: Policy | None = None) -> tuple[Engine, FixedClock, CollectingNotifier]:
    clock, notes = FixedClock(NOW), CollectingNotifier()
    engine = Engine(store=MemoryStore(), policy=policy or preset("yantai"), clock=clock, notifier=notes)
    populate(engine, CITY)
    return engine, clock, notes


def _licence(number: str, days: int, holder: str = ENT) -> Licence:
    return Licence("food_business", number, holder, "SCJG", TODAY + dt.timedelta(days=days))


def _warned(notes: CollectingNotifier) -> list[tuple[str, str, str]]:
    return sorted(
        (n.subject, n.role.value, n.recipient) for n in notes.received.values() if n.kind == "licence.expiring"
    )


def _digests(notes: CollectingNotifier) -> list[Notification]:
    return [n for n in notes.received.values() if n.kind == "licence.expiring_digest"]


def test_yantai_warns_holder_and_department_a_month_ahead_once() -> None:
    engine, clock, notes = _engine()
    for number, days in (("in-30", 30), ("in-31", 31), ("today", 0), ("expired", -1)):
        engine.add_licence(_licence(number, days), by=SYSTEM)
    assert engine.sweep_licences(by=SYSTEM) == 2
    assert _warned(notes) == [
        ("food_business|in-30", "enterprise", ENT),
        ("food_business|today", "enterprise", ENT),
    ]
    note = next(n for n in list(notes.received.values()) if n.subject == "food_business|in-30")
    assert note.data()["expires_on"] == "2026-03-31" and note.data()["lead_days"] == "30"
    # The issuing department: one digest of the page, listing both licences in expiry order.
    (digest,) = _digests(notes)
    assert (digest.role, digest.recipient) == (Role.DEPARTMENT, "SCJG")
    assert {k: digest.data()[k] for k in ("count", "first_expiry", "last_expiry", "lead_days", "swept_on")} == {
        "count": "2",
        "first_expiry": "2026-03-01",
        "last_expiry": "2026-03-31",
        "lead_days": "30",
        "swept_on": "2026-03-01",
    }
    assert digest.data()["licences"] == "food_business|today,food_business|in-30"
    # Re-running the same day sends nothing new and writes nothing.
    sent, sends = len(notes.received), notes.sends
    assert engine.sweep_licences(by=SYSTEM) == 0
    assert (len(notes.received), notes.sends) == (sent, sends)
    # The next day the 31-day licence is a month away: warned; the others are not again.
    clock.advance(days=1)
    assert engine.sweep_licences(by=SYSTEM) == 1
    new = list(notes.received.values())[sent:]
    assert {(n.kind, n.subject) for n in new} == {
        ("licence.expiring", "food_business|in-31"),
        ("licence.expiring_digest", "food_business|in-31@2026-04-01"),
    }


def test_several_lead_times_warn_once_each_and_renewal_rearms() -> None:
    engine, clock, notes = _engine(load_policy({"licences": {"lead_days": [30, 7]}}))
    engine.add_licence(_licence("L1", 20), by=SYSTEM)
    engine.add_licence(_licence("L2", 5), by=SYSTEM)  # inside 7 days: the 7-day warning only
    assert engine.sweep_licences(by=SYSTEM) == 2
    leads = {(n.subject, n.data()["lead_days"]) for n in notes.received.values() if n.role is Role.ENTERPRISE}
    assert leads == {("food_business|L1", "30"), ("food_business|L2", "7")}
    clock.advance(days=13)  # L1 now 7 days away
    assert engine.sweep_licences(by=SYSTEM) == 1
    assert engine.sweep_licences(by=SYSTEM) == 0
    # Renewing L1 for a year, then nearing its new expiry: warned again.
    engine.add_licence(_licence("L1", 378), by=SYSTEM)
    clock.advance(days=350)
    assert engine.sweep_licences(by=SYSTEM) == 1


def test_the_sweep_pages_and_audits_each_page() -> None:
    engine, _, notes = _engine(load_policy({"licences": {"page": 3}}))
    for i in range(8):
        engine.add_licence(_licence(f"N{i:02d}", i), by=SYSTEM)
    with engine.store.unit_of_work() as uow:
        before = len(uow.audit.entries())
    assert engine.sweep_licences(by=SYSTEM) == 8
    assert len(_warned(notes)) == 8
    # One digest per page and department, each licence in exactly one.
    assert [d.data()["count"] for d in _digests(notes)] == ["3", "3", "2"]
    listed = [key for d in _digests(notes) for key in d.data()["licences"].split(",")]
    assert listed == [f"food_business|N{i:02d}" for i in range(8)]
    with engine.store.unit_of_work() as uow:
        pages = [e for e in uow.audit.entries()[before:] if e.record.action == "licence.warned"]
    assert [dict(e.record.data)["count"] for e in pages] == ["3", "3", "2"]

    # Each entry names its page by its first and last licence, and binds the bundle's list.
    def day(i: int) -> str:
        return (TODAY + dt.timedelta(days=i)).isoformat()

    def lines(numbers: range) -> str:  # the bundle's list of the page
        return "\n".join(f"food_business\tN{i:02d}\t{ENT}\tSCJG\t{day(i)}" for i in numbers)

    assert [(dict(e.record.data)["first"], dict(e.record.data)["last"]) for e in pages] == [
        (f"food_business|N00@{day(0)}", f"food_business|N02@{day(2)}"),
        (f"food_business|N03@{day(3)}", f"food_business|N05@{day(5)}"),
        (f"food_business|N06@{day(6)}", f"food_business|N07@{day(7)}"),
    ]
    assert [dict(e.record.data)["lines_sha256"] for e in pages] == [
        hashlib.sha256(lines(numbers).encode()).hexdigest() for numbers in (range(3), range(3, 6), range(6, 8))
    ]
    assert all("licences" not in dict(e.record.data) for e in pages)


def test_a_late_licence_is_listed_in_its_audit_entry() -> None:
    engine, clock, _ = _engine()
    engine.add_licence(_licence("A", 20), by=SYSTEM)
    assert engine.sweep_licences(by=SYSTEM) == 1
    engine.add_licence(_licence("LATE", 10), by=SYSTEM)  # behind the 30-day cursor
    clock.advance(days=1)
    assert engine.sweep_licences(by=SYSTEM) == 1
    with engine.store.unit_of_work() as uow:
        entry = [e for e in uow.audit.entries() if e.record.action == "licence.warned"][-1]
    listed = (TODAY + dt.timedelta(days=10)).isoformat()
    assert dict(entry.record.data)["licences"] == f"food_business|LATE@{listed}"


def test_only_maintenance_sweeps_and_reference_roles_register() -> None:
    engine, _, _ = _engine()
    with pytest.raises(Forbidden):
        engine.sweep_licences(by=officer("SCJG"))
    with pytest.raises(Forbidden):
        engine.add_licence(_licence("X", 3), by=officer("SCJG"))
    with pytest.raises(NotFoundError):
        engine.add_licence(_licence("X", 3, holder=UNKNOWN), by=SYSTEM)
    with pytest.raises(NotFoundError):
        engine.add_licence(attrs.evolve(_licence("X", 3), department="NOPE"), by=SYSTEM)


def test_lead_time_policy_is_validated() -> None:
    for bad in ([0], [367], "30", [True], [1.5]):
        with pytest.raises(PolicyError):
            load_policy({"licences": {"lead_days": bad}})
    assert LicencePolicy(lead_days=[7, 30, 7]).lead_days == (30, 7)
    # No lead time: no prewarning at all.
    engine, _, _ = _engine(load_policy({"licences": {"lead_days": []}}))
    engine.add_licence(_licence("Z", 1), by=SYSTEM)
    assert engine.sweep_licences(by=SYSTEM) == 0


@settings(max_examples=60, deadline=None)
@given(
    leads=st.lists(st.integers(1, 60), min_size=1, max_size=4, unique=True),
    expiries=st.lists(st.integers(-5, 90), min_size=1, max_size=12),
    days=st.lists(st.integers(0, 3), min_size=1, max_size=8),
)
def test_each_licence_is_warned_at_most_once_per_lead_and_never_late(
    leads: list[int], expiries: list[int], days: list[int]
) -> None:
    """Sweeping on any schedule warns each licence at most once per lead time, only when
    its expiry is within that lead time, and at most once per sweep."""
    engine, clock, notes = _engine(load_policy({"licences": {"lead_days": leads}}))
    for i, day in enumerate(expiries):
        engine.add_licence(_licence(f"E{i}", day), by=SYSTEM)
    seen: set[tuple[str, str]] = set()
    for step in days:
        clock.advance(days=step)
        today = TODAY + dt.timedelta(days=(clock.now() - NOW).days)
        start = len(notes.received)
        engine.sweep_licences(by=SYSTEM)
        batch = [n for n in list(notes.received.values())[start:] if n.role is Role.ENTERPRISE]
        assert len({n.subject for n in batch}) == len(batch)  # once per sweep
        for n in batch:
            pair = (n.subject, n.data()["lead_days"])
            assert pair not in seen
            seen.add(pair)
            left = (dt.date.fromisoformat(n.data()["expires_on"]) - today).days
            assert 0 <= left <= int(n.data()["lead_days"])


def test_lead_ranges_partition_the_days_ahead() -> None:
    ranges = lead_ranges(TODAY, [7, 30, 90])
    assert [(lead, (a - TODAY).days, (b - TODAY).days) for lead, a, b in ranges] == [
        (90, 31, 90),
        (30, 8, 30),
        (7, 0, 7),
    ]


def test_licences_import_from_a_csv_with_chinese_headers(tmp_path: Path) -> None:
    engine, _, _ = _engine()
    path = tmp_path / "许可证.csv"
    path.write_text(
        "许可证种类,许可证编号,统一社会信用代码,发证部门,有效期至\n"
        f"food_business,JY-9,{ENT},SCJG,2026-03-20\n"
        f"food_business,JY-10,{ENT},SCJG,2026-13-01\n",
        encoding="utf-8",
    )
    report = import_reference(engine, path, by=SYSTEM)
    assert [a.key for a in report.applied] == ["food_business|JY-9"]
    assert [(r.row, r.field) for r in report.refused] == [(3, "expires_on")]
    assert engine.sweep_licences(by=SYSTEM) == 1


def test_checked_notifications_equal_converted_ones_and_long_keys_are_refused() -> None:
    payload = (("expires_on", "2026-03-31"), ("lead_days", "30"))
    fast = Notification.checked("k", "licence.expiring", Role.ENTERPRISE, ENT, "s", NOW, payload)
    assert fast == Notification("k", "licence.expiring", Role.ENTERPRISE, ENT, "s", NOW, dict(payload))
    # A value the fast path cannot vouch for goes through the converters, which decide.
    local = NOW.in_timezone("Asia/Shanghai")
    assert Notification.checked("k", "x", Role.ENTERPRISE, ENT, "s", local, payload).at.tzinfo is pendulum.UTC
    with pytest.raises(ValidationError):
        Notification.checked("k" * 256, "x", Role.ENTERPRISE, ENT, "s", NOW, payload)


def test_a_licence_page_is_a_sequence_of_licences_built_on_demand() -> None:
    a = Licence("food_business", "A-1", "91370600000000001N", "SCJG", dt.date(2026, 3, 2))
    b = Licence("drug_retail", "B-2", "91370600000000001N", "WSJK", dt.date(2026, 3, 5))
    page = LicencePage.of([a, b])
    assert page.rows == [
        ("food_business", "A-1", "91370600000000001N", "SCJG", dt.date(2026, 3, 2)),
        ("drug_retail", "B-2", "91370600000000001N", "WSJK", dt.date(2026, 3, 5)),
    ]
    assert len(page) == 2 and page[0] == a and page[-1] == b and page[1:] == [b]
    assert list(page) == [a, b] and page == [a, b] and page == LicencePage(list(page.rows))
    assert page != [b, a] and page != LicencePage() and LicencePage() == []
    assert page != "ab" and not bool(LicencePage()) and bool(page)
    assert "A-1" in repr(page)
    with pytest.raises(TypeError):
        hash(page)
