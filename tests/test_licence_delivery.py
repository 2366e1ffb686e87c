"""What the licence sweep's notifications look like to the notifier (issue 12).

The reference is the per-licence queueing the sweep did before it queued one bundle per
page: per page, one ``licence.expiring`` per licence to its holder, then one
``licence.expiring_digest`` per issuing department. `_per_licence` rebuilds exactly that
from the licences, the lead times and the page size; the notifier fed by the relay must
receive exactly those notifications (keys, kinds, roles, recipients, subjects, instants,
payloads), in that order, whatever the outbox stores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.memory import MemoryStore
from jointinspect.model.licence import Licence
from jointinspect.model.notification import Notification, Role
from jointinspect.policy import preset
from jointinspect.policy.schema import Policy
from jointinspect.policy.seeds import LicencePolicy
from jointinspect.ports import Store
from jointinspect.relay import deliver_pending
from jointinspect.rules.licences import lead_ranges
from jointinspect.sample import build_city, populate
from jointinspect.testing.principals import SYSTEM

# 02:00 in Yantai (UTC+8) on 1 March 2026: the local day is 1 March.
NOW = pendulum.datetime(2026, 2, 28, 18, tz="UTC")
TODAY = dt.date(2026, 3, 1)
CITY = build_city(enterprises=4, departments=3)
DEPARTMENTS = [d.code for d in CITY.departments]
HOLDERS = [e.credit_code for e in CITY.enterprises]
KINDS = ("food_business", "drug_retail", "public_hygiene")


class Recorder:
    """A notifier that records every send, in order (re-sends included)."""

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def send(self, notification: Notification) -> None:
        """Record ``notification``."""
        self.sent.append(notification)


def _policy(leads: tuple[int, ...], page: int) -> Policy:
    return attrs.evolve(preset("yantai"), licences=LicencePolicy(lead_days=leads, page=page))


def _licences(count: int) -> list[Licence]:
    """``count`` licences spread over kinds, holders, departments and 0..40 days ahead."""
    return [
        Licence(
            KINDS[i % 3],
            f"L{i:03d}",
            HOLDERS[i % len(HOLDERS)],
            DEPARTMENTS[(i * 7) % len(DEPARTMENTS)],
            TODAY + dt.timedelta(days=(i * 13) % 41),
        )
        for i in range(count)
    ]


def _per_licence(licences: list[Licence], leads: tuple[int, ...], page: int) -> list[Notification]:
    """The notifications the per-licence queueing of a first sweep today gives, in order."""
    out: list[Notification] = []
    for lead, first, last in lead_ranges(TODAY, leads):
        due = sorted(
            (lic for lic in licences if first <= lic.expires_on <= last),
            key=lambda lic: (lic.expires_on, lic.kind, lic.number),
        )
        for start in range(0, len(due), page):
            by_department: dict[str, list[Licence]] = {}
            for lic in due[start : start + page]:
                expires = lic.expires_on.isoformat()
                out.append(
                    Notification(
                        f"licence.expiring:{lic.key}:{expires}:{lead}:enterprise",
                        "licence.expiring",
                        Role.ENTERPRISE,
                        lic.holder,
                        lic.key,
                        NOW,
                        {
                            "holder": lic.holder,
                            "department": lic.department,
                            "licence_kind": lic.kind,
                            "number": lic.number,
                            "expires_on": expires,
                            "lead_days": str(lead),
                        },
                    )
                )
                by_department.setdefault(lic.department, []).append(lic)
            for department, members in by_department.items():
                head = f"{members[0].key}@{members[0].expires_on.isoformat()}"
                out.append(
                    Notification(
                        f"licence.expiring_digest:{department}:{lead}:{head}",
                        "licence.expiring_digest",
                        Role.DEPARTMENT,
                        department,
                        head,
                        NOW,
                        {
                            "department": department,
                            "count": str(len(members)),
                            "first_expiry": members[0].expires_on.isoformat(),
                            "last_expiry": members[-1].expires_on.isoformat(),
                            "lead_days": str(lead),
                            "swept_on": TODAY.isoformat(),
                            "licences": ",".join(lic.key for lic in members),
                        },
                    )
                )
    return out


def _engine(store: Store, policy: Policy, notifier: Recorder | None, *, auto: bool) -> Engine:
    engine = Engine(store=store, policy=policy, clock=FixedClock(NOW), notifier=notifier, auto_deliver=auto)
    populate(engine, CITY)
    return engine


def _swept(store: Store, licences: list[Licence], policy: Policy, notifier: Recorder | None, auto: bool) -> Engine:
    engine = _engine(store, policy, notifier, auto=auto)
    for lic in licences:
        engine.add_licence(lic, by=SYSTEM)
    if notifier is not None:
        notifier.sent.clear()  # what the reference data's operations queued is not the sweep's
    assert engine.sweep_licences(by=SYSTEM) == len(
        [lic for lic in licences if 0 <= (lic.expires_on - TODAY).days <= max(policy.licences.lead_days)]
    )
    return engine


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    from jointinspect_sqlalchemy import SQLStore  # the adapter is optional

    sql = SQLStore(f"sqlite:///{tmp_path / 'licences.db'}", create=True)
    try:
        yield sql
    finally:
        sql.close()


LICENCES = _licences(40)
LEADS = (30, 7)


def test_the_relay_after_each_page_delivers_what_per_licence_queueing_did(store: Store) -> None:
    notes = Recorder()
    _swept(store, LICENCES, _policy(LEADS, 4), notes, auto=True)
    expected = _per_licence(LICENCES, LEADS, 4)
    assert len({n.recipient for n in expected if n.role is Role.DEPARTMENT}) == 3  # several departments
    assert {n.data()["lead_days"] for n in expected} == {"30", "7"}  # both lead times
    assert notes.sent == expected


def test_delivering_later_in_small_batches_gives_the_same_notifications(store: Store) -> None:
    _swept(store, LICENCES, _policy(LEADS, 5), None, auto=False)
    notes = Recorder()
    assert deliver_pending(store, notes, batch=2) == len(notes.sent)
    assert notes.sent == _per_licence(LICENCES, LEADS, 5)
    # Nothing left: a second pass sends nothing.
    assert deliver_pending(store, notes) == 0


def test_the_engine_delivery_gives_the_same_notifications(store: Store) -> None:
    engine = _swept(store, LICENCES, _policy(LEADS, 7), None, auto=False)
    notes = Recorder()
    delivered = attrs.evolve(engine, notifier=notes).deliver_notifications(3, by=SYSTEM)
    assert notes.sent == _per_licence(LICENCES, LEADS, 7)
    assert delivered == len(notes.sent)


@settings(max_examples=30, deadline=None)
@given(
    leads=st.lists(st.integers(1, 45), min_size=1, max_size=3, unique=True),
    count=st.integers(1, 30),
    page=st.integers(1, 8),
)
def test_any_city_is_delivered_as_per_licence_queueing_did(leads: list[int], count: int, page: int) -> None:
    notes = Recorder()
    policy = _policy(tuple(leads), page)
    _swept(MemoryStore(), _licences(count), policy, notes, auto=True)
    assert notes.sent == _per_licence(_licences(count), policy.licences.lead_days, page)
