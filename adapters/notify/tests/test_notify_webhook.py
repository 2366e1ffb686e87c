"""The webhook notifier against a real HTTP server on loopback, and the receiver helper."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jointinspect_notify import RetryPolicy, WebhookNotifier, WebhookReceiver
from jointinspect_notify.webhook import encode_body, signature_header
from notify_servers import SECRET, T0, HttpServer, verifying

from jointinspect.clock import FixedClock
from jointinspect.errors import DeliveryFailed, DeliveryRejected, WebhookRejected
from jointinspect.model.notification import Notification, Role

FAST = httpx.Timeout(connect=1.0, read=0.3, write=1.0, pool=1.0)


def note(key: str = "plan.filed:P1:supervisor:judicial") -> Notification:
    return Notification(
        key,
        "plan.filed",
        Role.SUPERVISOR,
        "judicial",
        "P1",
        T0,
        {"enterprise": "E1", "department": "SCJG", "kind": "routine", "start": "2026-03-10T01:00:00+00:00"},
    )


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def notifier(server: HttpServer, clock: FixedClock, sleeps: Sleeps, attempts: int = 4) -> WebhookNotifier:
    policy = RetryPolicy(attempts=attempts, initial=0.5, maximum=8.0, jitter=0.25, sleep=sleeps)
    return WebhookNotifier(server.url, SECRET, timeout=FAST, retry=policy, clock=clock)


def test_delivers_a_signed_body_with_the_key(http_server: HttpServer, clock: FixedClock) -> None:
    server = verifying(http_server, clock)
    hook = notifier(server, clock, Sleeps())
    hook.send(note())
    hook.close()
    assert server.accepted == [note().key]
    hit = server.hits[0]
    assert hit.headers["Idempotency-Key"] == note().key
    assert hit.headers["X-JointInspect-Kind"] == "plan.filed"
    stamp = int(T0.timestamp())
    expected = hmac.new(SECRET.encode(), f"{stamp}.".encode() + hit.body, hashlib.sha256).hexdigest()
    assert hit.headers["X-JointInspect-Signature"] == f"t={stamp},v1={expected}"
    doc = hit.json()
    assert set(doc) == {"version", "key", "kind", "role", "recipient", "subject", "at", "payload", "message"}
    assert doc["payload"]["department"] == "SCJG" and doc["role"] == "supervisor"
    assert doc["message"]["lang"] == "zh" and "2026-03-10 09:00" in doc["message"]["short"]
    assert hook.stats.sent == 1 and hook.stats.retried == 0


def test_500_then_200_is_retried_with_growing_jittered_waits(http_server: HttpServer, clock: FixedClock) -> None:
    http_server.script = ["500", "500", "ok"]
    sleeps = Sleeps()
    hook = notifier(verifying(http_server, clock), clock, sleeps)
    hook.send(note())
    assert http_server.accepted == [note().key] and len(http_server.hits) == 3
    assert hook.stats.retried == 2 and hook.stats.sent == 1
    assert len(sleeps) == 2
    for n, wait in enumerate(sleeps):
        assert 0.5 * 2**n <= wait <= 0.5 * 2**n + 0.25


def test_a_timeout_is_retried_and_the_receiver_absorbs_the_duplicate(
    http_server: HttpServer, clock: FixedClock
) -> None:
    # The first request is processed but answered after the read timeout: the sender retries,
    # the receiver sees the key again and acknowledges without applying it twice.
    http_server.script = ["slow"]
    hook = notifier(verifying(http_server, clock), clock, Sleeps())
    hook.send(note())
    assert http_server.accepted == [note().key]
    assert http_server.absorbed == 1 and hook.stats.retried == 1


def test_429_and_dropped_connections_are_transient(http_server: HttpServer, clock: FixedClock) -> None:
    http_server.script = ["429", "drop", "ok"]
    hook = notifier(http_server, clock, Sleeps())
    hook.send(note())
    assert len(http_server.hits) == 3 and hook.stats.retried == 2


def test_permanent_errors_are_not_retried(http_server: HttpServer, clock: FixedClock) -> None:
    http_server.script = ["400"]
    hook = notifier(http_server, clock, Sleeps())
    with pytest.raises(DeliveryRejected) as caught:
        hook.send(note())
    assert caught.value.code == "notify.rejected" and not caught.value.retryable
    assert len(http_server.hits) == 1 and hook.stats.rejected == 1 and hook.stats.retried == 0


def test_exhausted_retries_raise_a_retryable_error(http_server: HttpServer, clock: FixedClock) -> None:
    http_server.script = ["500"] * 3
    hook = notifier(http_server, clock, Sleeps(), attempts=3)
    with pytest.raises(DeliveryFailed) as caught:
        hook.send(note())
    assert caught.value.retryable and caught.value.code == "notify.failed"
    assert len(http_server.hits) == 3 and hook.stats.failed == 1
    hook.send(note())  # the relay's next round
    assert len(http_server.hits) == 4 and hook.stats.sent == 1


def test_nothing_listening_is_transient(clock: FixedClock) -> None:
    hook = WebhookNotifier(
        "http://127.0.0.1:9/hook", SECRET, timeout=FAST, retry=RetryPolicy(attempts=2, sleep=Sleeps()), clock=clock
    )
    with pytest.raises(DeliveryFailed):
        hook.send(note())


def test_a_delivered_key_is_not_posted_again(http_server: HttpServer, clock: FixedClock) -> None:
    hook = notifier(http_server, clock, Sleeps())
    hook.send(note())
    hook.send(note())
    assert len(http_server.hits) == 1 and hook.stats.duplicates == 1


# ---------------------------------------------------------------- receiver


def signed(body: bytes, at: pendulum.DateTime, secret: str = SECRET, key: str | None = None) -> dict[str, str]:
    return {
        "X-JointInspect-Signature": signature_header(secret.encode(), int(at.timestamp()), body),
        "idempotency-key": key or json.loads(body)["key"],
    }


def test_receiver_accepts_once_and_refuses_replays(clock: FixedClock) -> None:
    receiver = WebhookReceiver(SECRET, clock=clock)
    body = encode_body(note(), None)
    assert receiver.verify(body, signed(body, T0))["kind"] == "plan.filed"
    with pytest.raises(WebhookRejected) as caught:
        receiver.verify(body, signed(body, T0))
    assert caught.value.code == "webhook.replayed"


@pytest.mark.parametrize(
    "case",
    ["wrong secret", "tampered body", "stale", "future", "no header", "other key", "garbled"],
)
def test_receiver_refuses_forgeries(clock: FixedClock, case: str) -> None:
    receiver = WebhookReceiver(SECRET, clock=clock, tolerance=300)
    body = encode_body(note(), None)
    headers = signed(body, T0)
    expected = "webhook.signature_invalid"
    if case == "wrong secret":
        headers = signed(body, T0, secret="other")
    elif case == "tampered body":
        body = body.replace(b"SCJG", b"XFJY")
    elif case == "stale":
        headers, expected = signed(body, T0.subtract(seconds=301)), "webhook.stale"
    elif case == "future":
        headers, expected = signed(body, T0.add(seconds=301)), "webhook.stale"
    elif case == "no header":
        headers = {"Idempotency-Key": note().key}
    elif case == "other key":
        headers = signed(body, T0, key="someone-else")
    elif case == "garbled":
        headers["X-JointInspect-Signature"] = "t=abc,v1="
    with pytest.raises(WebhookRejected) as caught:
        receiver.verify(body, headers)
    assert caught.value.code == expected
    # A refused request consumed nothing: the genuine one still goes through.
    genuine = encode_body(note(), None)
    assert receiver.verify(genuine, signed(genuine, T0))["key"] == note().key


def test_receiver_accepts_any_secret_during_rotation(clock: FixedClock) -> None:
    receiver = WebhookReceiver(["new-secret", SECRET], clock=clock)
    body = encode_body(note(), None)
    assert receiver.verify(body, signed(body, T0.subtract(seconds=299)))["key"] == note().key


@given(st.binary(min_size=1, max_size=200), st.integers(min_value=0), st.integers(min_value=1, max_value=255))
def test_any_changed_byte_breaks_the_signature(payload: bytes, where: int, flip: int) -> None:
    at = T0
    body = json.dumps({"key": "k", "blob": payload.hex()}).encode()
    headers = signed(body, at)
    index = where % len(body)
    tampered = body[:index] + bytes([body[index] ^ flip]) + body[index + 1 :]
    receiver = WebhookReceiver(SECRET, clock=FixedClock(at))
    with pytest.raises(WebhookRejected) as caught:
        receiver.verify(tampered, headers)
    assert caught.value.code == "webhook.signature_invalid"
    assert receiver.verify(body, headers)["key"] == "k"
