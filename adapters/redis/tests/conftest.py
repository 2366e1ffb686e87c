"""Clients for the Redis adapter tests, on the root conftest's throwaway servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
import redis.cluster


@pytest.fixture(scope="session")
def single_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url, max_connections=64)
    yield client
    client.close()


@pytest.fixture(scope="session")
def cluster_client(redis_cluster_nodes: list[tuple[str, int]]) -> Iterator[redis.cluster.RedisCluster]:
    client = redis.cluster.RedisCluster(
        startup_nodes=[redis.cluster.ClusterNode(h, p) for h, p in redis_cluster_nodes],
        max_connections=64,
    )
    yield client
    client.close()


@pytest.fixture(params=["single", "cluster"])
def any_client(request: pytest.FixtureRequest) -> redis.Redis | redis.cluster.RedisCluster:
    """Each test using it runs once on a single server and once on the cluster."""
    return request.getfixturevalue(f"{request.param}_client")  # type: ignore[no-any-return]
