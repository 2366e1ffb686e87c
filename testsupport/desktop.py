"""What the plot and browser tests need from the machine: the CJK font, Chromium and its driver.

Like the database servers (`testsupport.servers`), a missing piece skips its tests locally
and fails them under ``CI=true`` or ``JOINTINSPECT_REQUIRE_SERVERS=1``;
``scripts/ensure_browser.sh`` (run by ``scripts/test.sh``) installs them.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import NoReturn

import pytest

from testsupport.servers import servers_required

#: Debian's packages: the browser and the WebDriver matching it.
CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMEDRIVER_NAMES = ("chromedriver",)


def unavailable(reason: str) -> NoReturn:
    """Skip the test locally; fail it where servers are required (CI)."""
    if servers_required():
        pytest.fail(f"{reason} (required here: CI=true or JOINTINSPECT_REQUIRE_SERVERS=1)", pytrace=False)
    pytest.skip(reason)


def _find(names: tuple[str, ...]) -> Path | None:
    for name in names:
        found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").is_file() else None)
        if found:
            return Path(found)
    return None


def chromium() -> tuple[Path, Path]:
    """The Chromium binary and its chromedriver, or skip/fail (see `unavailable`)."""
    browser, driver = _find(CHROMIUM_NAMES), _find(CHROMEDRIVER_NAMES)
    if browser is None or driver is None:
        unavailable("chromium and chromium-driver are not installed (scripts/ensure_browser.sh installs them)")
    return browser, driver
