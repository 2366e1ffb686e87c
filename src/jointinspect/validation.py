"""Boundary validation: the one place where user-given values are checked and normalised.

Every public value type and request runs its fields through these functions, so a bad value
is refused with a typed `ValidationError` naming the field *before* any store is touched,
and every store sees the same, already valid values (the same id grammar and text limits on
memory, SQLite, PostgreSQL and MariaDB). The functions are pure; see ``docs/validation.md``.

Rules, in short:

- identifiers match `ID_PATTERN` (ASCII letters and digits, then also ``. _ : -``; at most
  `ID_MAX_LEN` characters);
- text is ``str`` without NUL and lone surrogates, at most `TEXT_MAX_LEN` characters
  (`NAME_MAX_LEN` for names);
- instants are aware datetimes or ISO 8601 strings with an explicit offset, normalised to
  UTC, within the years `MIN_YEAR`..`MAX_YEAR`;
- sequences are never a bare ``str``/``bytes`` (which would be split into characters);
- booleans are ``bool``; numbers are finite ``int``/``float`` (never ``bool``) in range;
- credit codes are stripped, upper-cased and made half-width, then checked (GB 32100).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

import pendulum
from stdnum.cn import uscc

from jointinspect.errors import ValidationError

T = TypeVar("T")

#: Grammar of every identifier (department and item codes, inspector ids, plan ids...).
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
#: Longest identifier, in characters (ASCII, so also in bytes).
ID_MAX_LEN = 64
#: Longest free text (notes, comments, complaints, reasons, standards, evidence references).
TEXT_MAX_LEN = 4000
#: Longest name (of an enterprise, department, inspector, item, scenario).
NAME_MAX_LEN = 200
#: Most elements in one sequence argument (items, inspectors, evidence...).
SEQUENCE_MAX_LEN = 1000
#: Instants and dates are accepted only within these years (inclusive): far enough for any
#: plan, near enough that every later computation (deadlines, lookbacks) stays in range.
MIN_YEAR = 2000
MAX_YEAR = 2200
#: An ISO 8601 instant with an explicit offset (``Z`` or ``+08:00``); no offset, no guess.
_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CREDIT_CODE = re.compile(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}")


def _kind(value: object) -> str:
    """A short, safe description of a refused value's type (never the value itself)."""
    return type(value).__name__


def text(value: object, field: str, *, max_len: int = TEXT_MAX_LEN, required: bool = False) -> str:
    """Return ``value`` if it is acceptable text.

    Args:
        value: the candidate.
        field: the argument's name, reported in the error.
        max_len: the longest accepted length in characters.
        required: refuse empty or blank text.

    Raises:
        ValidationError: ``input.not_text``, ``input.text_invalid_char``,
            ``input.text_too_long`` or ``input.text_empty``.
    """
    if not isinstance(value, str):
        raise ValidationError("input.not_text", field=field, actual=_kind(value))
    if len(value) > max_len:
        raise ValidationError("input.text_too_long", field=field, max_len=max_len, length=len(value))
    if "\x00" in value or (not value.isascii() and _SURROGATE.search(value)):
        raise ValidationError("input.text_invalid_char", field=field)
    if required and not value.strip():
        raise ValidationError("input.text_empty", field=field)
    return str(value)


def name(value: object, field: str) -> str:
    """A required, non-blank name of at most `NAME_MAX_LEN` characters (see `text`)."""
    return text(value, field, max_len=NAME_MAX_LEN, required=True)


def identifier(value: object, field: str) -> str:
    """Return ``value`` if it follows the identifier grammar `ID_PATTERN`.

    Raises:
        ValidationError: ``input.not_text`` or ``input.identifier``.
    """
    if not isinstance(value, str):
        raise ValidationError("input.not_text", field=field, actual=_kind(value))
    if len(value) > ID_MAX_LEN or not ID_PATTERN.fullmatch(value):
        shown = value[:ID_MAX_LEN] if not _SURROGATE.search(value) else value.encode("utf-8", "replace").decode()
        raise ValidationError("input.identifier", field=field, value=shown[:ID_MAX_LEN], max_len=ID_MAX_LEN)
    return str(value)


