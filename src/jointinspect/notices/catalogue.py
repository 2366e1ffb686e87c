"""The catalogue itself: every kind the engine emits, in one mapping, and the entry an unknown
kind falls back to.

The entries live in modules by capability area; the order here is the order of the table in
``docs/notifications.md``. Bundle kinds (`BUNDLES`, e.g. ``licence.expiring_page``) are
outbox rows sent to no one: the relay expands them into catalogued kinds, so they are not
in `CATALOGUE`; the table lists them after it.
"""

from __future__ import annotations

from collections.abc import Mapping

from jointinspect.notices._types import Notice
from jointinspect.notices.bundles import BUNDLES
from jointinspect.notices.enforcement import ENFORCEMENT_NOTICES
from jointinspect.notices.fieldwork import FIELDWORK_NOTICES
from jointinspect.notices.rectification import RECTIFICATION_NOTICES
from jointinspect.notices.visits import VISIT_NOTICES

#: kind -> catalogue entry.
CATALOGUE: Mapping[str, Notice] = {
    n.kind: n for n in (*VISIT_NOTICES, *RECTIFICATION_NOTICES, *ENFORCEMENT_NOTICES, *FIELDWORK_NOTICES)
}

__all__ = ["BUNDLES", "CATALOGUE", "GENERIC", "notice_for"]

#: What an unknown kind renders as (a notifier must never stall the outbox on a new kind).
GENERIC = Notice(
    "*",
    (),
    {},
    ("【通知】{kind}:{subject}", "[Notice] {kind}: {subject}"),
    ("通知:{kind}", "Notice: {kind}"),
    ("事项 {kind},编号 {subject}。", "Notice {kind} about {subject}."),
)


def notice_for(kind: str) -> Notice:
    """The catalogue entry of ``kind`` (`GENERIC` for an unknown kind)."""
    return CATALOGUE.get(kind, GENERIC)
