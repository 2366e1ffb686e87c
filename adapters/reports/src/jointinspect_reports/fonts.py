"""Find and register the CJK font the charts' Chinese labels are drawn with.

The project installs Debian's ``fonts-noto-cjk`` (``scripts/ensure_fonts.sh``, run by the
test command). matplotlib's font cache may predate the install, so the font file is located
on disk and registered explicitly rather than looked up by name alone.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from matplotlib import font_manager

from jointinspect.errors import JointInspectError

#: The family the charts ask for (Simplified Chinese forms of the shared ideographs).
CJK_FAMILY = "Noto Sans CJK SC"
#: Where Debian, Ubuntu and user installs put Noto Sans CJK.
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
_PATTERNS = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansCJK*-Regular.tt[cf]")


def font_file() -> Path | None:
    """The Noto Sans CJK file: ``$JOINTINSPECT_CJK_FONT`` when set, else the first one found."""
    named = os.environ.get("JOINTINSPECT_CJK_FONT")
    if named:
        return Path(named) if Path(named).is_file() else None
    for folder in _FONT_DIRS:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for pattern in _PATTERNS:
            found = sorted(root.rglob(pattern))
            if found:
                return found[0]
    return None


@functools.cache
def cjk_family() -> str:
    """Register the CJK font with matplotlib and return the family name to draw with.

    Raises:
        JointInspectError: ``report.font_missing`` when no Noto Sans CJK file is installed.
    """
    path = font_file()
    if path is None:
        raise JointInspectError("report.font_missing", font=CJK_FAMILY, package="fonts-noto-cjk")
    font_manager.fontManager.addfont(str(path))
    names = {f.name for f in font_manager.fontManager.ttflist}
    # A .ttc registers every face it holds (JP, KR, SC, TC, HK); a single .otf only its own.
    return CJK_FAMILY if CJK_FAMILY in names else font_manager.FontProperties(fname=str(path)).get_name()
