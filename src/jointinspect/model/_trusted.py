"""Records built from values already checked, without running their converters again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import attrs

T = TypeVar("T")


def trusted(cls: type[T], **fields: object) -> T:
    """An instance of the frozen attrs class ``cls`` holding ``fields`` as given: no
    converter or validator runs. For hot paths (bulk filing, the licence sweep) that build
    records by the thousand from values of the right types; the caller gives every field
    (a field left out or unknown is a `TypeError`)."""
    made: T = builder(cls)(**fields)
    return made


def builder(cls: type[T]) -> Callable[..., T]:
    """`trusted` for ``cls`` as a function taking every field by name (a hot path may
    call it directly to skip building ``fields``); generated once per class."""
    made = _BUILDERS.get(cls)
    if made is None:
        made = _BUILDERS[cls] = _generate(cls)
    return made


#: `builder`'s functions by class.
_BUILDERS: dict[type, Callable[..., Any]] = {}


def _generate(cls: type[T]) -> Callable[..., T]:
    names = [field.name for field in attrs.fields(cast(Any, cls))]
    slots = getattr(cls, "__slots__", ())
    # A slotted class's fields are set through their slot descriptors (no lookup by name);
    # attrs writes its own __init__ the same way, from generated source.
    namespace: dict[str, Any] = {"_new": object.__new__, "_set": object.__setattr__}
    lines = [f"def build({', '.join(names)}):", "    made = _new(_cls)"]
    for i, name in enumerate(names):
        if name in slots:
            namespace[f"_set{i}"] = getattr(cls, name).__set__
            lines.append(f"    _set{i}(made, {name})")
        else:
            lines.append(f"    _set(made, {name!r}, {name})")
    lines.append("    return made")
    namespace["_cls"] = cls
    exec("\n".join(lines), namespace)  # source made of the class's own field names
    built: Callable[..., T] = namespace["build"]
    return built


def sorted_names(value: object) -> bool:
    """Whether ``value`` is what the models' name-tuple converters make of it (``tuple(sorted(
    {str(v) for v in value}))``): a tuple of distinct strings, sorted."""
    if type(value) is not tuple:
        return False
    previous = None
    for name in value:
        if type(name) is not str or (previous is not None and not previous < name):
            return False
        previous = name
    return True
