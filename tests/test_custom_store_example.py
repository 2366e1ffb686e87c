"""The worked custom-adapter example (examples/custom_store) passes the shipped contract
suites: run as its README says, in a separate pytest process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_custom_store_example_passes_the_contract_suites() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "examples/custom_store", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
