"""SQL store for jointinspect: SQLite (embedded default), PostgreSQL and MariaDB/MySQL.

::

    from jointinspect_sqlalchemy import SQLStore
    store = SQLStore("sqlite:///inspections.db", create=True)

:func:`open_store` is what :func:`jointinspect.stores.open_store` calls for SQL URLs.
"""

from __future__ import annotations

from typing import Any

try:
    from sqlalchemy import URL, Engine
    from sqlalchemy.engine import make_url
except ModuleNotFoundError as exc:  # the extra was not installed
    raise ModuleNotFoundError(
        f"jointinspect_sqlalchemy needs {exc.name}: pip install 'jointinspect[sql]' "
        "(or [postgresql], [mysql] for their drivers)",
        name=exc.name,
    ) from exc

from jointinspect_sqlalchemy.migrate import current_revision, downgrade, head_revision, upgrade
from jointinspect_sqlalchemy.schema import metadata
from jointinspect_sqlalchemy.store import (
    SQLLedger,
    SQLReplayGuard,
    SQLStandaloneLedger,
    SQLStore,
    SQLUnitOfWork,
)

__all__ = [
    "SQLLedger",
    "SQLReplayGuard",
    "SQLStandaloneLedger",
    "SQLStore",
    "SQLUnitOfWork",
    "current_revision",
    "downgrade",
    "head_revision",
    "metadata",
    "open_store",
    "upgrade",
]


def open_store(url: str | URL | Engine, **options: Any) -> SQLStore:
    """Open a :class:`SQLStore`.

    An SQLite file is created and migrated on first use (``create`` defaults to true for
    SQLite: the embedded default needs nothing but a path); on PostgreSQL and MariaDB the
    schema is a deliberate step (``jointinspect-sql upgrade URL``) unless ``create=True``.
    """
    if "create" not in options:
        backend = url.dialect.name if isinstance(url, Engine) else make_url(url).get_backend_name()
        options["create"] = backend == "sqlite"
    return SQLStore(url, **options)
