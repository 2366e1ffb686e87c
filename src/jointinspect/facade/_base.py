"""What every facet shares: the engine's collaborators as one `Context`."""

from __future__ import annotations

from jointinspect.operations._context import Context


class Facet:
    """A group of Engine methods; the Engine sets ``_context`` (store, policy, clock...)."""

    _context: Context
