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
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.errors import ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.licence import Licence
from jointinspect.model.notification import Notification, Role
from jointinspect.notices import expand, expand_all
from jointinspect.policy import preset
from jointinspect.policy.schema import Policy
from jointinspect.policy.seeds import LicencePolicy
from jointinspect.ports import Store
from jointinspect.relay import DeliveryReport, SendTimeout, deliver_pending, relay
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


# --- failures and bundles as stored ----------------------------------------------------------

PLAIN = Notification("plain:1", "plan.approved", Role.DEPARTMENT, DEPARTMENTS[0], "P1", NOW)
LATER = NOW.add(hours=1)


def _backoff(failures: int) -> pendulum.Duration:
    return pendulum.duration(minutes=failures)


class Failing(Recorder):
    """Fails its ``at``-th send (1-based) with ``error``; blocks on it instead when given
    an event to wait for (the timeout path)."""

    def __init__(self, at: int, error: Exception | None = None, block: threading.Event | None = None) -> None:
        super().__init__()
        self.at, self.error, self.block, self.calls = at, error, block, 0

    def send(self, notification: Notification) -> None:
        """Record ``notification``, except the ``at``-th one."""
        self.calls += 1
        if self.calls == self.at:
            if self.block is not None:
                self.block.wait()
                return
            assert self.error is not None
            raise self.error
        super().send(notification)


def _queued(page: int) -> tuple[MemoryStore, list[Notification], list[Notification]]:
    """A store holding a plain notification, then a swept city's bundles; the bundles (as
    stored) and what the per-licence queueing gave."""
    store = MemoryStore()
    with store.unit_of_work() as uow:
        uow.outbox.add(PLAIN)
        uow.commit()
    _swept(store, LICENCES, _policy(LEADS, page), None, auto=False)
    with store.unit_of_work() as uow:
        rows = uow.outbox.pending(1000)
    assert rows[0] == PLAIN
    return store, rows[1:], _per_licence(LICENCES, LEADS, page)


def _pending(store: Store, now: pendulum.DateTime | None = None) -> list[str]:
    with store.unit_of_work() as uow:
        return [n.key for n in uow.outbox.pending(1000, now)]


def test_the_outbox_holds_one_bundle_per_page_and_the_listing_shows_them_as_stored() -> None:
    store, bundles, expected = _queued(6)
    # 22 licences due in 8 to 30 days, 8 within 7 days (`_licences`): 4 + 2 pages of 6.
    assert [b.kind for b in bundles] == ["licence.expiring_page"] * 6
    assert [b.data()["lead_days"] for b in bundles] == ["30"] * 4 + ["7"] * 2
    assert expand(PLAIN) is None and expand_all([PLAIN, *bundles]) == [PLAIN, *expected]
    engine = _engine(store, _policy(LEADS, 6), None, auto=False)
    listed = engine.pending_notifications(by=SYSTEM, limit=100)
    assert listed == [PLAIN, *bundles]
    # Sweeping the same day again queues nothing new.
    assert engine.sweep_licences(by=SYSTEM) == 0
    assert _pending(store) == [PLAIN.key, *(b.key for b in bundles)]


def test_a_send_failing_inside_a_bundle_leaves_it_pending_and_it_is_sent_whole_again() -> None:
    store, bundles, expected = _queued(20)
    first, second = bundles[0], bundles[1]
    members = expand(first)
    assert members is not None and len(members) > 4
    failing = Failing(at=1 + 4, error=RuntimeError("channel down"))  # the plain one, 3 members, then fails
    report = relay(store, failing, now=NOW, backoff=_backoff)
    assert (report.delivered, report.failed_key, report.retry_at) == (1, first.key, NOW.add(minutes=1))
    assert isinstance(report.error, RuntimeError)
    assert failing.sent == [PLAIN, *members[:3]]
    assert _pending(store) == [b.key for b in bundles]
    assert _pending(store, NOW) == [b.key for b in bundles[1:]]  # the failed one is deferred
    assert _pending(store, LATER) == [b.key for b in bundles]
    with store.unit_of_work() as uow:
        assert uow.outbox.attempts(first.key) == 1 and uow.outbox.attempts(second.key) == 0
    # Once due again, the bundle is sent whole (its first three members a second time).
    notes = Recorder()
    report = relay(store, notes, now=LATER, backoff=_backoff)
    assert report == DeliveryReport(len(expected))
    assert notes.sent == expected and _pending(store) == []
    # What the notifiers hold, deduplicated by key, is what per-licence queueing delivered.
    received = {n.key: n for n in [*failing.sent, *notes.sent]}
    assert list(received.values()) == [PLAIN, *expected]


