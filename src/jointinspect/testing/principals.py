"""Principals for tests and examples of the example city (`jointinspect.sample`).

The example city names an inspector ``<DEPARTMENT>-I<nn>``, so the department of an
inspector principal is read from the id; a real platform maps its logged-in users instead
(docs/authorization.md).
"""

from __future__ import annotations

from jointinspect.auth import Principal

__all__ = ["SUPERVISOR", "SYSTEM", "approver", "enterprise", "inspector", "officer"]

#: The platform itself: reference data, maintenance, code issuing.
SYSTEM = Principal.system()
#: The supervising justice bureau (holds the ``supervisor`` approval role).
SUPERVISOR = Principal.supervisor(user="reviewer")


def officer(department: str, user: str | None = None) -> Principal:
    """An officer of ``department``."""
    return Principal.officer(department, user=user)


def inspector(inspector_id: str) -> Principal:
    """The inspector ``inspector_id`` of the example city (its department is the id's prefix)."""
    return Principal.inspector(inspector_id, department=inspector_id.rsplit("-I", 1)[0])


def enterprise(credit_code: str) -> Principal:
    """The enterprise with ``credit_code``."""
    return Principal.enterprise(credit_code)


def approver(role: str, department: str = "SCJG", *, user: str | None = None) -> Principal:
    """A principal holding the approval ``role``: the supervising bureau for ``supervisor``,
    the legal section of ``department`` for ``legal_office``; ``user`` names the person."""
    if str(role) == "legal_office":
        return Principal.legal_office(department, user=user or "legal")
    return Principal.supervisor(user=user or "reviewer", roles=(str(role),))
