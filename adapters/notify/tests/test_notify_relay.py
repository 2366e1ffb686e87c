"""Through the outbox relay: an engine's notifications reach a deduplicating receiver, none lost
and none applied twice, while the server fails, times out and the sending process restarts.

Run with ``-s`` to see the delivery figures."""

from __future__ import annotations

import itertools
from collections import Counter

import attrs
import httpx
import pendulum
from jointinspect_notify import (
    DeadLetters,
    DingTalkRobot,
    EmailNotifier,
    RetryPolicy,
    RoutingNotifier,
    WebhookNotifier,
    WeComRobot,
    load_routing,
)
from notify_servers import SECRET, T0, HttpServer, Mailbox, verifying

from jointinspect.clock import FixedClock
from jointinspect.errors import DeliveryFailed
from jointinspect.memory import MemoryStore
from jointinspect.model.notification import Notification
from jointinspect.model.reference import CreditClass
from jointinspect.notices import names_from_store
from jointinspect.policy.schema import DeliveryPolicy, Policy
from jointinspect.ports import Notifier
from jointinspect.requests import PlanRequest
from jointinspect.service import Engine
from jointinspect.testing import principals
from jointinspect.testing.city import build_city
from jointinspect.testing.contract import populate

CITY = build_city(enterprises=8, departments=3)
CITY = attrs.evolve(CITY, enterprises=tuple(attrs.evolve(e, credit_class=CreditClass.B) for e in CITY.enterprises))
FAST = httpx.Timeout(connect=1.0, read=0.3, write=1.0, pool=1.0)


def busy_engine(clock: FixedClock) -> Engine:
    """An engine whose outbox holds the notifications of 24 filings (filed, joint visits...)."""
    counter = itertools.count()
    # Retry a failed notification at once: these tests drive the relay in a loop on a fixed
    # clock (the relay's backoff is tested in tests/test_durability.py).
    at_once = Policy(delivery=DeliveryPolicy(backoff_seconds=0, backoff_cap_seconds=0))
    engine = Engine(
        store=MemoryStore(), policy=at_once, clock=clock, ids=lambda: f"id{next(counter):04d}", auto_deliver=False
    )
    populate(engine, CITY)
    clock.set(T0.subtract(days=21))
    for n, (ent, dept) in enumerate(itertools.product(CITY.enterprises, CITY.departments)):
        start = T0 + pendulum.duration(hours=n % 3)  # overlapping windows: one joint visit (issue 8)
        engine.file_plan(
            PlanRequest(
                ent.credit_code,
                dept.code,
                start,
                start + pendulum.duration(hours=8),
                items=(f"{dept.code}-01",),
                inspectors=(f"{dept.code}-I01", f"{dept.code}-I02"),
            ),
            by=principals.officer(dept.code),
        )
    clock.set(T0)
    return engine


def outbox(engine: Engine) -> list[Notification]:
    with engine.store.unit_of_work() as uow:
        return uow.outbox.pending(1_000_000)


class CrashAfterSend:
    """Sends, then 'crashes' before the relay marks every ``every``-th notification delivered."""

    def __init__(self, inner: Notifier, every: int) -> None:
        self.inner, self.every, self.count = inner, every, 0

    def send(self, notification: Notification) -> None:
        self.inner.send(notification)
        self.count += 1
        if self.count % self.every == 0:
            raise RuntimeError("process died before marking delivered")


def relay_until_empty(engine: Engine, rounds: int = 500) -> int:
    """Call the relay until the outbox is empty; return how many calls raised."""
    raised = 0
    for _ in range(rounds):
        if not outbox(engine):
            return raised
        try:
            engine.deliver_notifications(batch=10, by=principals.SYSTEM)
        except (DeliveryFailed, RuntimeError):
            raised += 1
    raise AssertionError("the outbox never drained")


