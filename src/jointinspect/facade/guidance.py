"""The first-violation and minor-violation lists and the guidance-penalty-assistance loop
(issue 12, capability 5)."""

from __future__ import annotations

from collections.abc import Sequence

from jointinspect.auth import Principal
from jointinspect.facade._base import Facet
from jointinspect.model.guidance import LoopStage, LoopStep
from jointinspect.operations import guidance
from jointinspect.requests import ResultOutcome


class GuidanceFacet(Facet):
    """首违不罚 / 轻微免罚 and 指导-处罚-帮扶."""

    def record_violation(
        self,
        inspection_id: str,
        item: str,
        circumstance: str,
        note: str = "",
        evidence: Sequence[str] = (),
        *,
        by: Principal,
    ) -> ResultOutcome:
        """Record a failed item in ``circumstance``, as `record_result` does; a first violation
        on ``policy.guidance.items`` for that circumstance becomes guidance with no penalty."""
        return guidance.record_violation(self._context, inspection_id, item, circumstance, note, evidence, by)

    def record_loop_step(self, result_id: str, stage: LoopStage | str, note: str = "", *, by: Principal) -> LoopStep:
        """The result's department records a ``"penalty"`` or the ``"assistance"`` it offered.

        Raises:
            IllegalTransition: ``guidance.no_penalty`` for a penalty on a listed first violation.
        """
        return guidance.record_loop_step(self._context, result_id, stage, note, by)

    def enforcement_loop(self, enterprise: str, *, by: Principal) -> list[LoopStep]:
        """Guidance, penalties and assistance about one enterprise, oldest first."""
        return guidance.enforcement_loop(self._context, enterprise, by)
