"""Rule groups of issue 12 capabilities 5, 6 and 8, as policy data:

* `GuidancePolicy` (``policy.guidance``): the first-violation and minor-violation lists
  (首违不罚 / 轻微免罚; Haigang: 286 items in 18 fields), per item and circumstance, and the
  period within which a second violation is no longer a first one;
* `WatchPolicy` (``policy.watch``): the inefficient-inspection watch (Chengdu: an inspector
  with 3 consecutive no-finding inspections of one enterprise in a year is blocked until a
  supervisor records an explanation);
* `ConflictPolicy` (``policy.conflicts``): declared conflicts between items' standards
  (X city: windows closed against volatile gases / open against explosions).

Bad values are `PolicyError`s naming the field, in English and Chinese.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import attrs

from jointinspect import validation as v
from jointinspect.errors import JointInspectError, PolicyError
from jointinspect.model.guidance import ListKind
from jointinspect.policy.bounds import Range

#: Longest policy period (months) and watch window (days); more is a typo.
MAX_PERIOD_MONTHS = 120
MAX_WATCH_DAYS = 3660
MAX_CONSECUTIVE = 100


def _bounded(where: str, low: int, high: int) -> Range:
    def check(_: object, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise PolicyError(
                reason=f"{where}.{attribute.name} must be an integer in {low}..{high} (got {value!r})",
                reason_zh=f"{where}.{attribute.name} 须为 {low} 至 {high} 之间的整数(实为 {value!r})",
            )

    return Range(low, high, check)


def _checked(where: str, check: Callable[[object], Any]) -> Callable[[object], Any]:
    """A converter whose `ValidationError` becomes a `PolicyError` naming ``where``."""

    def convert(value: object) -> Any:
        try:
            return check(value)
        except PolicyError:
            raise
        except JointInspectError as exc:
            raise PolicyError(reason=f"{where}: {exc.message_en}", reason_zh=f"{where}:{exc.message_zh}") from exc

    return convert


def _kind(value: object) -> ListKind:
    if isinstance(value, ListKind):
        return value
    try:
        return ListKind(str(value) if isinstance(value, str) else "")
    except ValueError as exc:
        raise PolicyError(
            reason=f"guidance.items.kind must be first_violation or minor (got {value!r})",
            reason_zh=f"guidance.items.kind 须为 first_violation 或 minor(实为 {value!r})",
        ) from exc


_item = _checked("guidance.items.item", lambda x: v.identifier(x, "item"))
_circumstance = _checked("guidance.items.circumstance", lambda x: v.text(x, "circumstance", max_len=200))
_field = _checked("guidance.items.field", lambda x: v.text(x, "field", max_len=200))
_conflict_item = _checked("conflicts.declared.item", lambda x: v.identifier(x, "item"))
_conflicts_with = _checked("conflicts.declared.conflicts_with", lambda x: v.identifier(x, "conflicts_with"))
_topic = _checked("conflicts.declared.topic", lambda x: v.text(x, "topic", max_len=500))


def _to_item(value: object) -> str:
    return str(_item(value))


def _to_circumstance(value: object) -> str:
    return str(_circumstance(value))


def _to_field(value: object) -> str:
    return str(_field(value))


def _to_conflict_item(value: object) -> str:
    return str(_conflict_item(value))


def _to_conflicts_with(value: object) -> str:
    return str(_conflicts_with(value))


def _to_topic(value: object) -> str:
    return str(_topic(value))


@attrs.frozen
class ListedItem:
    """One entry of the first-violation or minor-violation list: an item and, optionally,
    the circumstance it covers (an empty circumstance covers any)."""

    item: str = attrs.field(
        converter=_to_item,
        metadata={"zh": "监管事项编码", "unit": "", "source": "Haigang"},
    )
    kind: ListKind = attrs.field(
        default=ListKind.FIRST_VIOLATION,
        converter=_kind,
        metadata={"zh": "清单类别(首违不罚 / 轻微免罚)", "unit": "", "source": "Haigang"},
    )
    circumstance: str = attrs.field(
        default="",
        converter=_to_circumstance,
        metadata={"zh": "适用情形(空为任何情形)", "unit": "", "source": "Haigang"},
    )
    field: str = attrs.field(
        default="",
        converter=_to_field,
        metadata={"zh": "所属执法领域", "unit": "", "source": "Haigang"},
    )


def _entries(value: Iterable[ListedItem]) -> tuple[ListedItem, ...]:
    entries = tuple(value)
    keys = [(e.item, e.circumstance) for e in entries]
    dupes = sorted({f"{item}/{c or '*'}" for item, c in keys if keys.count((item, c)) > 1})
    if dupes:
        raise PolicyError(
            reason=f"guidance.items lists an item and circumstance twice: {dupes}",
            reason_zh=f"guidance.items 中事项与情形重复:{dupes}",
        )
    return entries


@attrs.frozen
class GuidancePolicy:
    """The first-violation and minor-violation lists and their period."""

    items: tuple[ListedItem, ...] = attrs.field(
        default=(),
        converter=_entries,
        metadata={"zh": "首违不罚、轻微免罚事项清单", "unit": "", "source": "Haigang"},
    )
    #: 0: a violation is a first one only if the item never failed at the enterprise before.
    period_months: int = attrs.field(
        default=0,
        validator=_bounded("guidance", 0, MAX_PERIOD_MONTHS),
        metadata={"zh": "首违认定期限(0 为不限期)", "unit": "months", "source": "Haigang"},
    )

    def entry(self, item: str, circumstance: str) -> ListedItem | None:
        """The list entry for ``item`` in ``circumstance``: the one naming that
        circumstance, else the item's entry for any circumstance, else ``None``."""
        general = None
        for entry in self.items:
            if entry.item != item:
                continue
            if entry.circumstance == circumstance and circumstance:
                return entry
            if not entry.circumstance:
                general = entry
        return general


