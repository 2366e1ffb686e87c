"""The replay guard on Redis: one-time keys consumed atomically, with expiry."""

from __future__ import annotations

import contextlib

import pendulum

from jointinspect.errors import JointInspectError
from jointinspect.ports import Clock
from jointinspect_redis._common import Client, LuaScript, micros, open_client, translated
from jointinspect_redis.replication import DEFAULT_TIMEOUT, Replication


class RedisReplayGuard:
    """A :class:`jointinspect.ports.ReplayGuard` on Redis.

    A key is remembered until its ``expires_at``, judged by the library's clock (the ``now``
    argument, or the injected ``clock``), never by the server's: the script stores
    ``expires_at`` and compares it with ``now``. The server's TTL (``expires_at - now`` plus
    ``margin``) only removes keys that can no longer matter. Consuming a key whose
    ``expires_at`` has already passed returns ``True`` and remembers nothing useful: such a
    code is refused earlier, by its own expiry check.

    Args:
        client_or_url: a ``redis://`` URL (opened here, closed by :meth:`close`) or a ready
            client (left open).
        clock: used when :meth:`consume` is called without ``now``.
        prefix: key prefix; keys are ``<prefix>:once:{<key>}``.
        margin: extra server-side lifetime after ``expires_at`` (clock skew allowance).
        cluster: with a URL, connect to a Redis Cluster.
        replicas: replicas that must acknowledge each consumed key (``WAIT``); ``None``
            (the default) means 1 on a replicated server or cluster and 0 otherwise (see
            :mod:`jointinspect_redis.replication`); ``0`` opts out.
        replica_timeout: how long to wait for them before :meth:`consume` fails with the
            retryable :class:`jointinspect.errors.ReplicationError`; the key is then taken
            back, so the retry consumes it (a failover could otherwise lose it and let a
            replay through).

    """

    def __init__(
        self,
        client_or_url: Client | str,
        *,
        clock: Clock | None = None,
        prefix: str = "ji",
        margin: pendulum.Duration = pendulum.duration(minutes=5),  # noqa: B008
        cluster: bool = False,
        replicas: int | None = None,
        replica_timeout: pendulum.Duration = DEFAULT_TIMEOUT,
    ) -> None:
        self._client, self._owned = open_client(client_or_url, cluster=cluster)
        self._clock = clock
        self._prefix = prefix
        self._margin_ms = int(margin.total_seconds() * 1000)
        self._consume = LuaScript(self._client, "consume.lua")
        self._forget = LuaScript(self._client, "forget_expired.lua")
        self._unconsume = LuaScript(self._client, "unconsume.lua")
        try:
            self._replication = Replication(self._client, replicas, replica_timeout)
        except BaseException:
            self.close()
            raise

    @property
    def replicas(self) -> int:
        """Replicas that must acknowledge each consumed key (0: no waiting)."""
        return self._replication.replicas

    def consume(self, key: str, expires_at: pendulum.DateTime, now: pendulum.DateTime | None = None) -> bool:
        """Atomically mark ``key`` used until ``expires_at``.

        Returns ``True`` the first time, ``False`` on replay before ``expires_at``.
        """
        if now is None:
            if self._clock is None:
                raise TypeError("RedisReplayGuard.consume needs `now` or a clock")
            now = self._clock.now()
        expires_us, now_us = micros(expires_at), micros(now)
        ttl_ms = max((expires_us - now_us) // 1000, 0) + self._margin_ms + 1
        keys, args = [f"{self._prefix}:once:{{{key}}}"], [expires_us, now_us, ttl_ms]
        if not self._replication.enabled:
            return bool(self._consume(keys, args))
        result, acked = self._replication.run(self._consume, keys, args)
        if result and acked < self._replication.replicas:
            with contextlib.suppress(JointInspectError):  # left consumed: a retry is refused, the safe side
                self._unconsume(keys, [expires_us])
            self._replication.require(acked, "consume")
        # a replay (False) wrote nothing: refusing it needs no acknowledgement
        return bool(result)

    def prune(self, before: pendulum.DateTime) -> int:
        """Delete keys that expired at or before ``before``; return how many.

        Not needed for bounded growth: every key carries a server-side TTL and Redis drops
        it (``expires_at`` plus ``margin``). This sweeps earlier, for `Engine.prune`'s
        report and for tests: it scans this guard's keys (``SCAN``, so O(keys), in
        batches) and deletes each expired one with a script that re-checks it, so a key
        consumed again meanwhile is kept.
        """
        before_us = micros(before)
        pattern = _glob_escape(f"{self._prefix}:once:") + "*"
        with translated("prune"):
            names = [n.decode() if isinstance(n, bytes) else str(n) for n in self._client.scan_iter(match=pattern)]
        return sum(int(self._forget([name], [before_us])) for name in names)

    def close(self) -> None:
        """Close the client if this guard opened it from a URL."""
        if self._owned:
            self._client.close()


def _glob_escape(text: str) -> str:
    """``text`` matched literally by a Redis glob pattern."""
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)
