"""The plot tests need the CJK font the project installs: skip locally without it, fail in CI."""

from __future__ import annotations

import pytest
from jointinspect_reports import font_file

from testsupport.desktop import unavailable


@pytest.fixture(autouse=True)
def _cjk_font(request: pytest.FixtureRequest) -> None:
    if font_file() is None and "no_font" not in request.node.name:
        unavailable("Noto Sans CJK is not installed (scripts/ensure_browser.sh installs fonts-noto-cjk)")
