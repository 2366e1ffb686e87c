"""The issue-12 examples run to the end and print what they promise (spot checks with public
verification and quiet slots; Shenzhen's offline check-ins)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(name: str, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args], capture_output=True, text=True, check=False, timeout=300
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_spot_check_example() -> None:
    text = run("spot_check.py")
    assert "class D: 6 of 9 drawn" in text  # 70% of 9, within the county's 61-100%
    assert "class A: 0 of 6 drawn" in text  # 5% of 6 rounds to 0: "at most 5%" holds
    assert "published draw verifies: True" in text
    assert "a forged copy verifies: False" in text
    assert "repeated pairs: 0" in text
    assert "refused (filing.quiet_slot)" in text
    assert "complaint-triggered plan: placed True" in text


def test_shenzhen_offline_example() -> None:
    text = run("shenzhen_offline.py")
    assert "refused (checkin.offline_signature)" in text
    assert "checked in 07-14 15:20" in text and "47 min on site" in text
    assert "supervisor told: ['checkin.offline_late']" in text
    assert "refused (checkin.offline_expired)" in text


def test_the_python_samples_of_the_new_pages_run() -> None:
    docs = EXAMPLES.parent / "docs"
    for page in ("spot-checks", "quiet-slots", "offline-checkin"):
        for name in (f"{page}.md", f"{page}.zh.md"):
            blocks = re.findall(r"```python\n(.*?)```", (docs / name).read_text(encoding="utf-8"), re.S)
            assert blocks, name
            for n, block in enumerate(blocks):
                exec(compile(block, f"{name}#{n}", "exec"), {})
