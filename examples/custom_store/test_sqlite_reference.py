"""The contract suites of ``jointinspect.testing`` run against the example store."""

from __future__ import annotations

import atexit
import itertools
import shutil
import tempfile
from pathlib import Path

# pytest puts this folder on sys.path (rootdir-relative "prepend" import mode).
from sqlite_reference import HybridStore

from jointinspect.ports import Store
from jointinspect.testing.contract import StoreContract
from jointinspect.testing.ledger import ReplayGuardContract
from jointinspect.testing.maintenance import MaintenanceContract

_folder = tempfile.mkdtemp(prefix="jointinspect-custom-store-")
atexit.register(shutil.rmtree, _folder, ignore_errors=True)
_numbers = itertools.count()


def fresh_store() -> HybridStore:
    """A fresh, empty store on a new SQLite file."""
    return HybridStore(Path(_folder) / f"reference-{next(_numbers)}.db")


class TestHybridStore(StoreContract):
    """Round trips, order, rollback, races, idempotent filing, bounded reads..."""

    def make_store(self) -> Store:
        return fresh_store()


class TestHybridMaintenance(MaintenanceContract):
    """Outbox and replay-key pruning."""

    def make_store(self) -> Store:
        return fresh_store()


class TestHybridReplayGuard(ReplayGuardContract):
    """One-time keys: first consume wins, expiry, races."""

    def make_guard(self) -> object:
        return fresh_store().replay_guard()
