"""The shipped contract suites, run from an installed wheel (not collected from the tree).

``scripts/wheel_check.sh`` builds the wheel, installs it with the ``testing`` and ``sql``
extras in a fresh virtual environment, copies this file into an empty temporary directory as
``test_installed_contracts.py`` and runs pytest there: the source tree is not on ``sys.path``,
so everything below comes from the wheel, exactly as an integrator's adapter tests would.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jointinspect_sqlalchemy
import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test
from jointinspect_sqlalchemy import SQLStore

import jointinspect
from jointinspect.memory import MemoryLedger, MemoryReplayGuard, MemoryStore
from jointinspect.ports import FrequencyLedger, Store
from jointinspect.testing.contract import StoreContract
from jointinspect.testing.ledger import LedgerContract, ReplayGuardContract
from jointinspect.testing.model import engine_machine


def test_the_console_script_runs_from_the_installed_wheel(tmp_path: Path) -> None:
    """The wheel's ``jointinspect`` script (beside this interpreter) creates a store and
    prints a key line, importing the installed package."""
    script = Path(sys.executable).parent / "jointinspect"
    assert script.exists(), f"no console script at {script}"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JOINTINSPECT_SIGNING_SEED")}
    url = f"sqlite:///{tmp_path / 'city.db'}"
    init = subprocess.run(
        [str(script), "--json", "--store", url, "init"], check=False, capture_output=True, text=True, env=env
    )
    assert init.returncode == 0, init.stderr
    assert json.loads(init.stdout)["migrated"] is True
    keys = subprocess.run(
        [str(script), "--json", "keys", "rotate"], check=False, capture_output=True, text=True, env=env
    )
    assert keys.returncode == 0, keys.stderr
    assert json.loads(keys.stdout)["current"] == json.loads(keys.stdout)["rotated"]


def test_imports_come_from_the_installed_wheel() -> None:
    site = Path(sys.prefix).resolve()
    for module in (jointinspect, jointinspect_sqlalchemy):
        assert module.__file__ is not None
        where = Path(module.__file__).resolve()
        assert site in where.parents, f"{module.__name__} imported from {where}, not from {site}"
    tree = os.environ.get("JOINTINSPECT_SOURCE_TREE")
    if tree:
        assert not any(Path(p or ".").resolve() == Path(tree).resolve() for p in sys.path)
    assert jointinspect.__version__


def test_migrations_and_lua_scripts_are_package_data() -> None:
    from importlib import resources

    migrations = resources.files("jointinspect_sqlalchemy") / "migrations"
    assert (migrations / "env.py").is_file()
    assert (migrations / "script.py.mako").is_file()
    assert any(p.name.endswith(".py") for p in (migrations / "versions").iterdir())
    # Found, not imported: the redis extra (the client) is not installed here.
    spec = importlib.util.find_spec("jointinspect_redis")
    assert spec is not None and spec.submodule_search_locations
    lua = Path(next(iter(spec.submodule_search_locations))) / "lua"
    assert {p.name for p in lua.iterdir()} >= {"reserve.lua", "consume.lua"}


class TestMemoryStore(StoreContract):
    def make_store(self) -> Store:
        return MemoryStore()


class TestMemoryLedger(LedgerContract):
    def make_ledger(self) -> FrequencyLedger:
        return MemoryLedger()


class TestMemoryReplayGuard(ReplayGuardContract):
    def make_guard(self) -> Any:
        return MemoryReplayGuard()


class TestSQLiteFileStore(StoreContract):
    @pytest.fixture(autouse=True)
    def _directory(self, tmp_path: Path) -> None:
        self.path = tmp_path / "store.db"

    def make_store(self) -> Store:
        return SQLStore(f"sqlite:///{self.path}", create=True)


class TestSQLiteMemoryStore(StoreContract):
    def make_store(self) -> Store:
        return SQLStore("sqlite://", create=True)


class TestSQLiteLedger(LedgerContract):
    property_examples = 20

    def make_ledger(self) -> FrequencyLedger:
        return SQLStore("sqlite://", create=True).ledger()


class TestSQLiteReplayGuard(ReplayGuardContract):
    def make_guard(self) -> Any:
        return SQLStore("sqlite://", create=True).replay_guard()


def test_engine_matches_the_reference_model_on_sqlite() -> None:
    machine = engine_machine(lambda: SQLStore("sqlite://", create=True), max_examples=10)
    run_state_machine_as_test(machine, settings=settings(max_examples=10, deadline=None))
