"""Choose a store by URL, importing optional adapters only when asked for.

``memory://`` gives a `MemoryStore`; ``sqlite:///path``,
``postgresql+psycopg://...`` and ``mysql+pymysql://...`` give the SQL store of the
``jointinspect-sqlalchemy`` distribution, which must be installed.
"""

from __future__ import annotations

import importlib
from typing import Any

from jointinspect.errors import ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.ports import Store

_SQL_SCHEMES = ("sqlite", "postgresql", "mysql", "mariadb")


def open_store(url: str, **options: Any) -> Store:
    """Open the store named by ``url``; ``options`` go to the adapter.

    Raises:
        ValidationError: unknown scheme, or the adapter distribution is not installed
            (the message names the package to install).
    """
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if scheme == "memory":
        return MemoryStore()
    if scheme in _SQL_SCHEMES:
        try:
            module = importlib.import_module("jointinspect_sqlalchemy")
        except ImportError as exc:
            raise ValidationError(
                "input.invalid",
                reason=f"{scheme} stores need the SQL adapter: pip install 'jointinspect[sql]' "
                "(distribution jointinspect-sqlalchemy)",
            ) from exc
        store: Store = module.open_store(url, **options)
        return store
    raise ValidationError("input.invalid", reason=f"unknown store URL scheme {scheme!r} in {url!r}")
