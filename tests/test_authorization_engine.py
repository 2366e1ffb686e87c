"""The authorization contract (every matrix row, the impersonation cases of issue 9, the
custom authorizer) through the Engine on the in-memory store."""

from __future__ import annotations

from jointinspect.memory import MemoryStore
from jointinspect.ports import Store
from jointinspect.testing.authorization import AuthorizationContract


class TestMemoryAuthorization(AuthorizationContract):
    def make_store(self) -> Store:
        return MemoryStore()
