"""Replica acknowledgement: a script, then ``WAIT`` on the same connection, in one round trip.

``WAIT numreplicas timeout`` waits until the replicas have acknowledged every write sent
*on the connection it is called on*, so it must follow the write on that connection, on
the node that owns the key. A Lua script cannot call ``WAIT``, and redis-py's cluster
client takes a pooled connection per command; both commands therefore go in one
non-transactional pipeline to the node owning the key's slot (on a cluster, that node's
own client).

The default number of replicas (``replicas=None``) is decided once, at construction:

* on a Redis Cluster, 1 when ``CLUSTER NODES`` lists a replica or a primary has a
  connected replica (``INFO replication``), else 0;
* on a single server, 1 when ``INFO replication`` shows ``connected_slaves`` > 0, else 0.

Pass ``replicas=0`` to opt out, or an explicit count (recommended in production, where a
replica that happens to be down when the process starts must not silently switch the
acknowledgement off).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import pendulum
import redis
import redis.exceptions

from jointinspect.errors import ReplicationError
from jointinspect_redis._common import Client, LuaScript, is_cluster, translate

#: How long a write waits for its replicas by default.
DEFAULT_TIMEOUT = pendulum.duration(seconds=1)


def default_replicas(client: Client) -> int:
    """The safe default: 1 when the server or cluster is replicated, else 0 (see the module)."""
    try:
        if is_cluster(client):
            # Not the client's slot map: CLUSTER SLOTS omits a replica that has had no
            # replication traffic yet. One node's CLUSTER NODES, or any primary's own
            # count of connected replicas (gossip may not have told every node yet).
            cluster: Any = client
            nodes = cluster.cluster_nodes()
            if any("slave" in str(node.get("flags", "")).split(",") for node in nodes.values()):
                return 1
            counts = cluster.info("replication", target_nodes=cluster.PRIMARIES)
            # one reply per primary, keyed by node, or the reply itself for a single primary
            replies = [counts] if "connected_slaves" in counts else list(counts.values())
            return 1 if any(int(info.get("connected_slaves", 0)) > 0 for info in replies) else 0
        info: Any = client.info("replication")
        return 1 if int(info.get("connected_slaves", 0)) > 0 else 0
    except (redis.exceptions.RedisError, OSError) as exc:
        raise translate("replication info", exc) from exc


class Replication:
    """Runs scripts followed by ``WAIT`` and raises :class:`ReplicationError` when too few
    replicas acknowledge.

    Args:
        client: the ledger's or guard's client.
        replicas: replicas that must acknowledge each write (``None``: the default above).
        timeout: how long to wait for them (must be positive: ``WAIT`` with 0 blocks forever).

    """

    def __init__(self, client: Client, replicas: int | None, timeout: pendulum.Duration) -> None:
        self._client = client
        self._cluster = is_cluster(client)
        self.replicas = default_replicas(client) if replicas is None else replicas
        self.timeout_ms = int(timeout.total_seconds() * 1000)
        if self.replicas < 0:
            raise ValueError(f"replicas must be >= 0, not {self.replicas}")
        if self.replicas and self.timeout_ms <= 0:
            raise ValueError("replica_timeout must be positive (WAIT 0 would block forever)")

    @property
    def enabled(self) -> bool:
        """Whether writes wait for replicas at all."""
        return self.replicas > 0

    def _connection(self, key: str) -> Any:
        """The client of the node owning ``key`` (the client itself on a single server)."""
        if not self._cluster:
            return self._client
        cluster: Any = self._client
        return cluster.get_redis_connection(cluster.get_node_from_key(key))

    def _refresh(self) -> None:
        """After a connection error or a redirection on a cluster, reload the slot map so
        the retry goes to the node that now owns the key (the promoted replica)."""
        if self._cluster:
            cluster: Any = self._client
            with contextlib.suppress(redis.exceptions.RedisError, OSError):
                cluster.nodes_manager.initialize()

    def run(self, script: LuaScript, keys: Sequence[str], args: Sequence[str | int | bytes]) -> tuple[Any, int]:
        """Run ``script`` then ``WAIT`` on one connection; return its reply and how many
        replicas acknowledged. Driver errors are translated (refusals are retryable)."""
        for attempt in range(2):
            try:
                pipe = self._connection(keys[0]).pipeline(transaction=False)
                pipe.evalsha(script.sha, len(keys), *keys, *args)
                pipe.execute_command("WAIT", self.replicas, self.timeout_ms)
                reply, acked = pipe.execute(raise_on_error=False)
            except (redis.exceptions.RedisError, OSError) as exc:
                self._refresh()
                raise translate(script.name, exc) from exc
            if isinstance(reply, redis.exceptions.NoScriptError) and attempt == 0:
                script.load()  # the node restarted, was promoted or flushed its scripts
                continue
            for outcome in (reply, acked):
                if isinstance(outcome, Exception):
                    self._refresh()
                    raise translate(script.name, outcome) from outcome
            return reply, int(acked)
        raise AssertionError("unreachable: the second attempt returns or raises")

    def require(self, acked: int, operation: str) -> None:
        """Raise :class:`ReplicationError` when fewer than the required replicas acknowledged."""
        if acked < self.replicas:
            raise ReplicationError(
                acked=acked, wanted=self.replicas, timeout_ms=self.timeout_ms, operation=f"redis {operation}"
            )
