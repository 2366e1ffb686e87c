"""Bounded growth with the Redis replay guard: the shipped maintenance contract, on a single
server and a cluster (the outbox cases run on the memory store the guard is paired with)."""

from __future__ import annotations

import pytest
import redis
import redis.cluster
from jointinspect_redis import RedisReplayGuard
from redis_support import unique_prefix

from jointinspect.memory import MemoryStore
from jointinspect.testing.maintenance import MaintenanceContract


class _StoreWithRedisGuard(MemoryStore):
    """A memory store whose one-time keys live in Redis."""

    def __init__(self, guard: RedisReplayGuard) -> None:
        super().__init__()
        self._guard = guard

    def replay_guard(self) -> RedisReplayGuard:  # type: ignore[override]
        return self._guard


class TestSingleServerMaintenance(MaintenanceContract):
    @pytest.fixture(autouse=True)
    def _client(self, single_client: redis.Redis) -> None:
        self.client = single_client

    def make_store(self) -> MemoryStore:
        return _StoreWithRedisGuard(RedisReplayGuard(self.client, prefix=unique_prefix()))


class TestClusterMaintenance(MaintenanceContract):
    @pytest.fixture(autouse=True)
    def _client(self, cluster_client: redis.cluster.RedisCluster) -> None:
        self.client = cluster_client

    def make_store(self) -> MemoryStore:
        return _StoreWithRedisGuard(RedisReplayGuard(self.client, prefix=unique_prefix()))


def test_prune_leaves_other_prefixes_alone(single_client: redis.Redis) -> None:
    import pendulum

    t0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
    mine, other = (
        RedisReplayGuard(single_client, prefix=unique_prefix()),
        RedisReplayGuard(single_client, prefix=unique_prefix()),
    )
    assert mine.consume("a", t0.add(hours=1), t0) and other.consume("a", t0.add(hours=1), t0)
    assert mine.prune(t0.add(hours=2)) == 1
    assert not other.consume("a", t0.add(hours=1), t0)  # still remembered
