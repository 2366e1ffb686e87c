"""Turn user-given strings into enum members with a coded error instead of ``ValueError``."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from typing import TypeVar, cast

from jointinspect.errors import ValidationError

E = TypeVar("E", bound=enum.Enum)


def member(cls: type[E], field: str | None = None) -> Callable[[object], E]:
    """A converter to ``cls`` that raises ``ValidationError("input.not_member")`` naming the
    field and listing the accepted values."""
    return cast("Callable[[object], E]", _converter(cls, field))


@functools.cache  # one converter per enum and field: model converters ask for every value
def _converter(cls: type[E], field: str | None) -> Callable[[object], E]:
    label = field or cls.__name__

    def convert(value: object) -> E:
        if isinstance(value, cls):
            return value
        try:
            return cls(value)
        except (ValueError, TypeError):
            accepted = ", ".join(str(m.value) for m in cls)
            shown = value[:64] if isinstance(value, str) else type(value).__name__
            raise ValidationError(
                "input.not_member", field=label, value=shown, enum=cls.__name__, accepted=accepted
            ) from None

    convert.__name__ = f"to_{cls.__name__}"
    return convert
