"""Choose a store by URL, importing optional adapters only when asked for.

``memory://`` gives a `MemoryStore`; ``sqlite:///path``,
``postgresql+psycopg://...`` and ``mysql+pymysql://...`` give the SQL store
(``jointinspect_sqlalchemy``, shipped in the same distribution), whose drivers come with the
extras ``sql``, ``postgresql`` and ``mysql``.
"""

from __future__ import annotations

import importlib
from typing import Any

from jointinspect.errors import ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.ports import Store

_SQL_SCHEMES = ("sqlite", "postgresql", "mysql", "mariadb")
#: scheme -> the extra that installs SQLAlchemy and the scheme's driver
_EXTRAS = {"sqlite": "sql", "postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql"}
#: driver module -> (the extra that installs a driver, the URL scheme that uses it)
_DRIVERS = {
    "psycopg": ("postgresql", "postgresql+psycopg"),
    "psycopg2": ("postgresql", "postgresql+psycopg"),
    "pymysql": ("mysql", "mysql+pymysql"),
    "MySQLdb": ("mysql", "mysql+pymysql"),
}


def open_store(url: str, **options: Any) -> Store:
    """Open the store named by ``url``; ``options`` go to the adapter.

    Raises:
        ValidationError: unknown scheme, or the adapter distribution is not installed
            (the message names the extra to install).
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
                reason=f"{scheme} stores need SQLAlchemy: pip install 'jointinspect[{_EXTRAS[scheme]}]'",
                reason_zh=f"{scheme} 存储需要安装 jointinspect[{_EXTRAS[scheme]}]",
            ) from exc
        try:
            store: Store = module.open_store(url, **options)
        except ModuleNotFoundError as exc:
            # SQLAlchemy imports the driver when the engine is created.
            driver = (exc.name or "").split(".", 1)[0]
            if driver not in _DRIVERS:
                raise
            extra, with_scheme = _DRIVERS[driver]
            raise ValidationError(
                "input.invalid",
                reason=f"the {driver} driver is not installed: pip install 'jointinspect[{extra}]' "
                f"and use a {with_scheme}:// URL",
                reason_zh=f"未安装 {driver} 驱动:请安装 jointinspect[{extra}] 并使用 {with_scheme}:// 地址",
            ) from exc
        return store
    raise ValidationError(
        "input.invalid",
        reason=f"unknown store URL scheme {scheme!r} in {url!r}",
        reason_zh=f"未知的存储地址方案 {scheme!r}({url!r})",
    )