def optional_identifier(value: object, field: str) -> str | None:
    """Like `identifier`, passing ``None`` through."""
    return None if value is None else identifier(value, field)


def sequence(
    value: object, field: str, item: Callable[[object, str], T], *, max_len: int = SEQUENCE_MAX_LEN
) -> tuple[T, ...]:
    """Validate every element of a sequence argument with ``item``.

    A bare ``str``/``bytes`` (which iteration would split into characters), a mapping and a
    non-iterable are refused.

    Raises:
        ValidationError: ``input.not_sequence``, ``input.sequence_too_long`` or the element's error.
    """
    if isinstance(value, str | bytes | bytearray | memoryview | Mapping) or not isinstance(value, Iterable):
        raise ValidationError("input.not_sequence", field=field, actual=_kind(value))
    out: list[T] = []
    for i, element in enumerate(value):
        if i >= max_len:
            raise ValidationError("input.sequence_too_long", field=field, max_len=max_len)
        out.append(item(element, f"{field}[{i}]"))
    return tuple(out)


def text_sequence(value: object, field: str, *, max_len: int = SEQUENCE_MAX_LEN) -> tuple[str, ...]:
    """A sequence of `text` elements (never a bare string)."""
    return sequence(value, field, text, max_len=max_len)


def identifier_sequence(value: object, field: str, *, max_len: int = SEQUENCE_MAX_LEN) -> tuple[str, ...]:
    """A sequence of `identifier` elements (never a bare string)."""
    return sequence(value, field, identifier, max_len=max_len)


def boolean(value: object, field: str) -> bool:
    """Return ``value`` if it is a ``bool`` (``"no"`` is not false, it is refused).

    Raises:
        ValidationError: ``input.not_boolean``.
    """
    if not isinstance(value, bool):
        raise ValidationError("input.not_boolean", field=field, actual=_kind(value))
    return value


def integer(value: object, field: str, *, minimum: int, maximum: int) -> int:
    """Return ``value`` if it is an ``int`` (not ``bool``) in ``[minimum, maximum]``.

    Raises:
        ValidationError: ``input.not_integer`` or ``input.out_of_range``.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("input.not_integer", field=field, actual=_kind(value))
    if not minimum <= value <= maximum:
        raise ValidationError(
            "input.out_of_range", field=field, value=_short_number(value), minimum=minimum, maximum=maximum
        )
    return int(value)


def number(value: object, field: str, *, minimum: float, maximum: float) -> float:
    """Return ``value`` as a finite float in ``[minimum, maximum]`` (``int`` or ``float``).

    Raises:
        ValidationError: ``input.not_number`` or ``input.out_of_range``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError("input.not_number", field=field, actual=_kind(value))
    try:
        as_float = float(value)
    except OverflowError:
        as_float = math.inf
    if not (math.isfinite(as_float) and minimum <= as_float <= maximum):
        raise ValidationError(
            "input.out_of_range", field=field, value=_short_number(value), minimum=minimum, maximum=maximum
        )
    return as_float


def _short_number(value: int | float) -> str:
    shown = str(value) if not isinstance(value, int) or value.bit_length() < 200 else "∞"
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _in_years(value: dt.date, field: str) -> None:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(
            "time.out_of_range", field=field, value=value.isoformat(), min_year=MIN_YEAR, max_year=MAX_YEAR
        )


