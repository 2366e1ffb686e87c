"""Names for codes in rendered notices: the `NameLookup` protocol, `NoNames` (codes shown as
they are) and `StoreNames` (names read from a store's reference data)."""

from __future__ import annotations

from typing import Protocol

from jointinspect.ports import Store


class NameLookup(Protocol):
    """Names for codes; ``None`` when unknown (the code is shown instead)."""

    def department(self, code: str) -> str | None:
        """The department's name."""
        ...

    def enterprise(self, credit_code: str) -> str | None:
        """The enterprise's name."""
        ...

    def inspector(self, inspector_id: str) -> str | None:
        """The inspector's name."""
        ...

    def item(self, code: str) -> str | None:
        """The supervision item's name."""
        ...


class NoNames:
    """A `NameLookup` that knows no names: every code is shown as it is."""

    def department(self, code: str) -> str | None:
        """Always ``None``."""
        return None

    def enterprise(self, credit_code: str) -> str | None:
        """Always ``None``."""
        return None

    def inspector(self, inspector_id: str) -> str | None:
        """Always ``None``."""
        return None

    def item(self, code: str) -> str | None:
        """Always ``None``."""
        return None


class StoreNames:
    """A `NameLookup` reading the store's reference repository (one unit of work per miss,
    names cached for the life of the object)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache: dict[tuple[str, str], str | None] = {}

    def _get(self, what: str, code: str) -> str | None:
        if (what, code) not in self._cache:
            with self._store.unit_of_work() as uow:
                ref = uow.reference
                found = {
                    "department": ref.get_department,
                    "enterprise": ref.get_enterprise,
                    "inspector": ref.get_inspector,
                    "item": ref.get_item,
                }[what](code)
            self._cache[what, code] = found.name if found is not None else None
        return self._cache[what, code]

    def department(self, code: str) -> str | None:
        """The department's registered name."""
        return self._get("department", code)

    def enterprise(self, credit_code: str) -> str | None:
        """The enterprise's registered name."""
        return self._get("enterprise", credit_code)

    def inspector(self, inspector_id: str) -> str | None:
        """The inspector's registered name."""
        return self._get("inspector", inspector_id)

    def item(self, code: str) -> str | None:
        """The supervision item's registered name."""
        return self._get("item", code)


def names_from_store(store: Store) -> StoreNames:
    """A `NameLookup` backed by ``store``'s reference data."""
    return StoreNames(store)
