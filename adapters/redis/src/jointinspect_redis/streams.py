"""Notifications on a Redis Stream, with idempotency keys and redelivery.

A producer adds each key once; a consumer-group helper redelivers unacknowledged messages
and applies each key's effect once.

Keys (``P`` the prefix, ``N`` the stream name; all share the hash tag ``{N}``)::

    P:{N}:stream              the stream
    P:{N}:sent:<key>          producer marker: this key was published (TTL ``dedupe_ttl``)
    P:{N}:done:<group>:<key>  consumer marker: "processing" (lease) or "done" (TTL)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pendulum
import redis.exceptions

from jointinspect.errors import StorageError
from jointinspect.model.notification import Notification
from jointinspect.timeutil import from_micros
from jointinspect_redis._common import Client, LuaScript, micros, open_client, translated

_DAY_MS = 86_400_000


def _keys(prefix: str, name: str) -> tuple[str, str]:
    base = f"{prefix}:{{{name}}}"
    return f"{base}:stream", base


def _encode(notification: Notification) -> list[str]:
    return [
        "key",
        notification.key,
        "kind",
        notification.kind,
        "role",
        notification.role.value,
        "recipient",
        notification.recipient,
        "subject",
        notification.subject,
        "at",
        str(micros(notification.at)),
        "payload",
        json.dumps([list(p) for p in notification.payload], ensure_ascii=False),
    ]


def _decode(fields: dict[bytes, bytes]) -> Notification:
    f = {k.decode("utf-8"): v.decode("utf-8") for k, v in fields.items()}
    return Notification(
        key=f["key"],
        kind=f["kind"],
        role=f["role"],
        recipient=f["recipient"],
        subject=f["subject"],
        at=from_micros(int(f["at"])),
        payload={str(k): str(v) for k, v in json.loads(f["payload"])},
    )


class RedisStreamNotifier:
    """A :class:`jointinspect.ports.Notifier` that appends to a Redis Stream.

    A second :meth:`send` with the same ``notification.key`` within ``dedupe_ttl`` adds
    nothing (marker and XADD are one Lua script).

    Args:
        client_or_url: a ``redis://`` URL (opened here, closed by :meth:`close`) or a ready
            client (left open).
        prefix: key prefix.
        name: stream name (also the hash tag of every key of this stream).
        dedupe_ttl: how long a published key is remembered.
        maxlen: approximate cap on the stream length (``XADD MAXLEN ~``).
        cluster: with a URL, connect to a Redis Cluster.

    """

    def __init__(
        self,
        client_or_url: Client | str,
        *,
        prefix: str = "ji",
        name: str = "notifications",
        dedupe_ttl: pendulum.Duration = pendulum.duration(days=7),  # noqa: B008
        maxlen: int = 1_000_000,
        cluster: bool = False,
    ) -> None:
        self._client, self._owned = open_client(client_or_url, cluster=cluster)
        self._stream, self._base = _keys(prefix, name)
        self._dedupe_ms = int(dedupe_ttl.total_seconds() * 1000)
        self._maxlen = maxlen
        self._publish = LuaScript(self._client, "publish.lua")

    @property
    def stream(self) -> str:
        """The stream's key."""
        return self._stream

    def publish(self, notification: Notification) -> str | None:
        """Append ``notification``; the entry id, or ``None`` if its key was already sent."""
        entry = self._publish(
            [self._stream, f"{self._base}:sent:{notification.key}"],
            [self._dedupe_ms, self._maxlen, *_encode(notification)],
        )
        return None if entry is None else bytes(entry).decode("ascii")

    def send(self, notification: Notification) -> None:
        """See :meth:`jointinspect.ports.Notifier.send`."""
        self.publish(notification)

    def close(self) -> None:
        """Close the client if this notifier opened it from a URL."""
        if self._owned:
            self._client.close()


