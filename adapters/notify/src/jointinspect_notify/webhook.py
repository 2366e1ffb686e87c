"""A signed webhook: each notification is one HTTP POST of a JSON body.

Body (UTF-8 JSON, keys sorted)::

    {"version": 1, "key": "...", "kind": "plan.filed", "role": "supervisor",
     "recipient": "judicial", "subject": "<id>", "at": "2026-03-02T01:00:00+00:00",
     "payload": {"enterprise": "...", ...},
     "message": {"lang": "zh", "short": "...", "subject": "...", "body": "..."}}

``message`` is the catalogue rendering (absent when ``lang`` is ``None``).

Headers: ``Idempotency-Key`` (the notification key: the receiver applies each key once),
``X-JointInspect-Kind``, and ``X-JointInspect-Signature: t=<unix seconds>,v1=<hex>`` where
``v1`` is HMAC-SHA256 with the shared secret over ``"<t>." + body``. A fresh ``t`` is signed
on every attempt; the receiver (`jointinspect_notify.receiver`) checks it within a window.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from jointinspect.clock import SystemClock
from jointinspect.model.notification import Notification
from jointinspect.notices import Lang, NameLookup, render
from jointinspect.ports import Clock
from jointinspect_notify._common import (
    DEFAULT_TIMEOUT,
    DeliveryStats,
    MemorySentKeys,
    RetryPolicy,
    SentKeys,
    post,
    run_with_retries,
)

SIGNATURE_HEADER = "X-JointInspect-Signature"
KEY_HEADER = "Idempotency-Key"
KIND_HEADER = "X-JointInspect-Kind"


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>." + body``."""
    return hmac.new(secret, str(timestamp).encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secret: bytes, timestamp: int, body: bytes) -> str:
    """The value of ``X-JointInspect-Signature``."""
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def encode_body(
    notification: Notification,
    lang: Lang | None = "zh",
    *,
    names: NameLookup | None = None,
    zone: str = "Asia/Shanghai",
) -> bytes:
    """The JSON body for ``notification`` (deterministic: the same bytes on every attempt)."""
    doc: dict[str, object] = {
        "version": 1,
        "key": notification.key,
        "kind": notification.kind,
        "role": notification.role.value,
        "recipient": notification.recipient,
        "subject": notification.subject,
        "at": notification.at.isoformat(),
        "payload": notification.data(),
    }
    if lang is not None:
        text = render(notification, lang, names=names, zone=zone)
        doc["message"] = {"lang": lang, "short": text.short, "subject": text.subject, "body": text.body}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


class WebhookNotifier:
    """A :class:`jointinspect.ports.Notifier` POSTing signed JSON to one URL.

    Transient failures (timeouts, connection errors, 408, 429, 5xx) are retried with
    exponential backoff and jitter, then raised as `DeliveryFailed` for the relay to retry
    later; other 4xx answers raise `DeliveryRejected` at once. A key delivered by this
    object is not posted again (``sent``); the receiver deduplicates across restarts.

    Args:
        url: the integrator's endpoint.
        secret: the shared signing secret.
        client: a ready ``httpx.Client`` (left open); by default one is made (closed by `close`).
        timeout: connect / read / write timeouts when the client is made here.
        retry: the backoff policy.
        clock: the source of the signed timestamp.
        lang: language of the ``message`` rendering, or ``None`` to leave it out.
        names: names for codes in the rendering.
        zone: time zone of the rendering.
        sent: the sent-key memory.
    """

    channel = "webhook"

    def __init__(
        self,
        url: str,
        secret: str | bytes,
        *,
        client: httpx.Client | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        lang: Lang | None = "zh",
        names: NameLookup | None = None,
        zone: str = "Asia/Shanghai",
        sent: SentKeys | None = None,
    ) -> None:
        self.url = url
        self._secret = secret.encode("utf-8") if isinstance(secret, str) else secret
        self._own = client is None
        self._client = client or httpx.Client(timeout=timeout)
        self._retry = retry or RetryPolicy()
        self._clock = clock or SystemClock()
        self._lang, self._names, self._zone = lang, names, zone
        self._sent = sent or MemorySentKeys()
        self.stats = DeliveryStats()

    def send(self, notification: Notification) -> None:
        """POST ``notification`` once per key (see the class)."""
        if self._sent.seen(notification.key):
            self.stats.duplicates += 1
            return
        body = encode_body(notification, self._lang, names=self._names, zone=self._zone)

        def attempt() -> None:
            stamp = int(self._clock.now().timestamp())
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                KEY_HEADER: notification.key,
                KIND_HEADER: notification.kind,
                SIGNATURE_HEADER: signature_header(self._secret, stamp, body),
            }
            post(self._client, self.url, body, headers, channel=self.channel, key=notification.key)

        run_with_retries(self._retry, self.stats, attempt)
        self._sent.remember(notification.key)

    def close(self) -> None:
        """Close the HTTP client if this object made it."""
        if self._own:
            self._client.close()
