"""Instants and durations: always aware, stored in UTC, displayed in the policy zone."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable

import pendulum

from jointinspect.errors import ValidationError

UTC = pendulum.UTC
#: The display zone used when a policy does not name one.
DEFAULT_ZONE = "Asia/Shanghai"


def utc(value: dt.datetime) -> pendulum.DateTime:
    """Return ``value`` as a pendulum instant in UTC; naive datetimes are refused.

    Naive values are refused rather than guessed: a plan's window read in the wrong zone
    moves an inspection by eight hours.
    """
    if type(value) is pendulum.DateTime and value.tzinfo is UTC:
        # Already a pendulum instant in UTC (most values: they were converted on the way in):
        # converting again would build an equal copy, at ~10 us a field on hot paths.
        return value
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValidationError("time.naive", value=value.isoformat())
    return pendulum.instance(value).in_timezone(UTC)


def utc_or_none(value: dt.datetime | None) -> pendulum.DateTime | None:
    """Like `utc`, passing ``None`` through."""
    return None if value is None else utc(value)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def to_micros(value: dt.datetime) -> int:
    """Exact integer microseconds since the Unix epoch (no float rounding)."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValidationError("time.naive", value=value.isoformat())
    # datetime's own subtraction (not pendulum's) gives an exact timedelta in ~0.2 us.
    delta = dt.datetime.__sub__(value, _EPOCH)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> pendulum.DateTime:
    """Inverse of `to_micros`."""
    # The exact stdlib arithmetic, then the fields into a pendulum instant in UTC: the same
    # value as pendulum.from_timestamp(...).add(microseconds=...) at a tenth of the cost
    # (every instant a SQL store reads back comes through here).
    d = _EPOCH + dt.timedelta(microseconds=micros)
    return pendulum.DateTime(d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond, tzinfo=UTC)


def local_date(value: dt.datetime, zone: str) -> dt.date:
    """The calendar date of an instant in ``zone`` (what a person there calls 'today')."""
    if type(value) is pendulum.DateTime and value.tzinfo is UTC:
        # Filing asks for the same few instants' dates several times a plan (the chunk's
        # clock reading, the window's start). Only UTC instants are cached: equal keys are
        # then the same instant (two wall times differing only in ``fold`` compare equal).
        return _utc_local_date(value, zone)
    return _local_date(value, zone)


def _local_date(value: dt.datetime, zone: str) -> dt.date:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValidationError("time.naive", value=value.isoformat())
    # A ZoneInfo (cached per name) converts in ~2 us; pendulum's in_timezone(name) ~30 us.
    return value.astimezone(zoneinfo.ZoneInfo(zone)).date()


_utc_local_date = functools.lru_cache(maxsize=1024)(_local_date)


def iso(value: dt.datetime) -> str:
    """``value.isoformat()``. Filing writes the same few instants (window starts) into
    several records a plan; a UTC instant's text is kept (equal UTC instants print alike)."""
    if type(value) is pendulum.DateTime and value.tzinfo is UTC:
        return _utc_iso(value)
    return value.isoformat()


_utc_iso: Callable[[dt.datetime], str] = functools.lru_cache(maxsize=1024)(dt.datetime.isoformat)


def shifted(value: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """``value + delta`` as a plain aware datetime, for comparisons on hot paths
    (pendulum's own arithmetic costs microseconds per call)."""
    return dt.datetime.__add__(value, delta)


def shifted_back(value: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """``value - delta``, like `shifted` (negating a pendulum duration builds a new one,
    which costs more than the shift itself)."""
    return dt.datetime.__sub__(value, delta)


def span(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """``end - start`` as a plain timedelta (pendulum's subtraction builds an `Interval`,
    at ~20 us a call on hot paths)."""
    return dt.datetime.__sub__(end, start)
