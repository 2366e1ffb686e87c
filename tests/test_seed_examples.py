"""The issue-12 examples run to the end and show each capability firing (Yantai licence
prewarning, Anhui credit repair, Dezhou legal review)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(name: str, *args: str) -> str:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_yantai_licences() -> None:
    out = run("yantai_licences.py")
    assert "2026-03-01: 41 licences warned, re-run: 0" in out
    assert "【许可证到期预警】" in out and "[Licence expiring]" in out
    assert "warned again today? no" in out


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_wuhu_credit_repair(store: str, tmp_path: Path) -> None:
    args = () if store == "memory" else ("--store", f"sqlite:///{tmp_path / 'repair.db'}")
    out = run("wuhu_credit_repair.py", *args)
    assert "July 2026: the sweep repairs 1 admonition(s)" in out
    assert "department: public (receipt of payment missing)" in out
    assert "January 2027: the sweep repairs 1 (food: a year)" in out
    assert out.count("publicised none") == 3


def test_dezhou_legal_review() -> None:
    out = run("dezhou_legal_review.py")
    assert "refused: penalty.legal_review_required" in out
    assert "issued: fine of 260000.00 yuan" in out
    assert "the same approval again: penalty.review_mismatch" in out
    assert "overdue sweep: 1 warned; again: 0" in out
