"""The guidance-penalty-assistance loop (指导-处罚-帮扶, X city): what a department did
about a failed item, step by step, so that the loop is visible in the records.

A first violation of an item on the first-violation or minor-violation list (首违不罚 /
轻微免罚, Haigang: 286 items in 18 fields) is answered with guidance and no penalty; a
later one within the policy period may be penalised; assistance (帮扶) may follow either.
"""

from __future__ import annotations

import enum

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.model._enums import member
from jointinspect.timeutil import utc


class LoopStage(enum.StrEnum):
    """A step of the loop."""

    GUIDANCE = "guidance"  # 指导: a listed first violation, no penalty
    PENALTY = "penalty"  # 处罚: the department penalised the violation
    ASSISTANCE = "assistance"  # 帮扶: help offered to put it right for good


class ListKind(enum.StrEnum):
    """Which list an item's entry is on."""

    FIRST_VIOLATION = "first_violation"  # 首违不罚
    MINOR = "minor"  # 轻微免罚


def _to_stage(value: object) -> LoopStage:
    return member(LoopStage, "stage")(value)


def _note_text(value: object) -> str:
    return v.text(value, "note")


def _circumstance_text(value: object) -> str:
    return v.text(value, "circumstance", max_len=200)


def _list_kind_text(value: object) -> str:
    return "" if value == "" else member(ListKind, "list_kind")(value).value


@attrs.frozen
class LoopStep:
    """One step of the loop about one failed result.

    ``list_kind`` and ``circumstance`` say, for guidance, which list entry applied.
    """

    id: str
    result_id: str
    enterprise: str
    department: str
    item: str
    stage: LoopStage = attrs.field(converter=_to_stage)
    at: pendulum.DateTime = attrs.field(converter=utc)
    actor: str
    note: str = attrs.field(default="", converter=_note_text)
    list_kind: str = attrs.field(default="", converter=_list_kind_text)
    circumstance: str = attrs.field(default="", converter=_circumstance_text)
