"""Values to JSON text and back, exactly (cattrs), and instants to integer microseconds."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypeVar

import cattrs.preconf.json
import pendulum

from jointinspect.timeutil import from_micros

T = TypeVar("T")

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICRO = dt.timedelta(microseconds=1)

_converter = cattrs.preconf.json.make_converter()
# Instants travel as exact integer microseconds (no float, no text parsing on the way back).
_converter.register_structure_hook(pendulum.DateTime, lambda v, _: from_micros(int(v)))


def micros(value: dt.datetime) -> int:
    """Exact microseconds since the epoch of an aware instant.

    Same result as :func:`jointinspect.timeutil.to_micros`, computed with the standard
    library's subtraction (pendulum's returns an ``Interval``, which is slower; bulk
    imports call this for every row).
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive instant {value!r}")
    return dt.datetime.__sub__(value, _EPOCH) // _MICRO


_converter.register_unstructure_hook(pendulum.DateTime, micros)


def dumps(value: object) -> str:
    """The JSON text of an attrs value."""
    return json.dumps(_converter.unstructure(value), ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes, kind: type[T]) -> T:
    """The value of type ``kind`` whose JSON text is ``text``."""
    data: Any = json.loads(text)
    return _converter.structure(data, kind)
