"""``jointinspect keys rotate`` and ``keys retire``, run as subprocesses on an SQLite store: a
code signed before a rotation still verifies, after retiring its key too, not once removed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pendulum
import pytest

from jointinspect import Engine
from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.requests import PlanRequest
from jointinspect.sample import build_city, populate
from jointinspect.stores import open_store

pytest.importorskip("sqlalchemy")

NOW = "2026-12-01T09:00:00+08:00"


def run(tmp: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "JOINTINSPECT_SIGNING_SEED"}
    base["JOINTINSPECT_STORE"] = f"sqlite:///{tmp / 'city.db'}"
    return subprocess.run(
        [sys.executable, "-m", "jointinspect.cli", "--json", "--now", NOW, *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        cwd=tmp,
        check=False,
    )


def data(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.stdout, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def inspection_code(tmp: Path, keys_text: str) -> str:
    """An inspection code signed with the current key of ``keys_text``, for a plan filed
    in process on the command's SQLite store."""
    city = build_city(enterprises=1, departments=1)
    clock = FixedClock(pendulum.parse(NOW))  # type: ignore[arg-type]
    store = open_store(f"sqlite:///{tmp / 'city.db'}")
    engine = Engine(store=store, keys=MemoryKeyStore.from_text(keys_text), clock=clock, auto_deliver=False)
    populate(engine, city)
    dept = city.departments[0].code
    start = clock.now().add(days=10)
    request = PlanRequest(
        city.enterprises[0].credit_code,
        dept,
        start,
        start.add(hours=8),
        items=[city.items_of(dept)[0].code],
        inspectors=[i.id for i in city.inspectors_of(dept)[:2]],
    )
    filed = engine.file_plan(request, by=Principal.officer(dept))
    assert filed.inspection is not None
    token = engine.issue_inspection_code(filed.inspection.id, by=Principal.system()).token
    store.close()
    return token


def verifies(tmp: Path, token: str, keys: Path) -> bool:
    env = {"JOINTINSPECT_SIGNING_SEED": keys.read_text(encoding="utf-8")}
    result = run(tmp, "codes", "verify", token, env=env)
    return result.returncode == 0


def test_rotate_then_retire_then_remove_a_key_in_a_file(tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    assert run(tmp_path, "init").returncode == 0
    first = data(run(tmp_path, "keys", "rotate", "--file", str(keys)))
    assert keys.stat().st_mode & 0o077 == 0  # owner-only: the file holds seeds
    assert "value" not in first and first["current"] == first["rotated"]
    old = first["rotated"]
    token = inspection_code(tmp_path, keys.read_text(encoding="utf-8"))
    assert verifies(tmp_path, token, keys)

    second = data(run(tmp_path, "keys", "rotate", "--file", str(keys)))
    new = second["rotated"]
    assert new != old and second["current"] == new
    assert MemoryKeyStore.from_file(keys).current_key_id == new
    assert verifies(tmp_path, token, keys)  # signed before the rotation: still valid

    refused = run(tmp_path, "keys", "retire", new, "--file", str(keys))
    assert refused.returncode == 1 and data(refused)["error"]["code"] == "keys.retire_current"
    retired = data(run(tmp_path, "keys", "retire", old, "--file", str(keys)))
    assert {k["key_id"]: k["state"] for k in retired["keys"]} == {old: "retired", new: "verifying"}
    store = MemoryKeyStore.from_file(keys)
    assert store.current_key_id == new and store.retired_key_ids == {old}
    assert verifies(tmp_path, token, keys)  # a retired key still verifies what it signed

    data(run(tmp_path, "keys", "retire", old, "--remove", "--file", str(keys)))
    assert MemoryKeyStore.from_file(keys).public_key(old) is None
    assert not verifies(tmp_path, token, keys)
    unknown = run(tmp_path, "keys", "retire", old, "--file", str(keys))
    assert unknown.returncode == 1 and data(unknown)["error"]["code"] == "not_found"


def test_rotate_the_environment_variable_prints_its_new_value(tmp_path: Path) -> None:
    first = data(run(tmp_path, "keys", "generate"))
    rotated = data(run(tmp_path, "keys", "rotate", env={"JOINTINSPECT_SIGNING_SEED": first["line"]}))
    store = MemoryKeyStore.from_env(environ={"JOINTINSPECT_SIGNING_SEED": rotated["value"]})
    assert store.current_key_id == rotated["rotated"] != first["key_id"]
    assert store.public_key(first["key_id"]) is not None
    missing = run(tmp_path, "keys", "retire", first["key_id"])
    assert missing.returncode == 1 and data(missing)["error"]["code"] == "keys.source_invalid"
