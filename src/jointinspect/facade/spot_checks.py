"""Random spot checks (双随机、一公开): draw, publish and file a campaign; declare conflicts."""

from __future__ import annotations

from jointinspect.auth import Principal
from jointinspect.facade._base import Facet
from jointinspect.model.spot_check import Conflict
from jointinspect.operations import spot_checks
from jointinspect.operations.spot_checks import SpotCheckOutcome, SpotCheckRequest


class SpotCheckFacet(Facet):
    """The Engine's spot-check operations (see `jointinspect.operations.spot_checks`)."""

    def draw_spot_check(self, request: SpotCheckRequest, *, by: Principal) -> SpotCheckOutcome:
        """Draw a campaign by credit class with recusal, publish it with its seed, and file
        its pairs as plans of kind random (by an officer of ``request.department``).

        Raises:
            ValidationError: ``spot_check.*`` (already drawn, share out of range, too few
                inspectors after recusal), unknown enterprises, items or inspectors.
        """
        return spot_checks.draw_spot_check(self._context, request, by)

    def refile_spot_check(self, department: str, campaign: str, *, by: Principal) -> SpotCheckOutcome:
        """File a drawn campaign's plans again (each once, by its plan number): the repair
        when filing stopped between the draw and its plans."""
        return spot_checks.refile_spot_check(self._context, department, campaign, by)

    def declare_conflict(self, inspector_id: str, enterprise: str, reason: str = "", *, by: Principal) -> Conflict:
        """Declare an inspector's conflict of interest with an enterprise (by the inspector
        or an officer of their department): the inspector is never drawn for it."""
        return spot_checks.declare_conflict(self._context, inspector_id, enterprise, reason, by)
