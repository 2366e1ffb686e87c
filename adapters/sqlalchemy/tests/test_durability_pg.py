"""The SQL store's durability check on a real PostgreSQL: synchronous_commit off (the test
server's setting) is reported by a warning or, strictly, an error; on is quiet; a missing
synchronous standby is a problem only when asked for."""

from __future__ import annotations

import warnings

import pytest
from jointinspect_sqlalchemy.durability import DurabilityWarning, check_durability
from sqlalchemy import create_engine, text

from jointinspect.errors import DurabilityError

pytestmark = pytest.mark.server("postgresql")


def test_synchronous_commit_off_warns_or_raises(postgresql_url: str) -> None:
    engine = create_engine(postgresql_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SET synchronous_commit = off"))
            with pytest.warns(DurabilityWarning, match="synchronous_commit is off"):
                found = check_durability(conn, "postgresql", strict=False)
            assert found.checked and found.synchronous_commit == "off" and not found.survives_failover
            with pytest.raises(DurabilityError) as caught:
                check_durability(conn, "postgresql", strict=True)
            assert caught.value.code == "storage.durability" and not caught.value.retryable
    finally:
        engine.dispose()


@pytest.mark.parametrize("setting", ["on", "local", "remote_apply"])
def test_durable_settings_are_quiet(postgresql_url: str, setting: str) -> None:
    engine = create_engine(postgresql_url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f"SET synchronous_commit = {setting}"))
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                found = check_durability(conn, "postgresql", strict=True)
            # no standby configured: local is as durable as on, and no failover is safe
            assert found.problems == () and found.standby_names == "" and not found.survives_failover
            with pytest.raises(DurabilityError, match="no synchronous standby"):
                check_durability(conn, "postgresql", strict=True, require_standby=True)
    finally:
        engine.dispose()


def test_other_databases_are_not_checked(tmp_path: object) -> None:
    engine = create_engine("sqlite://")
    try:
        with engine.connect() as conn:
            assert not check_durability(conn, "sqlite", strict=True).checked
    finally:
        engine.dispose()
