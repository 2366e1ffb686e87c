"""Filing many plans at once (issue 11)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from jointinspect.auth import Principal
from jointinspect.facade._base import Facet
from jointinspect.operations import bulk
from jointinspect.requests import BulkOutcome, PlanRequest


class BulkFacet(Facet):
    """The Engine's bulk operations."""

    def file_plans(
        self,
        requests: Iterable[PlanRequest],
        *,
        by: Principal,
        chunk: int = bulk.DEFAULT_CHUNK,
        progress: Callable[[int], None] | None = None,
    ) -> BulkOutcome:
        """File many plans, in the order given, each under every rule of `file_plan`
        (the same outcome as filing them one by one in that order), ``chunk`` per unit of
        work; returns one `BulkItem` per request: its `FilingOutcome` or its typed error.
        A refused request changes nothing; a repeated plan number replays its plan.
        ``progress`` is called with the number of requests done after each chunk.

        Raises:
            Forbidden: ``by`` may not file plans (a request for another department than
                the officer's is refused in its own item).
            ValidationError: ``requests`` is not iterable or ``chunk`` is out of range.
        """
        return bulk.file_plans(self._context, requests, by, chunk, progress)
