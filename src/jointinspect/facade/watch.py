"""The inefficient-inspection watch (issue 12, capability 6)."""

from __future__ import annotations

from jointinspect.auth import Principal
from jointinspect.facade._base import Facet
from jointinspect.model.watch import InspectorStreak
from jointinspect.operations import watch


class WatchFacet(Facet):
    """Consecutive no-finding inspections block an inspector until a supervisor explains."""

    def explain_watch(self, inspector_id: str, enterprise: str, explanation: str, *, by: Principal) -> InspectorStreak:
        """A supervisor records why ``inspector_id`` found nothing at ``enterprise``; unblocks.

        Raises:
            IllegalTransition: ``watch.not_blocked``.
        """
        return watch.explain_watch(self._context, inspector_id, enterprise, explanation, by)

    def inspector_watch(self, inspector_id: str, enterprise: str, *, by: Principal) -> InspectorStreak | None:
        """The inspector's run of no-finding inspections at the enterprise (``None``: none)."""
        return watch.inspector_watch(self._context, inspector_id, enterprise, by)
