"""Conflicting standards across departments (issue 12, capability 8)."""

from __future__ import annotations

from jointinspect.auth import Principal
from jointinspect.facade._base import Facet
from jointinspect.model.conflict import ConflictFlag
from jointinspect.operations import conflicts


class ConflictFacet(Facet):
    """Conflicts flagged before the visit, and which standard prevailed."""

    def resolve_conflict(self, flag_id: str, prevailing: str, reason: str, *, by: Principal) -> ConflictFlag:
        """Record that the standard of item ``prevailing`` prevailed on the visit, and why.

        Raises:
            ValidationError: ``conflict.not_a_party``. IllegalTransition: ``conflict.already_resolved``.
        """
        return conflicts.resolve_conflict(self._context, flag_id, prevailing, reason, by)

    def conflicts_of(self, inspection_id: str, *, by: Principal) -> list[ConflictFlag]:
        """The conflicting standards flagged on one inspection."""
        return conflicts.conflicts_of(self._context, inspection_id, by)
