"""Shared plumbing: clients given or opened, Lua scripts, and error translation."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import Any, TypeAlias

import pendulum
import redis
import redis.cluster
import redis.exceptions

from jointinspect.errors import JointInspectError, OperationalError, StorageError
from jointinspect.timeutil import utc

#: A ready client: a single server or a cluster.
Client: TypeAlias = "redis.Redis | redis.cluster.RedisCluster"

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_PENDULUM_UTC = pendulum.UTC

#: Driver errors after which the same call may succeed later: the server is down, busy
#: loading, timed out, or the cluster is moving slots.
_RETRYABLE: tuple[type[Exception], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.ClusterDownError,
    redis.exceptions.TryAgainError,
    redis.exceptions.ReadOnlyError,
    redis.exceptions.RedisClusterException,
)

#: Server refusals, by the first word of the error reply (possibly inside a script's
#: error), after which the same call may succeed later: too few replicas for
#: ``min-replicas-to-write``, a replica lost its master or is read-only, the cluster is
#: down or moving slots, the server is loading its data.
_REFUSALS = ("NOREPLICAS", "MASTERDOWN", "READONLY", "CLUSTERDOWN", "TRYAGAIN", "LOADING", "MOVED", "ASK")


def retryable(exc: BaseException) -> bool:
    """Whether a driver error is an outage or a transient refusal (retrying may succeed)."""
    if isinstance(exc, _RETRYABLE):
        return True
    if isinstance(exc, redis.exceptions.ResponseError):
        text = str(exc)
        # a script's error reply is wrapped ("Error running script ...: NOREPLICAS ...")
        return any(text.startswith(word) or f" {word} " in text or f": {word}" in text for word in _REFUSALS)
    return False


def micros(value: dt.datetime) -> int:
    """Exact integer microseconds since the epoch (the hot-path twin of ``to_micros``)."""
    tz = value.tzinfo
    if tz is _PENDULUM_UTC or tz is dt.UTC:
        # offset 0 by construction (every Reservation instant is converted to pendulum's
        # UTC): plain field arithmetic, five times faster than an aware subtraction
        return (
            (value.toordinal() - _EPOCH_ORDINAL) * 86_400_000_000
            + ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000
            + value.microsecond
        )
    if tz is None or tz.utcoffset(value) is None:
        utc(value)  # raises the catalogued time.naive error
    # datetime's own subtraction: pendulum's builds an Interval, ten times slower
    delta = dt.datetime.__sub__(value, _EPOCH)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def duration_micros(value: dt.timedelta) -> int:
    """Exact integer microseconds of a duration."""
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


def translate(operation: str, exc: BaseException) -> JointInspectError:
    """The library error for a driver error (raise it ``from exc``): outages and timeouts
    become :class:`OperationalError` (retryable), anything else :class:`StorageError`."""
    # the class and the server's text (redis-py's repr of a reply error hides the text)
    reason = f"redis {operation}: {type(exc).__name__}: {exc}"
    if retryable(exc):
        return OperationalError(reason=reason)
    return StorageError(reason=reason)


@contextlib.contextmanager
def translated(operation: str) -> Iterator[None]:
    """Translate driver errors at the adapter's boundary.

    Outages and timeouts become :class:`OperationalError` (retryable), anything else
    :class:`StorageError`; the driver's exception is kept as ``__cause__``.
    """
    try:
        yield
    except (redis.exceptions.RedisError, OSError) as exc:
        raise translate(operation, exc) from exc


def open_client(client_or_url: Client | str, *, cluster: bool) -> tuple[Client, bool]:
    """Return the client to use and whether we opened it (and so must close it)."""
    if isinstance(client_or_url, str):
        if cluster:
            return redis.cluster.RedisCluster.from_url(client_or_url), True
        return redis.Redis.from_url(client_or_url), True
    return client_or_url, False


def is_cluster(client: Client) -> bool:
    """Whether ``client`` talks to a Redis Cluster."""
    return isinstance(client, redis.cluster.RedisCluster)


_INCLUDE = "--#include "


def lua_source(name: str) -> str:
    """Return the text of a Lua script shipped as package data, with each line
    ``--#include <file>`` replaced by that file's text (one level: how reserve.lua and
    amend.lua share their rule evaluation, so the two cannot drift apart)."""
    folder = resources.files("jointinspect_redis").joinpath("lua")
    lines = folder.joinpath(name).read_text("utf-8").splitlines(keepends=True)
    return "".join(
        folder.joinpath(line[len(_INCLUDE) :].strip()).read_text("utf-8") if line.startswith(_INCLUDE) else line
        for line in lines
    )


class LuaScript:
    """A script called by its SHA (EVALSHA), loaded again when the server lost it.

    On a cluster, ``SCRIPT LOAD`` goes to every primary, so a script survives a failover or
    a node that never saw it.
    """

    def __init__(self, client: Client, name: str) -> None:
        self._client = client
        self._script = client.register_script(lua_source(name))
        self.name = name

    @property
    def sha(self) -> str:
        """The script's SHA1."""
        return str(self._script.sha)

    def load(self) -> None:
        """Load the script again (on every primary of a cluster)."""
        with translated(self.name):
            self._script.sha = self._client.script_load(self._script.script)

    def __call__(self, keys: Sequence[str], args: Sequence[str | int | bytes]) -> Any:
        """Run the script; driver errors are translated (see :func:`translated`)."""
        with translated(self.name):
            return self._script(keys=list(keys), args=list(args))
