"""The issue 12 ports (enforcement loop, watch, conflicts) on the in-memory store."""

from __future__ import annotations

from jointinspect.memory import MemoryStore
from jointinspect.ports import Store
from jointinspect.testing.oversight import OversightContract


class TestMemoryOversight(OversightContract):
    def make_store(self) -> Store:
        return MemoryStore()
