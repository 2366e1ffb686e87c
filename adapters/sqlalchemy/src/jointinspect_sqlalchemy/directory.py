"""Listing the registered enterprises, for rebuilding a whole separate ledger.

:class:`jointinspect.ledger_rebuild.EnterpriseDirectory` is an optional capability of a
reference repository: the SQL store's offers it by delegating to :func:`enterprise_codes`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from jointinspect_sqlalchemy import schema as s


def enterprise_codes(uow: Any) -> list[str]:
    """Every registered enterprise's credit code, sorted, read in ``uow``'s transaction
    (an ``SQLUnitOfWork``; typed loosely so this module does not import the store)."""
    t = s.enterprises
    return [str(row[0]) for row in uow.execute(select(t.c.credit_code).order_by(t.c.credit_code))]