def test_webhook_through_the_relay_loses_nothing_and_applies_nothing_twice(
    http_server: HttpServer, clock: FixedClock
) -> None:
    engine = busy_engine(clock)
    expected = {n.key for n in outbox(engine)}
    server = verifying(http_server, clock)
    # Failures of every kind, then a 400 that only dead-letters can settle.
    server.script = ["500", "ok", "slow", "drop", "429", "ok", "500", "500", "500", "ok"] * 3 + ["400"]

    def webhook() -> WebhookNotifier:
        retry = RetryPolicy(attempts=2, sleep=lambda _: None)
        return WebhookNotifier(server.url, SECRET, timeout=FAST, retry=retry, clock=clock, names=names)

    names = names_from_store(engine.store)
    hooks = [webhook()]
    dead = DeadLetters(CrashAfterSend(hooks[0], every=9))
    engine.notifier = dead
    raised = relay_until_empty(engine, rounds=40)
    # The process 'restarts': a fresh notifier without memory re-sends what was not marked.
    hooks.append(webhook())
    engine.notifier = DeadLetters(hooks[1])
    raised += relay_until_empty(engine)

    accepted = Counter(server.accepted)
    settled = {n.key for n, _ in dead.rejected} | {n.key for n, _ in engine.notifier.rejected}  # type: ignore[attr-defined]
    assert set(accepted) | settled == expected  # nothing lost
    assert not set(accepted) & settled
    assert max(accepted.values()) == 1  # nothing applied twice
    assert len(settled) == 1 and server.refused == 0
    sent = sum(h.stats.sent for h in hooks)
    retried = sum(h.stats.retried for h in hooks)
    print(
        f"\nwebhook via relay: notifications={len(expected)} applied={len(accepted)} posts={len(server.hits)}"
        f" sent={sent} retried={retried} gave-up-to-relay={sum(h.stats.failed for h in hooks)}"
        f" relay-rounds-raised={raised} failed-permanently={len(settled)}"
        f" duplicates-absorbed-by-receiver={server.absorbed}"
        f" duplicates-absorbed-by-notifier={sum(h.stats.duplicates for h in hooks)}"
    )
    assert server.absorbed >= 1  # the slow answer and the crashes forced re-sends


def test_routed_channels_through_the_relay(http_server: HttpServer, smtp_server: Mailbox, clock: FixedClock) -> None:
    engine = busy_engine(clock)
    notes = outbox(engine)
    http_server.answer = lambda hit: {"errcode": 0, "errmsg": "ok"}
    http_server.script = ["500", "ok", "ok", "500", "500"] * 4
    smtp_server.script = ["451", "ok", "451", "451"]
    retry = RetryPolicy(attempts=2, sleep=lambda _: None)
    names = names_from_store(engine.store)
    wecom = WeComRobot(http_server.url + "?key=w", retry=retry, names=names, timeout=FAST)
    ding = DingTalkRobot(http_server.url + "?access_token=d", secret="SECx", clock=clock, retry=retry, timeout=FAST)
    mail = EmailNotifier(
        smtp_server.host,
        smtp_server.port,
        sender="notice@city.example",
        recipients=lambda role, who: [f"{role.value}.{who}@city.example".lower()],
        starttls=False,
        retry=retry,
        names=names,
    )
    config = load_routing(
        {
            "fallback": ["email"],
            "routes": [
                {"kinds": ["plan.filed"], "roles": ["supervisor"], "channels": ["wecom", "email"]},
                {"kinds": ["inspection.*"], "channels": ["dingtalk"]},
            ],
        }
    )
    engine.notifier = RoutingNotifier(config, {"wecom": wecom, "dingtalk": ding, "email": mail})
    raised = relay_until_empty(engine)

    def expected_on(channel: str) -> set[str]:
        return {n.key for n in notes if channel in config.route_for(n).channels}

    mailed = Counter(m.split(b"X-JointInspect-Key: ", 1)[1].split(b"\r\n", 1)[0].decode() for m in smtp_server.messages)
    assert set(mailed) == expected_on("email") and max(mailed.values()) == 1
    assert wecom.stats.sent == len(expected_on("wecom")) and ding.stats.sent == len(expected_on("dingtalk"))
    # Every post was a delivery, a failure followed by a retry, or a failure left to the relay.
    robots = (wecom.stats, ding.stats)
    assert len(http_server.hits) == sum(r.sent + r.retried + r.failed for r in robots)
    print(
        f"\nrouted via relay: notifications={len(notes)} email={mail.stats.sent} wecom={wecom.stats.sent}"
        f" dingtalk={ding.stats.sent} retried={mail.stats.retried + wecom.stats.retried + ding.stats.retried}"
        f" gave-up-to-relay={mail.stats.failed + wecom.stats.failed + ding.stats.failed} relay-rounds-raised={raised}"
        f" duplicates-absorbed-by-notifiers={mail.stats.duplicates + wecom.stats.duplicates + ding.stats.duplicates}"
    )
