"""The servers a run measures against: throwaway PostgreSQL and Redis (or the URLs given),
and a fresh PostgreSQL database per measurement (shared by run.py, bulk.py and history.py)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from benchmarks import matching
from benchmarks.report import Report

# --------------------------------------------------------------------------- servers


@contextlib.contextmanager
def servers(pg_url: str | None, redis_url: str | None, report: Report) -> Iterator[tuple[str | None, str | None]]:
    """The PostgreSQL and Redis URLs to measure against: those given, else throwaway servers
    started for the run and removed after it (one that cannot start is noted and yields ``None``)."""
    from testsupport import servers as ts  # noqa: PLC0415 - optional, imported when used

    started: list[object] = []
    try:
        if pg_url is None:
            try:
                pg = ts.start_postgres()
                started.append(pg)
                pg_url = pg.url
            except (ts.ServerBinariesMissing, ts.ServerStartError) as exc:
                report.notes.append(f"PostgreSQL not started: {exc}")
        if redis_url is None:
            try:
                rd = ts.start_redis()
                started.append(rd)
                redis_url = rd.url
            except (ts.ServerBinariesMissing, ts.ServerStartError) as exc:
                report.notes.append(f"Redis not started: {exc}")
        yield pg_url, redis_url
    finally:
        for s in reversed(started):
            s.close()  # type: ignore[attr-defined]


def sqlalchemy_pg(url: str) -> str:
    """The SQLAlchemy URL (psycopg driver) of a PostgreSQL URL."""
    return url if "+psycopg" in url else url.replace("postgresql://", "postgresql+psycopg://", 1)


def fresh_pg_database(url: str, name: str) -> str:
    """Drop and recreate the database ``name`` on the server of ``url``; returns its SQLAlchemy URL."""
    import psycopg  # noqa: PLC0415 - optional, imported when used

    base = matching.pg_dsn(url)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    return sqlalchemy_pg(re.sub(r"/[^/]*$", f"/{name}", url))
