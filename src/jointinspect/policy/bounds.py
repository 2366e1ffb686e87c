"""The range a policy number must fall in, kept as data so the policy reference can show it.

A `Range` is an attrs validator (it runs the check it wraps) that also remembers its
bounds; `bounds_of` reads them back from a field, for the generated reference
(`jointinspect.policy.reference`, docs/policy-reference.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs


@attrs.frozen
class Range:
    """An attrs validator running ``check``, which refuses values outside ``low..high``.

    ``low_open`` says the lower bound itself is refused (a radius must be positive).
    """

    low: float
    high: float
    check: Callable[[Any, attrs.Attribute[Any], Any], None] = attrs.field(repr=False)
    low_open: bool = False

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        """Validate ``value`` (attrs calls this on construction)."""
        self.check(instance, attribute, value)

    def describe(self) -> str:
        """The range as text, e.g. ``0..365`` or ``> 0, ≤ 100000``."""
        low, high = _number(self.low), _number(self.high)
        return f"> {low}, ≤ {high}" if self.low_open else f"{low}..{high}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def bounds_of(attribute: attrs.Attribute[Any]) -> Range | None:
    """The `Range` of a field: its validator's, or one declared in its metadata (a bound a
    class checks after construction), or ``None``."""
    if isinstance(attribute.validator, Range):
        return attribute.validator
    declared = attribute.metadata.get("bounds")
    return declared if isinstance(declared, Range) else None


def _no_check(_: Any, __: attrs.Attribute[Any], ___: Any) -> None:
    """For a `Range` only declared in metadata: the class checks the value itself."""


def declared(low: float, high: float) -> Range:
    """A `Range` to declare in a field's metadata under the key ``bounds``."""
    return Range(low, high, _no_check)
