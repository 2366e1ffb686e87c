"""The integrator's side of the webhook: verify the signature, the timestamp and the key.

Use it in any web framework::

    receiver = WebhookReceiver(secret)
    try:
        delivery = receiver.verify(request_body_bytes, request_headers)
    except WebhookRejected as exc:
        if exc.code == "webhook.replayed":
            return 200      # already handled: acknowledge so the sender stops retrying
        return 401
    handle(delivery)        # then answer 2xx

``webhook.replayed`` means a key already accepted came again (a re-send after a lost
answer, or an attacker replaying a captured request): do not act on it twice.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pendulum

from jointinspect.clock import SystemClock
from jointinspect.errors import WebhookRejected
from jointinspect.memory import MemoryReplayGuard
from jointinspect.ports import Clock, ReplayGuard
from jointinspect_notify.webhook import KEY_HEADER, SIGNATURE_HEADER, sign


def _parse_signature(value: str) -> tuple[int, list[str]]:
    stamp: int | None = None
    signatures: list[str] = []
    for part in value.split(","):
        name, _, item = part.strip().partition("=")
        if name == "t" and item.isdigit():
            stamp = int(item)
        elif name == "v1" and item:
            signatures.append(item)
    if stamp is None or not signatures:
        raise WebhookRejected("webhook.signature_invalid")
    return stamp, signatures


class WebhookReceiver:
    """Verifies webhook deliveries.

    Args:
        secrets: the shared secret, or several during a rotation (any one may match).
        tolerance: seconds the signed timestamp may differ from now.
        remember: how long an accepted key is remembered to refuse a second delivery; keep
            it longer than the sender may retry (the relay re-sends until it succeeds).
        guard: where accepted keys live (any `jointinspect.ports.ReplayGuard`, e.g. a
            store's ``replay_guard()`` shared by several workers); in memory by default.
        clock: the source of 'now'.
    """

    def __init__(
        self,
        secrets: str | bytes | Sequence[str | bytes],
        *,
        tolerance: int = 300,
        remember: pendulum.Duration | None = None,
        guard: ReplayGuard | None = None,
        clock: Clock | None = None,
    ) -> None:
        items = [secrets] if isinstance(secrets, str | bytes) else list(secrets)
        self._secrets = [s.encode("utf-8") if isinstance(s, str) else s for s in items]
        self._tolerance = tolerance
        self._remember = remember or pendulum.duration(days=7)
        self._guard: ReplayGuard = guard or MemoryReplayGuard()
        self._clock = clock or SystemClock()

    def verify(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        """Return the decoded body of an authentic, fresh, first delivery.

        Raises:
            WebhookRejected: ``webhook.signature_invalid``, ``webhook.stale`` or
                ``webhook.replayed``.
        """
        lower = {k.lower(): v for k, v in headers.items()}
        stamp, signatures = _parse_signature(lower.get(SIGNATURE_HEADER.lower(), ""))
        now = self._clock.now()
        if abs(int(now.timestamp()) - stamp) > self._tolerance:
            raise WebhookRejected("webhook.stale", timestamp=stamp, tolerance=self._tolerance)
        expected = [sign(secret, stamp, body) for secret in self._secrets]
        if not any(hmac.compare_digest(e, s) for e in expected for s in signatures):
            raise WebhookRejected("webhook.signature_invalid")
        doc: dict[str, Any] = json.loads(body)
        key = str(doc.get("key", ""))
        if not key or lower.get(KEY_HEADER.lower()) != key:
            raise WebhookRejected("webhook.signature_invalid")
        if not self._guard.consume(f"webhook:{key}", now + self._remember, now):
            raise WebhookRejected("webhook.replayed", key=key)
        return doc
