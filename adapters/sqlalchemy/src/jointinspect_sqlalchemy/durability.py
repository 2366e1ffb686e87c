"""What the SQL store needs from the database to keep a committed plan, checked at open.

A plan filed and reported to its caller must survive a crash of the database server and,
where a standby takes over, a failover:

* ``synchronous_commit`` ``on`` (or ``remote_apply``): a commit returns only once its
  WAL is flushed, on the primary and on the synchronous standbys. ``off`` returns
  before the flush, so a crash loses the last commits (a window of up to three times
  ``wal_writer_delay``); ``local`` does not wait for the standbys, so a failover loses
  what they had not received.
* A synchronous standby (``synchronous_standby_names``) for failover without loss: with
  an asynchronous standby, the commits it had not yet received are lost when it is
  promoted.

:func:`check_durability` reads both on PostgreSQL and warns (:class:`DurabilityWarning`)
or, in strict mode, raises :class:`jointinspect.errors.DurabilityError`. Other databases
are not checked (on MariaDB/MySQL the equivalents are ``innodb_flush_log_at_trx_commit=1``,
``sync_binlog=1`` and semi-synchronous replication).
"""

from __future__ import annotations

import warnings

import attrs
from sqlalchemy import Connection, text

from jointinspect.errors import DurabilityError
from jointinspect_sqlalchemy.errors import translated

#: ``synchronous_commit`` values after which a commit waits for the synchronous standbys.
_WAITS_FOR_STANDBY = frozenset({"on", "remote_write", "remote_apply"})


class DurabilityWarning(UserWarning):
    """The database may lose commits the store has reported (see :mod:`jointinspect_sqlalchemy.durability`)."""


@attrs.frozen
class Durability:
    """What the check found.

    Attributes:
        checked: whether the database's settings could be read (PostgreSQL only).
        synchronous_commit: the session's ``synchronous_commit`` (``None`` if unchecked).
        standby_names: ``synchronous_standby_names`` (``None`` if unchecked).
        problems: why commits may be lost, one sentence each (empty when none).
    """

    checked: bool
    synchronous_commit: str | None = None
    standby_names: str | None = None
    problems: tuple[str, ...] = ()

    @property
    def survives_failover(self) -> bool:
        """Whether each commit is on a synchronous standby before it returns."""
        return bool(self.standby_names) and self.synchronous_commit in _WAITS_FOR_STANDBY


def check_durability(
    connection: Connection, dialect: str, strict: bool = False, *, require_standby: bool = False
) -> Durability:
    """Check that commits on ``connection`` are durable; warn, or raise when ``strict``.

    Args:
        connection: an open connection of the store (its session settings are read).
        dialect: the store's family: ``"postgresql"``, ``"mysql"`` or ``"sqlite"``.
        strict: raise :class:`DurabilityError` instead of warning.
        require_standby: also a problem: no synchronous standby (a failover can lose
            commits).

    A problem: ``synchronous_commit`` is ``off``, or ``local`` while a synchronous standby
    is configured (``local`` without any standby is as durable as ``on``).
    """
    if dialect != "postgresql":
        return Durability(checked=False)
    with translated("durability check"):
        commit = str(connection.execute(text("SHOW synchronous_commit")).scalar_one())
        names = str(connection.execute(text("SHOW synchronous_standby_names")).scalar_one()).strip()
    problems = []
    if commit == "off":
        problems.append("synchronous_commit is off: a crash loses the last commits; set it to on")
    elif commit == "local" and names:
        problems.append("synchronous_commit is local: a failover loses commits the standby lacks; set it to on")
    if require_standby and not names:
        problems.append("no synchronous standby (synchronous_standby_names is empty): a failover can lose commits")
    found = Durability(True, commit, names, tuple(problems))
    if problems:
        reason = "; ".join(problems)
        if strict:
            raise DurabilityError(reason=reason)
        warnings.warn(f"jointinspect SQL store: {reason}", DurabilityWarning, stacklevel=2)
    return found
