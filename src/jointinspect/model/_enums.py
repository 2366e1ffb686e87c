"""Turn user-given strings into enum members with a coded error instead of ``ValueError``."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TypeVar

from jointinspect.errors import ValidationError

E = TypeVar("E", bound=enum.Enum)


def member(cls: type[E]) -> Callable[[object], E]:
    """A converter to ``cls`` that raises ``ValidationError("input.invalid")`` listing the
    accepted values."""

    def convert(value: object) -> E:
        if isinstance(value, cls):
            return value
        try:
            return cls(value)
        except ValueError:
            accepted = ", ".join(str(m.value) for m in cls)
            raise ValidationError(
                "input.invalid", reason=f"{value!r} is not a {cls.__name__}; expected one of: {accepted}"
            ) from None

    convert.__name__ = f"to_{cls.__name__}"
    return convert
