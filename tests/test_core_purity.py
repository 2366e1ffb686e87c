"""The core stays free of drivers: importing jointinspect, or any of its modules outside
``jointinspect.testing``, loads no database, Redis or network client library.

Each check runs in a fresh interpreter so that modules other tests imported do not count.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import jointinspect

FORBIDDEN = (
    "sqlalchemy",
    "alembic",
    "redis",
    "psycopg",
    "psycopg2",
    "pymysql",
    "MySQLdb",
    "asyncpg",
    "requests",
    "httpx",
    "urllib3",
    "aiohttp",
    "jointinspect_sqlalchemy",
    "jointinspect_redis",
)


def core_modules() -> list[str]:
    names = ["jointinspect"]
    for info in pkgutil.walk_packages(jointinspect.__path__, "jointinspect."):
        if info.name == "jointinspect.testing" or info.name.startswith("jointinspect.testing."):
            continue
        names.append(info.name)
    return sorted(names)


# The probe imports the jointinspect under test (not whichever copy -I would find installed).
PROBE = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
for name in sys.argv[2:]:
    importlib.import_module(name)
print(json.dumps(sorted(sys.modules)))
"""


def loaded_after_import(*modules: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-I", "-c", PROBE, str(Path(jointinspect.__file__).parents[1]), *modules],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return {m.split(".")[0] for m in json.loads(out.stdout.strip().splitlines()[-1])}


def test_the_module_list_is_complete() -> None:
    mods = core_modules()
    assert {
        "jointinspect.service",
        "jointinspect.engine",
        "jointinspect.operations._unit",
        "jointinspect.operations.durability",
        "jointinspect.operations.maintenance",
        "jointinspect.operations.filing",
        "jointinspect.operations.placement",
        "jointinspect.memory",
        "jointinspect.rules.matching",
        "jointinspect.policy.schema",
        "jointinspect.codes.token",
    } <= set(mods)
    assert not any(m.startswith("jointinspect.testing") for m in mods)


def test_importing_the_package_loads_no_driver() -> None:
    assert loaded_after_import("jointinspect") & set(FORBIDDEN) == set()


def test_no_core_module_loads_a_driver() -> None:
    # One interpreter for all modules keeps this fast; on failure, name the culprits.
    if loaded_after_import(*core_modules()) & set(FORBIDDEN):
        culprits = {m: sorted(loaded_after_import(m) & set(FORBIDDEN)) for m in core_modules()}
        pytest.fail(f"core modules load drivers: { {m: d for m, d in culprits.items() if d} }")


def test_the_probe_can_see_a_driver() -> None:
    # The check can fail: importing a driver does show up (skipped where none is installed).
    for driver in ("sqlalchemy", "redis", "requests"):
        try:
            __import__(driver)
        except ImportError:
            continue
        assert driver in loaded_after_import(driver)
        return
    pytest.skip("no driver installed to prove the probe")
