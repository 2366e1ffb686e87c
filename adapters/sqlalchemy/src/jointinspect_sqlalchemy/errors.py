"""Driver errors translated into the library's storage errors, the original kept as cause.

* constraint violations -> :class:`~jointinspect.errors.IntegrityError` (not retryable);
* serialization failures and deadlocks (PostgreSQL SQLSTATE ``40001`` / ``40P01``,
  MariaDB 1213, lock wait timeout 1205) -> :class:`~jointinspect.errors.ConcurrencyConflict`;
* everything else the database or the connection reports (lost connection, SQLite's
  ``database is locked`` after the busy timeout, pool timeout) ->
  :class:`~jointinspect.errors.OperationalError`, retryable.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import exc as sa_exc

from jointinspect.errors import (
    ConcurrencyConflict,
    IntegrityError,
    JointInspectError,
    OperationalError,
    StorageError,
)

_PG_CONFLICT = {"40001", "40P01"}
_DRIVERS = {"sqlite3", "psycopg", "pymysql"}
_MYSQL_CONFLICT = {1205, 1213}


def _driver_code(orig: BaseException | None) -> object:
    """SQLSTATE (psycopg) or the server's error number (PyMySQL), if any."""
    if orig is None:
        return None
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        return sqlstate
    args = getattr(orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def translate(error: BaseException, subject: str = "storage") -> StorageError:
    """The storage error that stands for ``error`` (a SQLAlchemy or driver exception)."""
    orig = getattr(error, "orig", None)
    text = str(orig if orig is not None else error).strip()
    reason = text.splitlines()[0][:300] if text else type(error).__name__
    code = _driver_code(orig)
    if code in _PG_CONFLICT or code in _MYSQL_CONFLICT:
        return ConcurrencyConflict("storage.conflict", subject=subject, reason=reason)
    name = type(orig if orig is not None else error).__name__
    if isinstance(error, sa_exc.IntegrityError) or name == "IntegrityError":
        return IntegrityError("storage.integrity", reason=reason)
    if isinstance(error, sa_exc.DataError) or name == "DataError":
        # Values the column cannot hold (too long, out of range): retrying will not help.
        return IntegrityError("storage.integrity", reason=reason)
    return OperationalError("storage.operational", reason=reason)


@contextlib.contextmanager
def translated(subject: str = "storage") -> Iterator[None]:
    """Re-raise SQLAlchemy / DBAPI errors inside the block as storage errors."""
    try:
        yield
    except JointInspectError:
        raise
    except (sa_exc.SQLAlchemyError, OSError) as error:
        raise translate(error, subject) from error
    except Exception as error:
        # A driver error SQLAlchemy did not wrap (raw connections, pool setup).
        if type(error).__module__.split(".")[0] not in _DRIVERS:
            raise
        raise translate(error, subject) from error
