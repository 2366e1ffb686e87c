"""The strict cattrs converter that reads and writes policies: a policy file must say what
it means (7, not "7" or 7.9; a list, not a string), and ``None`` is left out of plain data."""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable, Mapping
from typing import Any

import cattrs

from jointinspect import validation as v


def _strict_int(value: object, _: object) -> int:
    # cattrs would accept True, 7.9 or "7" through int(); a policy file must say 7.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _strict_float(value: object, _: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _strict_bool(value: object, _: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {value!r}")
    return value


def _strict_str(value: object, tp: Any) -> Any:
    # cattrs would turn 5 into "5"; a policy file must say "5". The hook also serves the
    # StrEnum types (subclasses of str), whose values are text too.
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value if tp is str else tp(value)


def _is_frozenset(tp: Any) -> bool:
    return tp is frozenset or typing.get_origin(tp) is frozenset


def plain(value: Any) -> Any:
    """Drop ``None`` (TOML has no null; a missing key loads as the default ``None``)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _is_sequence_type(tp: Any) -> bool:
    return typing.get_origin(tp) in (tuple, frozenset, set)


def _sequence_hook(tp: Any) -> Callable[[Any, Any], Any]:
    origin = typing.get_origin(tp)

    def structure(value: Any, _: Any) -> Any:
        # cattrs would split "SCJG" into ('S', 'C', 'J', 'G'); a policy file must give a list.
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, list | tuple | set | frozenset):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        if origin is tuple:
            return CONVERTER._structure_tuple(value, tp)
        if origin is frozenset:
            return CONVERTER._structure_frozenset(value, tp)
        return CONVERTER._structure_set(value, tp)

    return structure


#: The converter every policy is read and written through (strict hooks below).
CONVERTER = cattrs.Converter(forbid_extra_keys=True)
CONVERTER.register_structure_hook_factory(_is_sequence_type, _sequence_hook)
CONVERTER.register_structure_hook(int, _strict_int)
CONVERTER.register_structure_hook(float, _strict_float)
# bool is a subclass of int: without its own hook it would go through _strict_int.
CONVERTER.register_structure_hook(bool, _strict_bool)
CONVERTER.register_structure_hook(str, _strict_str)
CONVERTER.register_structure_hook(dt.date, lambda value, _: v.day(value, "date"))
CONVERTER.register_unstructure_hook(dt.date, lambda d: d.isoformat())
# A hook registered for ``frozenset`` alone does not catch ``frozenset[X]`` annotations.
CONVERTER.register_unstructure_hook_func(_is_frozenset, lambda s: sorted(CONVERTER.unstructure(v) for v in s))