class StreamConsumer:
    """One consumer of a consumer group on the notification stream.

    :meth:`run_once` first claims messages other consumers left unacknowledged for longer
    than ``claim_idle`` (``XAUTOCLAIM``), then reads new ones (``XREADGROUP``). Before the
    handler runs, the message's idempotency key is marked ``processing`` (``SET NX`` with a
    lease of ``claim_idle``); after it succeeds, ``done`` (TTL ``done_ttl``) and the message
    is acknowledged. A message whose key is already ``done`` (a duplicate) is acknowledged
    without calling the handler; one whose key another consumer is processing is left for
    later. If the handler raises, the mark is removed, the message stays pending (it is
    redelivered after ``claim_idle``) and the exception propagates.
    """

    def __init__(
        self,
        client_or_url: Client | str,
        group: str,
        consumer: str,
        *,
        prefix: str = "ji",
        name: str = "notifications",
        claim_idle: pendulum.Duration = pendulum.duration(seconds=30),  # noqa: B008
        done_ttl: pendulum.Duration = pendulum.duration(days=7),  # noqa: B008
        count: int = 100,
        cluster: bool = False,
    ) -> None:
        self._client, self._owned = open_client(client_or_url, cluster=cluster)
        self.group, self.consumer = group, consumer
        self._stream, self._base = _keys(prefix, name)
        self._idle_ms = max(int(claim_idle.total_seconds() * 1000), 1)
        self._done_ms = max(int(done_ttl.total_seconds() * 1000), _DAY_MS // 24)
        self._count = count
        self._group_ready = False

    def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            with translated("xgroup create"):
                self._client.xgroup_create(self._stream, self.group, id="0", mkstream=True)
        except StorageError as exc:
            busy = isinstance(exc.__cause__, redis.exceptions.ResponseError) and "BUSYGROUP" in str(exc.__cause__)
            if not busy:
                raise
        self._group_ready = True

    def run_once(self, handler: Callable[[Notification], object], block_ms: int | None = None) -> int:
        """Handle at most ``count`` claimed plus ``count`` new messages.

        Returns how many the handler processed (duplicates and messages leased by other
        consumers are not counted).

        ``block_ms`` waits that long for new messages when there are none.
        """
        self._ensure_group()
        messages: list[tuple[bytes, dict[bytes, bytes]]] = []
        with translated("xautoclaim"):
            claimed: Any = self._client.xautoclaim(
                self._stream,
                self.group,
                self.consumer,
                self._idle_ms,
                start_id="0-0",
                count=self._count,
            )
        messages += [m for m in claimed[1] if m and m[1]]
        with translated("xreadgroup"):
            fresh: Any = self._client.xreadgroup(
                self.group,
                self.consumer,
                {self._stream: ">"},
                count=self._count,
                block=block_ms,
            )
        for _stream, entries in fresh or []:
            messages += entries
        handled = 0
        for entry_id, fields in messages:
            if self._handle(entry_id, fields, handler):
                handled += 1
        return handled

    def _handle(self, entry_id: bytes, fields: dict[bytes, bytes], handler: Callable[[Notification], object]) -> bool:
        try:
            notification = _decode(fields)
        except (KeyError, ValueError, TypeError):
            # Not ours or corrupt: acknowledge so it does not come back forever.
            with translated("xack"):
                self._client.xack(self._stream, self.group, entry_id)
            return False
        marker = f"{self._base}:done:{self.group}:{notification.key}"
        with translated("mark"):
            leased = self._client.set(marker, "processing", nx=True, px=self._idle_ms)
            state = None if leased else self._client.get(marker)
        if not leased:
            if state == b"done":
                with translated("xack"):
                    self._client.xack(self._stream, self.group, entry_id)
            return False
        try:
            handler(notification)
        except BaseException:
            with translated("unmark"):
                self._client.delete(marker)
            raise
        with translated("ack"):
            self._client.set(marker, "done", px=self._done_ms)
            self._client.xack(self._stream, self.group, entry_id)
        return True

    def pending(self) -> int:
        """How many messages of this group are delivered but not yet acknowledged."""
        self._ensure_group()
        with translated("xpending"):
            info: Any = self._client.xpending(self._stream, self.group)
        return int(info["pending"])

    def close(self) -> None:
        """Close the client if this consumer opened it from a URL."""
        if self._owned:
            self._client.close()
