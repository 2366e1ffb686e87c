"""Redis adapter for jointinspect: the hot ports on Redis, records in the SQL store.

* :class:`RedisLedger` — the frequency ledger; every check-and-reserve is one Lua script
  called by its SHA (one round trip, atomic), on a single server or on Redis Cluster.
* :class:`RedisReplayGuard` — one-time keys consumed atomically, with expiry.
* :class:`RedisStreamNotifier` and :class:`StreamConsumer` — notifications on a Redis Stream
  with a consumer group, redelivery of unacknowledged messages and idempotency keys.

Each accepts a URL or a ready ``redis.Redis`` / ``redis.cluster.RedisCluster`` and closes
only what it opened. Driver errors become :class:`jointinspect.errors.OperationalError`
(retryable) or :class:`jointinspect.errors.StorageError`, with the driver's exception as
``__cause__``.
"""

try:
    from jointinspect_redis.guard import RedisReplayGuard
    from jointinspect_redis.ledger import RedisLedger
    from jointinspect_redis.streams import RedisStreamNotifier, StreamConsumer
except ModuleNotFoundError as exc:  # the extra was not installed
    if exc.name is None or exc.name.split(".", 1)[0] != "redis":
        raise
    raise ModuleNotFoundError(
        "jointinspect_redis needs the redis client: pip install 'jointinspect[redis]'", name=exc.name
    ) from exc

__all__ = ["RedisLedger", "RedisReplayGuard", "RedisStreamNotifier", "StreamConsumer"]
