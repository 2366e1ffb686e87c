"""The shipped ledger and replay-guard contract suites, on a single server and a cluster."""

from __future__ import annotations

import pytest
import redis
import redis.cluster
from jointinspect_redis import RedisLedger, RedisReplayGuard
from redis_support import unique_prefix

from jointinspect.testing.ledger import LedgerContract, ReplayGuardContract


class TestSingleServerLedger(LedgerContract):
    @pytest.fixture(autouse=True)
    def _client(self, single_client: redis.Redis) -> None:
        self.client = single_client

    def make_ledger(self) -> RedisLedger:
        return RedisLedger(self.client, prefix=unique_prefix())


class TestClusterLedger(LedgerContract):
    @pytest.fixture(autouse=True)
    def _client(self, cluster_client: redis.cluster.RedisCluster) -> None:
        self.client = cluster_client

    def make_ledger(self) -> RedisLedger:
        return RedisLedger(self.client, prefix=unique_prefix())


class TestSingleServerGuard(ReplayGuardContract):
    @pytest.fixture(autouse=True)
    def _client(self, single_client: redis.Redis) -> None:
        self.client = single_client

    def make_guard(self) -> RedisReplayGuard:
        return RedisReplayGuard(self.client, prefix=unique_prefix())


class TestClusterGuard(ReplayGuardContract):
    @pytest.fixture(autouse=True)
    def _client(self, cluster_client: redis.cluster.RedisCluster) -> None:
        self.client = cluster_client

    def make_guard(self) -> RedisReplayGuard:
        return RedisReplayGuard(self.client, prefix=unique_prefix())
