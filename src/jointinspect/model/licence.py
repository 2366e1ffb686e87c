"""Licences (许可证) as reference data: what the expiry prewarning (Yantai) sweeps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import overload

import attrs

from jointinspect import validation as v
from jointinspect.model._trusted import trusted

#: Separates kind and number in `Licence.key` (never part of an identifier).
KEY_SEPARATOR = "|"


def _kind(value: object) -> str:
    return v.identifier(value, "kind")


def _number(value: object) -> str:
    return v.identifier(value, "number")


def _holder(value: object) -> str:
    return v.credit_code(value, "holder")


def _department(value: object) -> str:
    return v.identifier(value, "department")


def _expires_on(value: object) -> dt.date:
    return v.day(value, "expires_on")


@attrs.frozen
class Licence:
    """One licence held by an enterprise, issued by a department.

    Attributes:
        kind: the licence kind, e.g. ``"food_business"`` (an identifier).
        number: the licence number, unique within its kind (an identifier).
        holder: the holder's unified social credit code.
        department: the issuing department's code.
        expires_on: the last day of validity (a calendar day in the policy zone).
    """

    kind: str = attrs.field(converter=_kind)
    number: str = attrs.field(converter=_number)
    holder: str = attrs.field(converter=_holder)
    department: str = attrs.field(converter=_department)
    expires_on: dt.date = attrs.field(converter=_expires_on)

    @classmethod
    def from_store(cls, kind: str, number: str, holder: str, department: str, expires_on: dt.date) -> Licence:
        """A licence read back from a store, which checked every field when it was put:
        built without checking them again (a sweep reads tens of thousands a day)."""
        return trusted(cls, kind=kind, number=number, holder=holder, department=department, expires_on=expires_on)

    @property
    def key(self) -> str:
        """``kind|number``: the licence's key (identifiers never contain ``|``)."""
        return licence_key(self.kind, self.number)


def licence_key(kind: str, number: str) -> str:
    """The key of the licence ``number`` of ``kind``: ``kind|number``."""
    return f"{kind}{KEY_SEPARATOR}{number}"


#: A licence as a row: ``(kind, number, holder, department, expires_on)``.
LicenceRow = tuple[str, str, str, str, dt.date]


class LicencePage(Sequence[Licence]):
    """A page of licences a store read, kept as rows: the sweep reads tens of thousands a day
    and needs only their fields (`rows`), so a `Licence` is built only when an item is
    asked for. Equal to any sequence of the same licences (a list included).
    """

    __slots__ = ("rows",)

    def __init__(self, rows: Sequence[LicenceRow] = ()) -> None:
        #: the licences' fields, in page order
        self.rows: Sequence[LicenceRow] = rows

    @classmethod
    def of(cls, licences: Sequence[Licence]) -> LicencePage:
        """The page of ``licences``."""
        return cls([(lic.kind, lic.number, lic.holder, lic.department, lic.expires_on) for lic in licences])

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> Licence: ...

    @overload
    def __getitem__(self, index: slice) -> list[Licence]: ...

    def __getitem__(self, index: int | slice) -> Licence | list[Licence]:
        if isinstance(index, slice):
            return [Licence.from_store(*row) for row in self.rows[index]]
        return Licence.from_store(*self.rows[index])

    def __iter__(self) -> Iterator[Licence]:
        return (Licence.from_store(*row) for row in self.rows)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LicencePage):
            return list(self.rows) == list(other.rows)
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, like a list

    def __repr__(self) -> str:
        return f"LicencePage({list(self)!r})"


@attrs.frozen
class LicenceWarning:
    """A warning sent (or due) for one licence and one lead time."""

    licence: Licence
    lead_days: int
