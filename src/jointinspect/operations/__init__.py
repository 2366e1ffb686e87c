"""The operations behind `jointinspect.Engine`, one module per capability.

Each module holds plain functions taking a `Context` (the engine's collaborators) and the
operation's inputs; `jointinspect.engine.Engine` is the facade that delegates to them.
Shared unit-of-work plumbing lives in `jointinspect.operations._unit`.
"""

from __future__ import annotations

from jointinspect.operations._unit import Context, Effects

__all__ = ["Context", "Effects"]
