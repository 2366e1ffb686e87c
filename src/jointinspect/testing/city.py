"""The example city, kept here for compatibility: it now lives in :mod:`jointinspect.sample`.

Import from ``jointinspect.sample`` in new code (it needs neither pytest nor hypothesis).
"""

from __future__ import annotations

from jointinspect.sample import CENTRE, DEPARTMENTS, City, build_city, credit_code, populate

__all__ = ["CENTRE", "DEPARTMENTS", "City", "build_city", "credit_code", "populate"]
