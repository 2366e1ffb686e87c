"""Delivery that fails safe and pruning through the engine on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import contextlib
import itertools

import attrs
import pendulum
from jointinspect_sqlalchemy import SQLStore

from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.engine import Engine
from jointinspect.errors import DeliveryFailed
from jointinspect.model.notification import Notification
from jointinspect.model.reference import CreditClass
from jointinspect.policy.schema import DeliveryPolicy, Policy
from jointinspect.relay import CollectingNotifier
from jointinspect.requests import PlanRequest
from jointinspect.testing.city import build_city
from jointinspect.testing.contract import populate

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=3, departments=2)
CITY = attrs.evolve(CITY, enterprises=tuple(attrs.evolve(e, credit_class=CreditClass.B) for e in CITY.enterprises))


class Flaky:
    """Fails its first ``failures`` sends, then hands over to a deduplicating receiver."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls, self.receiver = failures, 0, CollectingNotifier()

    def send(self, notification: Notification) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("channel down")
        self.receiver.send(notification)


def test_a_failing_notifier_never_fails_a_committed_filing_and_nothing_is_lost(sql_store: SQLStore) -> None:
    clock = FixedClock(T0.subtract(days=21))
    counter = itertools.count()
    policy = Policy(delivery=DeliveryPolicy(backoff_seconds=10, backoff_cap_seconds=60))
    eng = Engine(
        store=sql_store, policy=policy, clock=clock, keys=MemoryKeyStore.from_seed(b"sql-delivery-test-seed-32-bytes!")
    )
    eng.ids = lambda: f"id{next(counter):04d}"
    populate(eng, CITY)
    notifier = Flaky(failures=3)
    eng.notifier = notifier
    for n, ent in enumerate(CITY.enterprises):
        start = T0.add(days=n)
        eng.file_plan(
            PlanRequest(
                ent.credit_code,
                "SCJG",
                start,
                start.add(hours=8),
                items=("SCJG-01",),
                inspectors=("SCJG-I01", "SCJG-I02"),
            ),
            by=Principal.officer("SCJG"),
        )  # never raises, though the first sends fail
    with sql_store.unit_of_work() as uow:
        waiting = [n.key for n in uow.outbox.pending(1000)]
        assert waiting and uow.outbox.attempts(waiting[0]) >= 1
    for _ in range(20):
        with sql_store.unit_of_work() as uow:
            if not uow.outbox.pending(1000):
                break
        clock.advance(seconds=60)
        with contextlib.suppress(DeliveryFailed):
            eng.deliver_notifications(by=Principal.system())
    with sql_store.unit_of_work() as uow:
        assert uow.outbox.pending(1000) == []
    assert set(waiting) <= set(notifier.receiver.received)
    assert notifier.receiver.sends == len(notifier.receiver.received)  # nothing delivered twice
    clock.advance(days=200)
    report = eng.prune(by=Principal.system())
    assert report.outbox == len(notifier.receiver.received)
    assert eng.deliver_notifications(by=Principal.system()) == 0
