"""The repositories of issue 12 capabilities 5, 6 and 8: the guidance-penalty-assistance
loop (指导-处罚-帮扶), the inefficient-inspection watch and conflicting standards.

Part of `jointinspect.ports`; its docstring states the rules every repository keeps.
"""

from __future__ import annotations

from typing import Protocol

from jointinspect.model.conflict import ConflictFlag
from jointinspect.model.guidance import LoopStep
from jointinspect.model.watch import InspectorStreak


class EnforcementLoopRepository(Protocol):
    """Steps of the guidance-penalty-assistance loop (指导-处罚-帮扶), append-only."""

    def add(self, step: LoopStep) -> None:
        """Insert a new step (its id must be new)."""
        ...

    def for_result(self, result_id: str) -> list[LoopStep]:
        """The steps about one result, ordered by ``(at, id)``."""
        ...

    def for_enterprise(self, enterprise: str) -> list[LoopStep]:
        """The steps about one enterprise, ordered by ``(at, id)``; never another's."""
        ...


class InspectorWatchRepository(Protocol):
    """Runs of no-finding inspections per (inspector, enterprise)."""

    def get(self, inspector_id: str, enterprise: str) -> InspectorStreak | None:
        """The run of one inspector at one enterprise, or ``None``."""
        ...

    def put(self, streak: InspectorStreak) -> None:
        """Insert or replace the run keyed by ``(inspector_id, enterprise)``."""
        ...

    def for_inspector(self, inspector_id: str) -> list[InspectorStreak]:
        """Every run of one inspector, ordered by enterprise."""
        ...


class ConflictRepository(Protocol):
    """Conflicting standards flagged on inspections."""

    def add(self, flag: ConflictFlag) -> None:
        """Insert a new flag (its id must be new)."""
        ...

    def update(self, flag: ConflictFlag) -> None:
        """Replace a stored flag with the same id (its resolution)."""
        ...

    def get(self, flag_id: str) -> ConflictFlag | None:
        """One flag by id."""
        ...

    def for_inspection(self, inspection_id: str) -> list[ConflictFlag]:
        """The flags of one inspection, ordered by ``id``."""
        ...
