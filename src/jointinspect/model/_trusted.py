"""Records built from values already checked, without running their converters again."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def trusted(cls: type[T], **fields: object) -> T:
    """An instance of the frozen attrs class ``cls`` holding ``fields`` as given: no
    converter or validator runs. For hot paths (bulk filing, the licence sweep) that build
    records by the thousand from values of the right types; the caller gives every field."""
    made = object.__new__(cls)
    put = object.__setattr__
    for name, value in fields.items():
        put(made, name, value)
    return made
