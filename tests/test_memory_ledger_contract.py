"""The in-memory ledger and replay guard pass the contract suites every adapter passes."""

from typing import Any

from jointinspect.memory import MemoryLedger, MemoryReplayGuard
from jointinspect.ports import FrequencyLedger
from jointinspect.testing.ledger import LedgerContract, ReplayGuardContract


class TestMemoryLedger(LedgerContract):
    def make_ledger(self) -> FrequencyLedger:
        return MemoryLedger()


class TestMemoryReplayGuard(ReplayGuardContract):
    def make_guard(self) -> Any:
        return MemoryReplayGuard()
