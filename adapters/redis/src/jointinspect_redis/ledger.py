"""The frequency ledger on Redis: check-and-reserve as one Lua script per call.

Layout, per enterprise (``E`` its credit code, ``P`` the prefix)::

    P:{E}:at    sorted set   reservation id -> visit instant (integer microseconds)
    P:{E}:res   hash         reservation id -> record JSON
    P:rid:{id}  string       reservation id -> enterprise (to confirm/release by id)

Every key a ledger script touches carries the hash tag ``{E}``, so the scripts run
unchanged on Redis Cluster. The id pointer lives in another slot: on a single server the
reserve script writes it in the same atomic step; on a cluster it is written just before
the script (a pointer without a reservation is harmless: confirm/release then find
nothing). Pass ``enterprise=`` to :meth:`RedisLedger.confirm` / :meth:`RedisLedger.release`
to skip the pointer lookup.

Time: the script uses the ``now`` passed to :meth:`RedisLedger.check_and_reserve` (the
library's injected clock) for pending expiry and trimming, never the server's clock. Only
key TTLs (garbage collection) run on the server's clock: keys expire ``retention`` after
their latest visit, where ``retention`` must cover the longest rule window (default 400
days, enough for calendar-year buckets).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import attrs
import pendulum
import redis.exceptions

from jointinspect.rules.frequency import (
    Action,
    LedgerDecision,
    Reservation,
    ReservationState,
    RuleCheck,
    RuleHit,
    Scope,
)
from jointinspect.timeutil import from_micros
from jointinspect_redis._common import (
    Client,
    LuaScript,
    duration_micros,
    is_cluster,
    micros,
    open_client,
    translated,
)

_SCOPE = {Scope.ENTERPRISE: "e", Scope.ENTERPRISE_DEPARTMENT: "d", Scope.INSPECTOR_ENTERPRISE: "i"}
_ACTION = {Action.BLOCK: "b", Action.WARN: "w"}
_STATE = {ReservationState.PENDING: "p", ReservationState.CONFIRMED: "c"}
_STATE_BACK = {"p": ReservationState.PENDING, "c": ReservationState.CONFIRMED}


class RedisLedger:
    """A :class:`jointinspect.ports.FrequencyLedger` on Redis (single server or cluster).

    Args:
        client_or_url: a ``redis://`` URL (opened here, closed by :meth:`close`) or a ready
            ``redis.Redis`` / ``redis.cluster.RedisCluster`` (left open).
        prefix: key prefix, so several ledgers can share one server.
        pending_ttl: if set, a pending reservation without ``expires_at`` gets
            ``now + pending_ttl``; otherwise the request's ``expires_at`` is kept as given.
        retention: how long a visit is kept after its instant; must cover the longest rule
            window or calendar bucket.
        cluster: with a URL, connect to a Redis Cluster.

    """

    def __init__(
        self,
        client_or_url: Client | str,
        *,
        prefix: str = "ji",
        pending_ttl: pendulum.Duration | None = None,
        retention: pendulum.Duration = pendulum.duration(days=400),  # noqa: B008
        cluster: bool = False,
    ) -> None:
        self._client, self._owned = open_client(client_or_url, cluster=cluster)
        self._cluster = is_cluster(self._client)
        self._prefix = prefix
        self._pending_ttl = pending_ttl
        self._retention_us = duration_micros(retention)
        self._reserve = LuaScript(self._client, "reserve.lua")
        self._confirm = LuaScript(self._client, "confirm.lua")
        self._release = LuaScript(self._client, "release.lua")
        self._counted: dict[frozenset[Any], str] = {}

    # keys -----------------------------------------------------------------------------

    def _keys(self, enterprise: str) -> list[str]:
        tag = f"{self._prefix}:{{{enterprise}}}"
        return [f"{tag}:at", f"{tag}:res"]

    def _pointer(self, reservation_id: str) -> str:
        return f"{self._prefix}:rid:{{{reservation_id}}}"

    # port -------------------------------------------------------------------------------

    def check_and_reserve(
        self, request: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime
    ) -> LedgerDecision:
        """See :meth:`jointinspect.ports.FrequencyLedger.check_and_reserve`.

        One EVALSHA on a single server; on a cluster the id pointer is set first (two round
        trips). A driver error leaves either nothing or the whole reservation recorded;
        retrying with the same id is safe (idempotent).
        """
        request, keys, args, ttl_ms = self._prepare(request, checks, now)
        if self._cluster:
            with translated("reserve"):
                self._client.set(self._pointer(request.id), request.enterprise, px=ttl_ms)
        else:
            keys.append(self._pointer(request.id))
        return self._decide(request, checks, self._reserve(keys, args))

    def check_and_reserve_many(
        self, batch: Sequence[tuple[Reservation, Sequence[RuleCheck]]], now: pendulum.DateTime
    ) -> list[LedgerDecision]:
        """Check and reserve many visits in one pipeline (bulk loads, imports).

        Each visit is still one atomic script; the batch as a whole is not atomic, and a
        visit sees the ones before it in the batch. A driver error leaves any prefix of the
        batch recorded; retrying the whole batch is safe (ids are idempotent).
        """
        prepared = [self._prepare(request, checks, now) for request, checks in batch]
        replies = self._pipelined(prepared)
        decisions = []
        for (request, _, _, _), (_, checks), reply in zip(
            prepared, batch, replies, strict=True
        ):
            if isinstance(reply, redis.exceptions.ResponseError):
                # NOSCRIPT on a node that lost its scripts, MOVED during resharding...:
                # this one visit again through the normal path (idempotent by id).
                decisions.append(self.check_and_reserve(request, checks, now))
                continue
            if isinstance(reply, Exception):
                with translated("reserve batch"):
                    raise reply
            decisions.append(self._decide(request, checks, reply))
        return decisions

    def _pipelined(self, prepared: list[tuple[Reservation, list[str], list[str | int], int]]) -> list[Any]:
        """Send every script call in pipelines: one on a single server, one per node on a
        cluster (redis-py's cluster pipeline refuses EVALSHA)."""
        if not self._cluster:
            with translated("reserve batch"):
                pipe = self._client.pipeline(transaction=False)
                for request, keys, args, _ in prepared:
                    pointer = self._pointer(request.id)
                    pipe.evalsha(self._reserve.sha, len(keys) + 1, *keys, pointer, *args)
                return list(pipe.execute(raise_on_error=False))
        cluster: Any = self._client
        with translated("reserve batch"):
            pointers = cluster.pipeline()
            for request, _, _, ttl_ms in prepared:
                pointers.set(self._pointer(request.id), request.enterprise, px=ttl_ms)
            pointers.execute()
            by_node: dict[str, list[int]] = {}
            nodes: dict[str, Any] = {}
            for index, (_, keys, _, _) in enumerate(prepared):
                node = cluster.get_node_from_key(keys[0])
                nodes[node.name] = node
                by_node.setdefault(node.name, []).append(index)
            replies: list[Any] = [None] * len(prepared)
            for name, indexes in by_node.items():
                pipe = nodes[name].redis_connection.pipeline(transaction=False)
                for index in indexes:
                    _, keys, args, _ = prepared[index]
                    pipe.evalsha(self._reserve.sha, len(keys), *keys, *args)
                for index, reply in zip(indexes, pipe.execute(raise_on_error=False), strict=True):
                    replies[index] = reply
        return replies

    def _prepare(
        self, request: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime
    ) -> tuple[Reservation, list[str], list[str | int], int]:
        """The request (pending expiry filled in), keys, script arguments and key TTL."""
        if (
            self._pending_ttl is not None
            and request.state is ReservationState.PENDING
            and request.expires_at is None
        ):
            request = attrs.evolve(request, expires_at=now + self._pending_ttl)
        now_us = micros(now)
        at_us = micros(request.at)
        ttl_ms = max((at_us + self._retention_us - now_us) // 1000, 60_000)
        expires = "" if request.expires_at is None else str(micros(request.expires_at))
        record = json.dumps(
            [
                _STATE[request.state],
                expires,
                request.kind.value,
                request.department,
                list(request.inspectors),
                str(at_us),
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        lo = hi = at_us
        specs = []
        for check in checks:
            if check.window is not None:
                w = duration_micros(check.window)
                lo, hi = min(lo, at_us - w + 1), max(hi, at_us + w - 1)
                span = f"w|{w}|0"
            else:
                assert check.bucket is not None
                start, end = micros(check.bucket[0]), micros(check.bucket[1])
                lo, hi = min(lo, start), max(hi, end - 1)
                span = f"b|{start}|{end}"
            counted = self._counted.get(check.counts)
            if counted is None:
                counted = "," + ",".join(sorted(k.value for k in check.counts)) + ","
                self._counted[check.counts] = counted
            specs.append(
                f"{_ACTION[check.action]}|{check.limit}|{_SCOPE[check.scope]}|{counted}|{span}"
            )
        args: list[str | int] = [
            request.id, record, at_us, now_us, self._retention_us, lo, hi,
            f"({now_us - self._retention_us}", request.department, request.enterprise,
            len(request.inspectors), *request.inspectors, ";".join(specs), ttl_ms,
        ]
        return request, self._keys(request.enterprise), args, ttl_ms

    def _decide(
        self, request: Reservation, checks: Sequence[RuleCheck], result: Any
    ) -> LedgerDecision:
        """The decision from the script's reply."""
        status = int(result[0])
        if status == 2:
            return LedgerDecision(self._decode(request.id, request.enterprise, result[1]))
        blocked: list[RuleHit] = []
        warnings: list[RuleHit] = []
        for i in range(1, len(result), 3):
            check = checks[int(result[i])]
            n = int(result[i + 1])
            if check.scope is Scope.ENTERPRISE:
                key = request.enterprise
            elif check.scope is Scope.ENTERPRISE_DEPARTMENT:
                key = f"{request.enterprise}/{request.department}"
            else:
                key = f"{request.enterprise}/{request.inspectors[n]}"
            hit = RuleHit(check.rule, check.action, check.limit, int(result[i + 2]), key)
            (blocked if check.action is Action.BLOCK else warnings).append(hit)
        if status == 0:
            return LedgerDecision(None, tuple(blocked), tuple(warnings))
        return LedgerDecision(request, (), tuple(warnings))

    def _locate(self, reservation_id: str, enterprise: str | None) -> str | None:
        if enterprise is not None:
            return enterprise
        with translated("locate"):
            found: Any = self._client.get(self._pointer(reservation_id))
        return None if found is None else bytes(found).decode("utf-8")

    def confirm(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See :meth:`jointinspect.ports.FrequencyLedger.confirm`.

        ``enterprise``, when the caller knows it, saves the pointer lookup (one round trip).
        """
        owner = self._locate(reservation_id, enterprise)
        if owner is not None:
            self._confirm(self._keys(owner), [reservation_id])

    def release(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See :meth:`jointinspect.ports.FrequencyLedger.release`.

        ``enterprise``, when the caller knows it, saves the pointer lookup (one round trip).
        """
        owner = self._locate(reservation_id, enterprise)
        if owner is not None:
            self._release(self._keys(owner), [reservation_id])
            with translated("release"):
                self._client.delete(self._pointer(reservation_id))

    def reservations(
        self, enterprise: str, now: pendulum.DateTime | None = None
    ) -> list[Reservation]:
        """See :meth:`jointinspect.ports.FrequencyLedger.reservations`.

        With ``now``, expired pending reservations are left out.
        """
        with translated("reservations"):
            rows: Any = self._client.hgetall(self._keys(enterprise)[1])
        found = [
            self._decode(bytes(k).decode("utf-8"), enterprise, v) for k, v in rows.items()
        ]
        if now is not None:
            found = [
                r for r in found
                if not (
                    r.state is ReservationState.PENDING and r.expires_at and r.expires_at <= now
                )
            ]
        return sorted(found, key=lambda r: (r.at, r.id))

    @staticmethod
    def _decode(reservation_id: str, enterprise: str, raw: bytes | str) -> Reservation:
        state, expires, kind, department, inspectors, at = json.loads(raw)
        return Reservation(
            id=reservation_id,
            enterprise=enterprise,
            department=department,
            # cjson writes an empty list back as {} after a confirm
            inspectors=tuple(inspectors) if isinstance(inspectors, list) else (),
            kind=kind,
            at=from_micros(int(at)),
            state=_STATE_BACK[state],
            expires_at=from_micros(int(expires)) if expires else None,
        )

    def close(self) -> None:
        """Close the client if this ledger opened it from a URL."""
        if self._owned:
            self._client.close()
