"""Notification stream: idempotent producer, redelivery after a timeout, effects once."""

from __future__ import annotations

import time

import pendulum
import pytest
from jointinspect_redis import RedisStreamNotifier, StreamConsumer
from redis_support import unique_prefix

from jointinspect.model.notification import Notification
from jointinspect.testing.ledger import T0

IDLE = pendulum.duration(milliseconds=100)


def note(key: str) -> Notification:
    return Notification(
        key=key,
        kind="frequency.warning",
        role="supervisor",
        recipient="justice-bureau",
        subject="超频次预警 over-frequency",
        at=T0,
        payload={"enterprise": "91340200MA2NBQ4X1K"},
    )


def test_same_key_is_published_once_and_round_trips(any_client) -> None:
    prefix = unique_prefix()
    notifier = RedisStreamNotifier(any_client, prefix=prefix)
    assert notifier.publish(note("n1")) is not None
    notifier.send(note("n1"))
    assert notifier.publish(note("n1")) is None
    assert any_client.xlen(notifier.stream) == 1
    seen: list[Notification] = []
    consumer = StreamConsumer(any_client, "sms", "c1", prefix=prefix)
    assert consumer.run_once(seen.append) == 1
    assert seen == [note("n1")]
    assert consumer.pending() == 0


def test_unacknowledged_message_is_redelivered_after_the_idle_timeout(any_client) -> None:
    prefix = unique_prefix()
    notifier = RedisStreamNotifier(any_client, prefix=prefix)
    notifier.send(note("n1"))
    notifier.send(note("n2"))
    effects: list[str] = []

    def failing(n: Notification) -> None:
        raise RuntimeError("SMS gateway down")

    first = StreamConsumer(any_client, "sms", "c1", prefix=prefix, claim_idle=IDLE)
    with pytest.raises(RuntimeError):
        first.run_once(failing)
    assert first.pending() == 2  # nothing acknowledged
    second = StreamConsumer(any_client, "sms", "c2", prefix=prefix, claim_idle=IDLE)
    assert second.run_once(lambda n: effects.append(n.key)) == 0  # not idle long enough yet
    time.sleep(IDLE.total_seconds() * 1.5)
    assert second.run_once(lambda n: effects.append(n.key)) == 2
    assert sorted(effects) == ["n1", "n2"]
    assert second.pending() == 0
    assert second.run_once(lambda n: effects.append(n.key)) == 0


def test_crashed_consumer_messages_are_claimed_and_handled_once(any_client) -> None:
    prefix = unique_prefix()
    notifier = RedisStreamNotifier(any_client, prefix=prefix)
    notifier.send(note("n1"))
    crashed = StreamConsumer(any_client, "sms", "c1", prefix=prefix, claim_idle=IDLE)
    # A consumer that read and died: the entry is delivered to it, never acknowledged.
    crashed._ensure_group()
    any_client.xreadgroup("sms", "c1", {notifier.stream: ">"}, count=10)
    assert crashed.pending() == 1
    effects: list[str] = []
    survivor = StreamConsumer(any_client, "sms", "c2", prefix=prefix, claim_idle=IDLE)
    time.sleep(IDLE.total_seconds() * 1.5)
    assert survivor.run_once(lambda n: effects.append(n.key)) == 1
    assert effects == ["n1"] and survivor.pending() == 0


def test_duplicate_entries_with_one_key_have_one_effect(any_client) -> None:
    prefix = unique_prefix()
    notifier = RedisStreamNotifier(any_client, prefix=prefix)
    notifier.send(note("n1"))
    # The producer marker expired (or another producer bypassed it): the same key twice.
    any_client.delete(f"{prefix}:{{notifications}}:sent:n1")
    notifier.send(note("n1"))
    assert any_client.xlen(notifier.stream) == 2
    effects: list[str] = []
    consumers = [StreamConsumer(any_client, "sms", f"c{i}", prefix=prefix) for i in range(2)]
    handled = sum(c.run_once(lambda n: effects.append(n.key)) for c in consumers)
    assert handled == 1 and effects == ["n1"]
    assert consumers[0].pending() == 0  # the duplicate was acknowledged, not left behind


def test_separate_groups_each_get_every_message(any_client) -> None:
    prefix = unique_prefix()
    notifier = RedisStreamNotifier(any_client, prefix=prefix)
    sms: list[str] = []
    mail: list[str] = []
    a = StreamConsumer(any_client, "sms", "c1", prefix=prefix)
    b = StreamConsumer(any_client, "mail", "c1", prefix=prefix)
    notifier.send(note("n1"))
    assert a.run_once(lambda n: sms.append(n.key)) == 1
    assert b.run_once(lambda n: mail.append(n.key)) == 1
    assert sms == mail == ["n1"]
