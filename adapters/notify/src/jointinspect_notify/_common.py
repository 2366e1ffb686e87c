"""What every channel shares: the sent-key memory, delivery figures, retries and HTTP posting."""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable, Mapping
from typing import Protocol

import attrs
import httpx
import tenacity

from jointinspect.errors import DeliveryFailed, DeliveryRejected

#: Connect quickly or give up; a slow reader still gets its time.
DEFAULT_TIMEOUT = httpx.Timeout(connect=3.0, read=10.0, write=10.0, pool=3.0)


class SentKeys(Protocol):
    """Remembers the notification keys a channel delivered, so that a re-send is a no-op."""

    def seen(self, key: str) -> bool:
        """Whether ``key`` was delivered."""
        ...

    def remember(self, key: str) -> None:
        """Record that ``key`` was delivered."""
        ...


class MemorySentKeys:
    """In-process `SentKeys`, keeping the ``capacity`` most recent keys (thread-safe).

    It absorbs the relay's re-sends within one process; across restarts the receiving side
    deduplicates by the key (webhook ``Idempotency-Key``, e-mail ``Message-ID``).
    """

    def __init__(self, capacity: int = 100_000) -> None:
        self._keys: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def seen(self, key: str) -> bool:
        """Whether ``key`` is remembered."""
        with self._lock:
            return key in self._keys

    def remember(self, key: str) -> None:
        """Remember ``key``, forgetting the oldest beyond capacity."""
        with self._lock:
            self._keys[key] = None
            self._keys.move_to_end(key)
            while len(self._keys) > self._capacity:
                self._keys.popitem(last=False)


@attrs.define
class DeliveryStats:
    """What a channel did: deliveries, retries after a transient failure, permanent refusals,
    transient failures left to the relay, and re-sends absorbed by the sent-key memory."""

    sent: int = 0
    retried: int = 0
    rejected: int = 0
    failed: int = 0
    duplicates: int = 0


@attrs.frozen
class RetryPolicy:
    """Exponential backoff with jitter between attempts of one ``send``.

    Attributes:
        attempts: tries per ``send`` (1 = no retry; the relay retries later anyway).
        initial: first wait in seconds, doubled each time up to ``maximum``.
        maximum: longest wait in seconds.
        jitter: up to this many seconds added at random to each wait.
        sleep: how to wait (tests pass a recorder instead of sleeping).
    """

    attempts: int = 4
    initial: float = 0.5
    maximum: float = 30.0
    jitter: float = 0.5
    sleep: Callable[[float], None] = tenacity.nap.sleep

    def retrying(self, stats: DeliveryStats) -> tenacity.Retrying:
        """A tenacity controller retrying transient `DeliveryFailed` only."""

        def count(_: tenacity.RetryCallState) -> None:
            stats.retried += 1

        return tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=tenacity.wait_exponential(multiplier=self.initial, max=self.maximum)
            + tenacity.wait_random(0, self.jitter),
            retry=tenacity.retry_if_exception(
                lambda e: isinstance(e, DeliveryFailed) and not isinstance(e, DeliveryRejected)
            ),
            sleep=self.sleep,
            before_sleep=count,
            reraise=True,
        )


def run_with_retries(policy: RetryPolicy, stats: DeliveryStats, attempt: Callable[[], None]) -> None:
    """Run ``attempt`` under ``policy``, keeping ``stats``; re-raise the last typed error."""
    try:
        for round_ in policy.retrying(stats):
            with round_:
                attempt()
    except DeliveryRejected:
        stats.rejected += 1
        raise
    except DeliveryFailed:
        stats.failed += 1
        raise
    stats.sent += 1


def post(
    client: httpx.Client,
    url: str,
    content: bytes,
    headers: Mapping[str, str],
    *,
    channel: str,
    key: str,
) -> httpx.Response:
    """POST once and classify the outcome: transport errors, timeouts, 408, 429 and 5xx are
    transient (`DeliveryFailed`); other non-2xx answers are permanent (`DeliveryRejected`)."""
    try:
        response = client.post(url, content=content, headers=dict(headers))
    except httpx.TimeoutException as exc:
        raise DeliveryFailed(key=key, channel=channel, reason=f"timed out ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise DeliveryFailed(key=key, channel=channel, reason=f"transport error: {exc}") from exc
    status = response.status_code
    if status in (408, 429) or status >= 500:
        raise DeliveryFailed(key=key, channel=channel, reason=f"HTTP {status}")
    if not 200 <= status < 300:
        raise DeliveryRejected(key=key, channel=channel, reason=f"HTTP {status}: {response.text[:200]}")
    return response
