"""The reference data's repository: enterprises, departments, inspectors, supervision
items and scenarios.

Part of `jointinspect.ports`; its docstring states the rules every repository keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from jointinspect.model.reference import Department, Enterprise, Inspector, Scenario, SupervisionItem


class ReferenceRepository(Protocol):
    """Enterprises, departments, inspectors, items and scenarios (upserted by key)."""

    def put_enterprise(self, enterprise: Enterprise) -> None:
        """Insert or replace an enterprise."""
        ...

    def get_enterprise(self, credit_code: str) -> Enterprise | None:
        """One enterprise by credit code."""
        ...

    def get_enterprises(self, credit_codes: Sequence[str]) -> dict[str, Enterprise]:
        """`get_enterprise` for many credit codes at once (bulk filing preloads a chunk's
        enterprises, issue 11): ``{credit_code: enterprise}`` for each registered one,
        unknown codes left out; an empty sequence returns ``{}``."""
        ...

    def put_department(self, department: Department) -> None:
        """Insert or replace a department."""
        ...

    def get_department(self, code: str) -> Department | None:
        """One department by code."""
        ...

    def put_inspector(self, inspector: Inspector) -> None:
        """Insert or replace an inspector."""
        ...

    def get_inspector(self, inspector_id: str) -> Inspector | None:
        """One inspector by id."""
        ...

    def put_item(self, item: SupervisionItem) -> None:
        """Insert or replace a supervision item."""
        ...

    def get_item(self, code: str) -> SupervisionItem | None:
        """One supervision item by code."""
        ...

    def put_scenario(self, scenario: Scenario) -> None:
        """Insert or replace a scenario."""
        ...

    def get_scenario(self, code: str) -> Scenario | None:
        """One scenario by code."""
        ...