@attrs.frozen
class WatchPolicy:
    """The inefficient-inspection watch; ``consecutive`` 0 turns it off."""

    consecutive: int = attrs.field(
        default=0,
        validator=_bounded("watch", 0, MAX_CONSECUTIVE),
        metadata={"zh": "连续无问题检查次数阈值(0 为关闭)", "unit": "inspections", "source": "Chengdu"},
    )
    window_days: int = attrs.field(
        default=365,
        validator=_bounded("watch", 1, MAX_WATCH_DAYS),
        metadata={"zh": "统计期间", "unit": "days", "source": "Chengdu"},
    )


@attrs.frozen
class StandardConflict:
    """Two items whose standards contradict each other, and on what."""

    item: str = attrs.field(
        converter=_to_conflict_item,
        metadata={"zh": "监管事项编码", "unit": "", "source": "X city"},
    )
    conflicts_with: str = attrs.field(
        converter=_to_conflicts_with,
        metadata={"zh": "与之冲突的他部门事项编码", "unit": "", "source": "X city"},
    )
    topic: str = attrs.field(
        default="",
        converter=_to_topic,
        metadata={"zh": "冲突内容", "unit": "", "source": "X city"},
    )

    def __attrs_post_init__(self) -> None:
        if self.item == self.conflicts_with:
            raise PolicyError(
                reason=f"conflicts.declared: item {self.item!r} cannot conflict with itself",
                reason_zh=f"conflicts.declared:事项 {self.item!r} 不能与自身冲突",
            )

    @property
    def pair(self) -> tuple[str, str]:
        """The two items, sorted."""
        first, second = sorted((self.item, self.conflicts_with))
        return first, second


@attrs.frozen
class ConflictPolicy:
    """Declared conflicts between items' standards."""

    declared: tuple[StandardConflict, ...] = attrs.field(
        default=(),
        converter=tuple,
        metadata={"zh": "已声明的标准冲突", "unit": "", "source": "X city"},
    )

    def among(self, items: Iterable[str]) -> list[StandardConflict]:
        """The declared conflicts whose two items are both in ``items``, once per pair,
        ordered by pair."""
        present = set(items)
        found: dict[tuple[str, str], StandardConflict] = {}
        for conflict in self.declared:
            if conflict.item in present and conflict.conflicts_with in present:
                found.setdefault(conflict.pair, conflict)
        return [found[pair] for pair in sorted(found)]
