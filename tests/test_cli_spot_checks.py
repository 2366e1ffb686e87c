"""``jointinspect spot-check``: a department draws on an SQLite store and publishes the draw;
anyone verifies the published file without a store (issue 12). Run as subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jointinspect import Engine
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.sample import build_city, populate
from jointinspect.stores import open_store

pytest.importorskip("sqlalchemy")

SEED = "cli-test " + "5a" * 16 + "c3" * 16  # a throwaway key line (never published)
NOW = "2026-12-01T09:00:00+08:00"
CITY = build_city(enterprises=20, departments=2)


def run(tmp: Path, *args: str, store: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "JOINTINSPECT_STORE"}
    env["JOINTINSPECT_SIGNING_SEED"] = SEED
    if store:
        env["JOINTINSPECT_STORE"] = f"sqlite:///{tmp / 'city.db'}"
    return subprocess.run(
        [sys.executable, "-m", "jointinspect.cli", "--json", "--now", NOW, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp,
        check=False,
    )


def data(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.stdout, result.stderr
    return json.loads(result.stdout)


def test_draw_publish_and_verify(tmp_path: Path) -> None:
    assert run(tmp_path, "init").returncode == 0
    store = open_store(f"sqlite:///{tmp_path / 'city.db'}")
    try:
        populate(Engine(store=store, keys=MemoryKeyStore.from_text(SEED)), CITY)
    finally:
        store.close()
    (tmp_path / "candidates.txt").write_text("\n".join(e.credit_code for e in CITY.enterprises) + "\n")
    (tmp_path / "inspectors.txt").write_text("# SCJG's pool\nSCJG-I01\nSCJG-I02\nSCJG-I03\nSCJG-I04\n")
    draw = [
        "spot-check", "draw", "2027-spring", "--department", "SCJG",
        "--start", "2026-12-10T09:00:00+08:00", "--end", "2026-12-12T17:00:00+08:00",
        "--item", "SCJG-01", "--candidates", "candidates.txt", "--inspectors", "inspectors.txt",
        "--share", "B=0.2", "--share", "C=0.6", "--share", "D=1", "--seed", "lottery-77",
        "--publish", "draw.json",
    ]  # fmt: skip
    refused = run(tmp_path, "--as", "officer:YJGL", *draw)
    assert refused.returncode == 1 and "auth.wrong_department" in refused.stderr
    result = run(tmp_path, "--as", "officer:SCJG", *draw)
    assert result.returncode == 0, result.stderr
    out = data(result)
    assert out["seed"] == "lottery-77" and out["selections"] and len(out["plans"]) == len(out["selections"])
    # A citizen with only the published file and the library: no store at all.
    verified = run(tmp_path, "spot-check", "verify", "draw.json", store=False)
    assert verified.returncode == 0 and data(verified) == {"verified": True}
    published = json.loads((tmp_path / "draw.json").read_text(encoding="utf-8"))
    published["seed"] = "lottery-78"
    (tmp_path / "forged.json").write_text(json.dumps(published), encoding="utf-8")
    forged = run(tmp_path, "spot-check", "verify", "forged.json", store=False)
    assert forged.returncode == 1 and data(forged) == {"verified": False}
    again = run(tmp_path, "--as", "officer:SCJG", *draw)
    assert again.returncode == 1 and "spot_check.already_drawn" in again.stderr
    assert run(tmp_path, "spot-check", "draw", "x", "--department", "SCJG", store=False).returncode == 2
