"""Helpers shared by the Redis adapter tests (a uniquely named module: ``from conftest
import ...`` is ambiguous when several test folders run together)."""

from __future__ import annotations

import uuid


def unique_prefix() -> str:
    """A key prefix no other test uses: a fresh, empty ledger on a shared server."""
    return f"t{uuid.uuid4().hex[:12]}"