def test_the_plain_loop_propagates_the_failure_and_keeps_the_bundle() -> None:
    store, bundles, expected = _queued(20)
    failing = Failing(at=1 + 7, error=ConnectionError("down"))
    with pytest.raises(ConnectionError):
        deliver_pending(store, failing, batch=3)
    assert _pending(store) == [b.key for b in bundles]
    notes = Recorder()
    assert deliver_pending(store, notes, batch=3) == len(expected)
    assert notes.sent == expected


def test_a_send_past_the_timeout_inside_a_bundle_leaves_it_pending() -> None:
    store, bundles, expected = _queued(20)
    release = threading.Event()
    slow = Failing(at=1 + 2, block=release)
    try:
        report = relay(store, slow, now=NOW, backoff=_backoff, timeout=1.0)
    finally:
        release.set()
    assert isinstance(report.error, SendTimeout)
    assert (report.delivered, report.failed_key) == (1, bundles[0].key)
    assert _pending(store) == [b.key for b in bundles]
    notes = Recorder()
    assert relay(store, notes, now=LATER, backoff=_backoff, timeout=1.0) == DeliveryReport(len(expected))
    assert notes.sent == expected


def test_a_bundle_that_cannot_be_expanded_fails_like_a_send() -> None:
    _, bundles, _ = _queued(20)
    damaged = attrs.evolve(bundles[0], key="licence.expiring_page:damaged", payload={"lead_days": "30"})
    with pytest.raises(ValidationError) as caught:
        expand(damaged)
    assert caught.value.code == "input.invalid"
    broken = MemoryStore()
    with broken.unit_of_work() as uow:
        uow.outbox.add_many([PLAIN, damaged, bundles[1]])
        uow.commit()
    notes = Recorder()
    report = relay(broken, notes, now=NOW, backoff=_backoff)
    assert (report.delivered, report.failed_key) == (1, damaged.key)
    assert isinstance(report.error, ValidationError)
    # Deferred, it no longer holds back the row after it.
    assert relay(broken, notes, now=NOW, backoff=_backoff) == DeliveryReport(len(expand(bundles[1]) or []))
    assert _pending(broken) == [damaged.key]
    with pytest.raises(ValidationError):
        deliver_pending(broken, notes)


def test_the_command_line_lists_bundles_as_stored_and_delivers_them_expanded(tmp_path: Path) -> None:
    from jointinspect_sqlalchemy import SQLStore  # the adapter is optional

    url = f"sqlite:///{tmp_path / 'city.db'}"
    sql = SQLStore(url, create=True)
    try:
        _swept(sql, LICENCES, _policy(LEADS, 10), None, auto=False)
    finally:
        sql.close()
    expected = _per_licence(LICENCES, LEADS, 10)

    def cli(*args: str) -> dict[str, Any]:
        env = {**os.environ, "JOINTINSPECT_STORE": url}
        done = subprocess.run(
            [sys.executable, "-m", "jointinspect.cli", "--json", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    listed = cli("list", "notifications", "--limit", "100")["items"]
    assert [item["kind"] for item in listed] == ["licence.expiring_page"] * 4  # 22 + 8 due, pages of 10
    assert cli("deliver", "--to", "outbox.jsonl", "--batch", "7") == {"delivered": len(expected)}
    lines = [json.loads(line) for line in (tmp_path / "outbox.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(d["key"], d["kind"], d["role"], d["recipient"]) for d in lines] == [
        (n.key, n.kind, n.role.value, n.recipient) for n in expected
    ]
    assert [dict(d["payload"]) for d in lines] == [n.data() for n in expected]
    assert cli("list", "notifications")["items"] == []
