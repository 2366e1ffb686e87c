"""The seed-city examples of issue 12 (capabilities 5, 6, 8) run and show their rule firing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[1] / "examples"

EXPECTED = {
    "haigang_first_violation.py": [
        "first violation: guidance=True",
        "penalty refused: guidance.no_penalty",
        "second violation within 12 months: guidance=False",
        "loop: guidance on SCJG-02",
        "loop: penalty on SCJG-02",
        "loop: assistance on SCJG-02",
    ],
    "x_city_conflicts.py": [
        "joint visit: ('STHJ', 'YJGL'), status planned",
        "conflict flagged: STHJ-01 vs YJGL-01",
        "told department STHJ",
        "told department YJGL",
        "told supervisor judicial",
        "on the code view: 1 conflict(s)",
        "prevailed: YJGL-01",
    ],
    "chengdu_watch.py": [
        "warned supervisor judicial: 3 no-finding visits",
        "warned department SCJG: 3 no-finding visits",
        "fourth check-in refused: watch.explanation_required",
        "after the explanation: checked in",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_and_prints_its_rule_firing(name: str) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, check=False, timeout=300, env=env
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    found = [next((n for n, line in enumerate(lines) if line.startswith(want)), -1) for want in EXPECTED[name]]
    assert -1 not in found, (name, out.stdout)
    assert found == sorted(found), "printed out of order"
