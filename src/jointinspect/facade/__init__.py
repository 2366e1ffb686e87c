"""The Engine's methods, grouped by capability.

`jointinspect.Engine` inherits one facet per capability; each facet's methods delegate in a
line or two to the capability's module in `jointinspect.operations`, passing the engine's
collaborators as one `Context`. A new capability adds a facet here and a base to the Engine,
so no file of the facade grows past a screenful of delegations.
"""

from jointinspect.facade._base import Facet

__all__ = ["Facet"]
