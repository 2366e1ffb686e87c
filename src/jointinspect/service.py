"""Kept for compatibility: the engine now lives in `jointinspect.engine`.

``from jointinspect.service import Engine`` keeps working; new code imports
``from jointinspect import Engine`` (or ``jointinspect.engine``).
"""

from __future__ import annotations

from jointinspect.engine import Engine

__all__ = ["Engine"]