def instant(value: object, field: str) -> pendulum.DateTime:
    """Return an instant as a UTC pendulum ``DateTime``.

    Accepted: an aware ``datetime`` (pendulum's included) or an ISO 8601 string with an
    explicit offset (``2026-12-10T12:00:00+08:00``, ``...Z``), within `MIN_YEAR`..`MAX_YEAR`.

    Raises:
        ValidationError: ``time.naive`` (no offset), ``input.not_instant`` (wrong type or
            unparsable) or ``time.out_of_range``.
    """
    if type(value) is pendulum.DateTime and value.tzinfo is pendulum.UTC:
        # fast path: already a UTC instant (the common case on the engine's hot paths)
        _in_years(value, field)
        return value
    if isinstance(value, str):
        if len(value) > 64 or not _ISO_INSTANT.fullmatch(value):
            if len(value) <= 64 and _ISO_DAY.match(value) and not _SURROGATE.search(value):
                raise ValidationError("time.naive", field=field, value=value)
            raise ValidationError("input.not_instant", field=field, actual="str")
        try:
            parsed = pendulum.parse(value, exact=True)
        except (ValueError, OverflowError):
            raise ValidationError("input.not_instant", field=field, actual="str") from None
        if not isinstance(parsed, dt.datetime):
            raise ValidationError("input.not_instant", field=field, actual="str")
        value = parsed
    if not isinstance(value, dt.datetime):
        raise ValidationError("input.not_instant", field=field, actual=_kind(value))
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValidationError("time.naive", field=field, value=value.isoformat())
    # checked before the conversion: year 9999 plus an offset would overflow it.
    _in_years(value, field)
    result = pendulum.instance(value).in_timezone(pendulum.UTC)
    _in_years(result, field)
    return result


def optional_instant(value: object, field: str) -> pendulum.DateTime | None:
    """Like `instant`, passing ``None`` through."""
    return None if value is None else instant(value, field)


def day(value: object, field: str) -> dt.date:
    """Return a calendar date: a ``date`` (not a ``datetime``) or an ISO ``YYYY-MM-DD`` string.

    Raises:
        ValidationError: ``input.not_date`` or ``time.out_of_range``.
    """
    if type(value) is dt.date:
        _in_years(value, field)
        return value
    if isinstance(value, str) and len(value) == 10 and _ISO_DAY.fullmatch(value):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError("input.not_date", field=field, actual="str") from None
    # a datetime is a date too, but a certificate's dates must not carry a time silently.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError("input.not_date", field=field, actual=_kind(value))
    _in_years(value, field)
    return dt.date(value.year, value.month, value.day)


def credit_code(value: object, field: str = "credit_code") -> str:
    """Return the normalised unified social credit code (统一社会信用代码).

    Normalisation: strip, full-width to half-width (NFKC), upper case. Then the format
    (18 characters of the GB 32100 alphabet) and the check character are verified.

    Raises:
        ValidationError: ``enterprise.credit_code_invalid`` (not text or malformed) or
            ``enterprise.credit_code_check`` (well formed, wrong check character).
    """
    if not isinstance(value, str):
        raise ValidationError("enterprise.credit_code_invalid", field=field, value=_kind(value))
    if len(value) > 64 or (not value.isascii() and _SURROGATE.search(value)):
        raise ValidationError("enterprise.credit_code_invalid", field=field, value=value[:20] + "...")
    if _CREDIT_CODE.fullmatch(value):  # fast path: an already normalised code, matched once
        code = value
    else:
        code = unicodedata.normalize("NFKC", value).strip().upper()
        if not _CREDIT_CODE.fullmatch(code):
            raise ValidationError("enterprise.credit_code_invalid", field=field, value=value.strip())
    # the GB 32100 check character, computed by python-stdnum
    if _check_character(code[:17]) != code[-1]:
        raise ValidationError("enterprise.credit_code_check", field=field, value=code)
    return code


@functools.lru_cache(maxsize=65_536)
def _check_character(body: str) -> str:
    # a city has a few thousand enterprises: cache python-stdnum's computation.
    return str(uscc.calc_check_digit(body))


def instance_of(value: object, field: str, cls: type[T]) -> T:
    """Return ``value`` if it is an instance of ``cls``.

    Raises:
        ValidationError: ``input.wrong_type`` naming the expected type.
    """
    if not isinstance(value, cls):
        raise ValidationError("input.wrong_type", field=field, expected=cls.__name__, actual=_kind(value))
    return value


def field_converter(check: Callable[[object, str], T], field: str) -> Callable[[object], T]:
    """An attrs converter applying ``check`` with the attribute's name."""

    def convert(value: object) -> T:
        return check(value, field)

    convert.__name__ = f"check_{field}"
    return convert
