r"""The frequency ledger on Redis: check-and-reserve as one Lua script per call.

Layout, per enterprise (``E`` its credit code, ``P`` the prefix)::

    P:{E}:v    sorted set   one member per visit, score = its instant (integer microseconds)
    P:{E}:id   hash         reservation id -> its member in P:{E}:v

A member carries everything the rules look at, so one ``ZRANGEBYSCORE`` returns the
visits of the window ready to count (no per-visit lookup, no JSON)::

    <at> US <state><expires> US <kind> US <departments> US RS <insp> RS <insp> RS US <id>

``US`` is ``\x1f`` and ``RS`` ``\x1e`` (refused in ids, departments and inspectors);
``at`` repeats the score (parsing it in Lua is cheaper than having Redis format scores),
``state`` is ``c``/``p`` and ``expires`` the pending expiry in integer microseconds (empty
if none); ``departments`` is the lead alone for a visit of one department (the format of
every member written before joint visits counted all of theirs), else
``<lead> RS <d1> RS <d2> RS`` with every department in sorted order; with no inspector the
block is ``RS`` alone. The rule evaluation is ``lua/rules.lua``, shared by the reserve and
amend scripts. Both keys carry the hash tag
``{E}``, so the scripts run unchanged on Redis Cluster, and nothing else is written:
:meth:`RedisLedger.confirm` / :meth:`RedisLedger.release` take the enterprise (the Engine
always passes it); without it they find it with a ``SCAN`` over the prefix (cost grows
with the keyspace: meant for tools and tests).

Time: the script uses the ``now`` passed to :meth:`RedisLedger.check_and_reserve` (the
library's injected clock) for pending expiry and trimming, never the server's clock. Only
key TTLs (garbage collection) run on the server's clock: keys expire ``retention`` after
their latest visit, where ``retention`` must cover the longest rule window (default 400
days, enough for calendar-year buckets).

Replication: with ``replicas`` > 0 (the default on a replicated server or cluster, see
:mod:`jointinspect_redis.replication`) every reservation, confirmation and release is
followed by ``WAIT`` on the same connection. When fewer replicas acknowledge in time the
call raises :class:`jointinspect.errors.ReplicationError` (a retryable
``OperationalError``) and a new reservation (confirmed or pending) is taken back, so no
caller is told "reserved" for a write a failover can lose and the retry is not blocked by
it. A confirmation that is not acknowledged raises the same error and stays on the node;
a failover may turn it back into a pending reservation, which
``Engine.reconcile_reservations`` / ``Engine.rebuild_reservations`` confirm again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import attrs
import pendulum
import redis.exceptions

from jointinspect.errors import JointInspectError, ValidationError
from jointinspect.model.plan import InspectionKind
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
    translate,
    translated,
)
from jointinspect_redis.replication import DEFAULT_TIMEOUT, Replication

_US, _RS = "\x1f", "\x1e"
_SCOPE = {Scope.ENTERPRISE: "e", Scope.ENTERPRISE_DEPARTMENT: "d", Scope.INSPECTOR_ENTERPRISE: "i"}
_ACTION = {Action.BLOCK: "b", Action.WARN: "w"}
_PENDING = ReservationState.PENDING
_EVERY_KIND = frozenset(InspectionKind)
_STATE_BACK = {"p": ReservationState.PENDING, "c": ReservationState.CONFIRMED}
#: Distinct check lists remembered (a policy yields a handful per visit kind and period).
_SPEC_CACHE = 512
_GLOB_SPECIAL = str.maketrans({c: "\\" + c for c in "*?[]\\"})


@attrs.frozen
class _Spec:
    """The checks encoded for the script, and the range of instants they look at."""

    text: str
    floor: int  # the lowest limit (0 without checks)
    window: int  # the longest rolling window (µs), 0 if none
    start: int | None  # earliest bucket start (µs)
    end: int | None  # latest bucket end (µs, exclusive)


def _encode(checks: Sequence[RuleCheck]) -> _Spec:
    parts = []
    window, start, end = 0, None, None
    for check in checks:
        if check.window is not None:
            w = duration_micros(check.window)
            window = max(window, w)
            span = f"w|{check.limit}|{w}|0"
        else:
            assert check.bucket is not None
            a, b = micros(check.bucket[0]), micros(check.bucket[1])
            start = a if start is None else min(start, a)
            end = b if end is None else max(end, b)
            span = f"b|{check.limit}|{a}|{b}"
        counted = "*" if check.counts == _EVERY_KIND else "," + ",".join(sorted(check.counts)) + ","
        parts.append(f"{_ACTION[check.action]}{_SCOPE[check.scope]}{span}|{counted};")
    floor = min((check.limit for check in checks), default=0)
    return _Spec("".join(parts), floor, window, start, end)


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
        replicas: replicas that must acknowledge each write (``WAIT``); ``None`` (the
            default) means 1 on a replicated server or cluster and 0 otherwise (see
            :mod:`jointinspect_redis.replication`); ``0`` opts out.
        replica_timeout: how long a write waits for its replicas before the call fails
            with the retryable :class:`jointinspect.errors.ReplicationError`.

    """

    def __init__(
        self,
        client_or_url: Client | str,
        *,
        prefix: str = "ji",
        pending_ttl: pendulum.Duration | None = None,
        retention: pendulum.Duration = pendulum.duration(days=400),  # noqa: B008
        cluster: bool = False,
        replicas: int | None = None,
        replica_timeout: pendulum.Duration = DEFAULT_TIMEOUT,
    ) -> None:
        self._client, self._owned = open_client(client_or_url, cluster=cluster)
        self._cluster = is_cluster(self._client)
        self._prefix = prefix
        self._pending_ttl = pending_ttl
        self._retention_us = duration_micros(retention)
        self._reserve = LuaScript(self._client, "reserve.lua")
        self._confirm = LuaScript(self._client, "confirm.lua")
        self._release = LuaScript(self._client, "release.lua")
        self._amend = LuaScript(self._client, "amend.lua")
        try:
            self._replication = Replication(self._client, replicas, replica_timeout)
        except BaseException:
            self.close()
            raise
        self._specs: dict[tuple[RuleCheck, ...], _Spec] = {}
        # the last check list seen, by identity: callers often pass the same one again
        self._last: tuple[Sequence[RuleCheck], tuple[RuleCheck, ...], _Spec] | None = None

    @property
    def replicas(self) -> int:
        """Replicas that must acknowledge each write (0: no waiting)."""
        return self._replication.replicas

    # keys and encoding ------------------------------------------------------------------

    def _keys(self, enterprise: str) -> tuple[str, str]:
        tag = f"{self._prefix}:{{{enterprise}}}"
        return f"{tag}:v", f"{tag}:id"

    def _spec(self, checks: Sequence[RuleCheck]) -> _Spec:
        """The encoded checks, cached: RuleChecks are values, rebuilt per visit by callers."""
        last = self._last
        if last is not None and last[0] is checks:
            as_tuple = tuple(checks)
            if as_tuple == last[1]:  # compares by identity first: cheap when unchanged
                return last[2]
        else:
            as_tuple = tuple(checks)
        spec = self._specs.get(as_tuple)
        if spec is None:
            spec = _encode(as_tuple)
            if len(self._specs) >= _SPEC_CACHE:
                self._specs.clear()  # a policy reload; rebuilding is cheap
            self._specs[as_tuple] = spec
        self._last = (checks, as_tuple, spec)
        return spec

    def _prepare(
        self, request: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime
    ) -> tuple[Reservation, tuple[str, str], tuple[str, str]]:
        """The request (pending expiry filled in), keys and the script's two arguments."""
        if self._pending_ttl is not None and request.state is _PENDING and request.expires_at is None:
            request = attrs.evolve(request, expires_at=now + self._pending_ttl)
        now_us = micros(now)
        at = micros(request.at)
        spec = self._spec(checks)
        inspectors, departments = request.inspectors, request.departments
        joint = len(departments) > 1
        lead = f"{request.department}{_RS}{_RS.join(departments)}{_RS}" if joint else request.department
        member = (
            f"{at}{_US}{'p' if request.state is _PENDING else 'c'}"
            f"{'' if request.expires_at is None else micros(request.expires_at)}"
            f"{_US}{request.kind.value}{_US}{lead}{_US}{_RS}"
            f"{_RS.join(inspectors)}{_RS if inspectors else ''}{_US}{request.id}"
        )
        separators = (len(inspectors) + 1 if inspectors else 1) + (len(departments) + 1 if joint else 0)
        if member.count(_US) != 5 or member.count(_RS) != separators:
            raise ValidationError(
                "input.invalid",
                reason="reservation ids, departments and inspectors may not contain the characters \\x1e or \\x1f",
                reason_zh="预约编号、部门和检查人员中不得含有 \\x1e 或 \\x1f 字符",
            )
        window = spec.window
        lo, hi = (at - window + 1, at + window - 1) if window else (at, at)
        if spec.start is not None:
            lo, hi = min(lo, spec.start), max(hi, spec.end - 1)  # type: ignore[operator]
        ttl_ms = max((at + self._retention_us - now_us) // 1000, 60_000)
        head = f"{now_us}|{lo}|{hi}|{now_us - self._retention_us}|{ttl_ms}|{spec.floor}|{spec.text}"
        return request, self._keys(request.enterprise), (head, member)

    # port -------------------------------------------------------------------------------

    def check_and_reserve(
        self, request: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime
    ) -> LedgerDecision:
        """See :meth:`jointinspect.ports.FrequencyLedger.check_and_reserve`.

        One EVALSHA (one round trip, atomic) on a single server or a cluster. After a driver
        error either nothing or the whole reservation is recorded; retrying with the same id
        is safe (idempotent).

        With replicas required, the script and ``WAIT`` share one pipeline (still one round
        trip); see the module for what happens when too few acknowledge.
        """
        request, (zkey, hkey), (head, member) = self._prepare(request, checks, now)
        if self._replication.enabled:
            return self._reserve_acknowledged(request, checks, (zkey, hkey), (head, member))
        try:
            reply = self._client.evalsha(self._reserve.sha, 2, zkey, hkey, head, member)
        except redis.exceptions.NoScriptError:
            self._reserve.load()  # the server restarted or flushed its scripts
            return self.check_and_reserve(request, checks, now)
        except (redis.exceptions.RedisError, OSError) as exc:
            raise translate("reserve", exc) from exc
        if len(reply) == 1 and reply[0] == 1:  # recorded, nothing exceeded: the usual case
            return LedgerDecision(request)
        return self._decide(request, checks, reply)

    def amend(self, reservation: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime) -> LedgerDecision:
        """See :meth:`jointinspect.ports.FrequencyLedger.amend`.

        One EVALSHA of ``amend.lua`` (atomic, one round trip): the stored member of the same
        id is left out of the counts and replaced unless a blocking rule is exceeded. With
        replicas required, it waits for them like a reservation does.
        """
        reservation, (zkey, hkey), (head, member) = self._prepare(reservation, checks, now)
        if self._replication.enabled:
            reply, acked = self._replication.run(self._amend, (zkey, hkey), (head, member))
            self._replication.require(acked, "amend")
        else:
            try:
                reply = self._client.evalsha(self._amend.sha, 2, zkey, hkey, head, member)
            except redis.exceptions.NoScriptError:
                self._amend.load()
                return self.amend(reservation, checks, now)
            except (redis.exceptions.RedisError, OSError) as exc:
                raise translate("amend", exc) from exc
        if len(reply) == 1 and reply[0] == 1:
            return LedgerDecision(reservation)
        return self._decide(reservation, checks, reply)

    def _reserve_acknowledged(
        self,
        request: Reservation,
        checks: Sequence[RuleCheck],
        keys: tuple[str, str],
        args: tuple[str, str],
    ) -> LedgerDecision:
        """Check and reserve, then wait for the replicas (see the module)."""
        replication = self._replication
        reply, acked = replication.run(self._reserve, keys, args)
        status = int(reply[0])
        if status != 0 and acked < replication.replicas:
            # Recorded here but maybe not on any replica. A new reservation, confirmed or
            # pending, is taken back: the caller sees an error and will not commit (the
            # Engine registers its own undo only after this call returns), and its retry
            # must not be blocked by it. Best effort: if that fails too it over-counts (the
            # safe side; a pending one expires). A reservation an earlier call made
            # (status 2) is not ours to take back.
            if status == 1:
                with contextlib.suppress(JointInspectError):
                    self._release(keys, [request.id])
            replication.require(acked, "reserve")
        if status == 1 and len(reply) == 1:
            return LedgerDecision(request)
        return self._decide(request, checks, reply)

    def check_and_reserve_many(
        self, batch: Sequence[tuple[Reservation, Sequence[RuleCheck]]], now: pendulum.DateTime
    ) -> list[LedgerDecision]:
        """Check and reserve many visits in one pipeline (bulk loads, imports).

        Each visit is still one atomic script; the batch as a whole is not, and a visit sees
        the ones before it in the batch. A driver error leaves any prefix of the batch
        recorded; retrying the whole batch is safe (ids are idempotent). With replicas
        required, each visit is reserved and acknowledged on its own (one round trip each).
        """
        if self._replication.enabled:
            return [self.check_and_reserve(request, checks, now) for request, checks in batch]
        prepared = [self._prepare(request, checks, now) for request, checks in batch]
        replies = self._pipelined(prepared)
        decisions = []
        for (request, _, _), (_, checks), reply in zip(prepared, batch, replies, strict=True):
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

    def _pipelined(self, prepared: list[tuple[Reservation, tuple[str, str], tuple[str, str]]]) -> list[Any]:
        """Send every script call in pipelines: one on a single server, one per node on a
        cluster (redis-py's cluster pipeline refuses EVALSHA)."""
        sha = self._reserve.sha
        if not self._cluster:
            with translated("reserve batch"):
                pipe = self._client.pipeline(transaction=False)
                for _, keys, args in prepared:
                    pipe.evalsha(sha, 2, *keys, *args)
                return list(pipe.execute(raise_on_error=False))
        cluster: Any = self._client
        with translated("reserve batch"):
            by_node: dict[str, list[int]] = {}
            nodes: dict[str, Any] = {}
            for index, (_, keys, _) in enumerate(prepared):
                node = cluster.get_node_from_key(keys[0])
                nodes[node.name] = node
                by_node.setdefault(node.name, []).append(index)
            replies: list[Any] = [None] * len(prepared)
            for name, indexes in by_node.items():
                pipe = nodes[name].redis_connection.pipeline(transaction=False)
                for index in indexes:
                    _, keys, args = prepared[index]
                    pipe.evalsha(sha, 2, *keys, *args)
                for index, reply in zip(indexes, pipe.execute(raise_on_error=False), strict=True):
                    replies[index] = reply
        return replies

    def _decide(self, request: Reservation, checks: Sequence[RuleCheck], result: Any) -> LedgerDecision:
        """The decision from the script's reply."""
        status = int(result[0])
        if status == 2:
            stored = self._decode(request.enterprise, result[1])
            return LedgerDecision(stored)
        blocked: list[RuleHit] = []
        warnings: list[RuleHit] = []
        for i in range(1, len(result), 3):
            check = checks[int(result[i])]
            n = int(result[i + 1])
            if check.scope is Scope.ENTERPRISE:
                key = request.enterprise
            elif check.scope is Scope.ENTERPRISE_DEPARTMENT:
                key = f"{request.enterprise}/{request.departments[n]}"
            else:
                key = f"{request.enterprise}/{request.inspectors[n]}"
            hit = RuleHit(check.rule, check.action, check.limit, int(result[i + 2]), key)
            (blocked if check.action is Action.BLOCK else warnings).append(hit)
        if status == 0:
            return LedgerDecision(None, tuple(blocked), tuple(warnings))
        return LedgerDecision(request, (), tuple(warnings))

    def _locate(self, reservation_id: str) -> str | None:
        """The enterprise holding ``reservation_id``, by a SCAN over this ledger's id hashes
        (the fallback when the caller does not say; cost grows with the keyspace)."""
        head = f"{self._prefix}:{{"
        pattern = head.translate(_GLOB_SPECIAL) + "*}:id"
        with translated("locate"):
            keys = [bytes(k).decode("utf-8") for k in self._client.scan_iter(match=pattern, count=1000, _type="hash")]
            for key in keys:
                if self._client.hexists(key, reservation_id):
                    return key[len(head) : -len("}:id")]
        return None

    def confirm(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See :meth:`jointinspect.ports.FrequencyLedger.confirm`.

        Pass ``enterprise`` (one round trip); without it the id is searched with ``SCAN``.
        """
        owner = self._locate(reservation_id) if enterprise is None else enterprise
        if owner is not None:
            self._write(self._confirm, self._keys(owner), reservation_id, "confirm")

    def release(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See :meth:`jointinspect.ports.FrequencyLedger.release`.

        Pass ``enterprise`` (one round trip); without it the id is searched with ``SCAN``.
        """
        owner = self._locate(reservation_id) if enterprise is None else enterprise
        if owner is not None:
            self._write(self._release, self._keys(owner), reservation_id, "release")

    def _write(self, script: LuaScript, keys: tuple[str, str], reservation_id: str, operation: str) -> None:
        """Confirm or release, then wait for the replicas when required. A confirmation
        that is not acknowledged stays on this node, and a failover may turn it back into
        a pending reservation: the caller (the Engine logs it) runs reconcile or rebuild."""
        if not self._replication.enabled:
            script(keys, [reservation_id])
            return
        _, acked = self._replication.run(script, keys, [reservation_id])
        self._replication.require(acked, operation)

    def reservations(self, enterprise: str, now: pendulum.DateTime | None = None) -> list[Reservation]:
        """See :meth:`jointinspect.ports.FrequencyLedger.reservations`.

        With ``now``, expired pending reservations are left out.
        """
        with translated("reservations"):
            rows: Any = self._client.zrange(self._keys(enterprise)[0], 0, -1)
        found = [self._decode(enterprise, member) for member in rows]
        if now is not None:
            found = [r for r in found if not (r.state is _PENDING and r.expires_at and r.expires_at <= now)]
        return sorted(found, key=lambda r: (r.at, r.id))

    @staticmethod
    def _decode(enterprise: str, member: bytes | str) -> Reservation:
        text = member.decode("utf-8") if isinstance(member, bytes) else member
        at, head, kind, department, inspectors, reservation_id = text.split(_US)
        expires = head[1:]
        department, _, others = department.partition(_RS)
        return Reservation(
            id=reservation_id,
            enterprise=enterprise,
            department=department,
            departments=tuple(others[:-1].split(_RS)) if others else (),
            inspectors=tuple(inspectors[1:-1].split(_RS)) if len(inspectors) > 1 else (),
            kind=kind,
            at=from_micros(int(at)),
            state=_STATE_BACK[head[0]],
            expires_at=from_micros(int(expires)) if expires else None,
        )

    def close(self) -> None:
        """Close the client if this ledger opened it from a URL."""
        if self._owned:
            self._client.close()
