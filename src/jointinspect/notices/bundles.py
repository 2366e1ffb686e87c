"""Bundles: outbox rows that stand for many notifications, expanded at delivery (issue 12).

The licence sweep warns tens of thousands of holders a day; writing one outbox row per
warning costs more than the sweep's own reads, so it queues one *bundle* per page instead:
a notification of kind ``licence.expiring_page`` whose payload carries everything needed
to rebuild the page's notifications. The relay (`jointinspect.relay`) hands the notifier
the rebuilt notifications, never the bundle, and marks the bundle delivered once all of
them were sent; a bundle whose sending failed half-way is sent whole again on its next
attempt (the members already sent arrive twice, which a notifier absorbs by their keys).

A bundle is an ordinary outbox row (key, kind, role, recipient, subject, instant, string
payload): its role and recipient are placeholders (`BUNDLE_ROLE`, `BUNDLE_RECIPIENT`), it
is sent to no one. Whoever reads the outbox without the relay must call `expand` on each
row. `expand` is pure: the same row always gives the same notifications, each with the
bundle's instant.

``licence.expiring_page`` payload:

* ``lead_days``: the lead time the page was swept for;
* ``swept_on``: the local day of the sweep (ISO);
* ``licences``: one line per licence in page order (a line break between lines), its fields
  separated by tabs: kind, number, holder, issuing department, expiry (ISO). Identifiers,
  credit codes and days never contain a tab or a line break.

It expands to one ``licence.expiring`` per licence (to its holder), in page order, then one
``licence.expiring_digest`` per issuing department in the order of its first licence in
the page: the notifications the sweep queued one by one before it queued bundles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs
import pendulum

from jointinspect.errors import ValidationError
from jointinspect.model.licence import LicenceRow, licence_key
from jointinspect.model.notification import Notification, Role
from jointinspect.notices._types import F, Field

#: A bundle row's role and recipient: placeholders, a bundle is sent to no one.
BUNDLE_ROLE = Role.DEPARTMENT
BUNDLE_RECIPIENT = "*"


@attrs.frozen
class Bundle:
    """One bundle kind.

    Attributes:
        kind: the bundle's notification kind, e.g. ``"licence.expiring_page"``.
        members: the catalogued kinds it expands to.
        fields: payload key -> how it is shown (as in `jointinspect.notices.Notice`).
        summary: (zh, en) what one bundle stands for (the catalogue table).
        expand: the bundle row -> its notifications, in delivery order.
    """

    kind: str
    members: tuple[str, ...]
    fields: Mapping[str, Field]
    summary: tuple[str, str]
    expand: Callable[[Notification], list[Notification]] = attrs.field(repr=False)


def expand(note: Notification) -> list[Notification] | None:
    """The notifications the outbox row ``note`` stands for when it is a bundle (in
    delivery order, possibly none); ``None`` when it is an ordinary notification.

    Raises:
        ValidationError: ``input.invalid`` when ``note`` is a bundle whose payload cannot
            be read (a row written by hand or damaged in the store).
    """
    bundle = BUNDLES.get(note.kind)
    if bundle is None:
        return None
    try:
        return bundle.expand(note)
    except (KeyError, ValueError) as exc:
        raise ValidationError(
            "input.invalid",
            reason=f"bundle {note.key!r} cannot be expanded ({exc!r})",
            reason_zh=f"通知包 {note.key!r} 无法展开({exc!r})",
        ) from exc


def expand_all(notes: Sequence[Notification]) -> list[Notification]:
    """``notes`` with every bundle replaced by its notifications, in order (what the relay
    would hand the notifier)."""
    out: list[Notification] = []
    for note in notes:
        members = expand(note)
        if members is None:
            out.append(note)
        else:
            out.extend(members)
    return out


class _Members:
    """Collects a bundle's notifications; `notify` takes what ``Effects.notify`` takes (so
    the catalogue test finds the member kinds and their payload keys here)."""

    def __init__(self, at: pendulum.DateTime) -> None:
        self.at = at
        self.notes: list[Notification] = []

    def notify(self, kind: str, role: Role, recipient: str, subject: str, /, *, key: str, **payload: object) -> None:
        """Collect one notification, built as the sweep's batch built it (sorted pairs)."""
        pairs = tuple(sorted((k, str(v)) for k, v in payload.items()))
        self.notes.append(Notification.checked(key, kind, role, recipient, subject, self.at, pairs))


# --- licence.expiring_page -------------------------------------------------------------------


def licence_lines(rows: Sequence[LicenceRow], expiries: Sequence[str]) -> str:
    """The ``licences`` value of a ``licence.expiring_page`` bundle: the page's licences
    (`LicencePage.rows`) with each expiry as ``expiries`` gives it (ISO, formatted once per
    day by the sweep)."""
    return "\n".join(
        f"{kind}\t{number}\t{holder}\t{department}\t{expires}"
        for (kind, number, holder, department, _), expires in zip(rows, expiries, strict=True)
    )


def _licence_page(note: Notification) -> list[Notification]:
    data = dict(note.payload)
    lead, swept_on, text = data["lead_days"], data["swept_on"], data["licences"]
    out = _Members(note.at)
    # department -> [first licence's mark, first expiry, last expiry, keys]
    digests: dict[str, tuple[str, str, list[str], list[str]]] = {}
    for line in text.split("\n") if text else ():
        kind, number, holder, department, expires = line.split("\t")
        key = licence_key(kind, number)
        out.notify(
            "licence.expiring",
            Role.ENTERPRISE,
            holder,
            key,
            key=f"licence.expiring:{key}:{expires}:{lead}:enterprise",
            holder=holder,
            department=department,
            licence_kind=kind,
            number=number,
            expires_on=expires,
            lead_days=lead,
        )
        digest = digests.get(department)
        if digest is None:
            digest = digests[department] = (f"{key}@{expires}", expires, [expires], [])
        digest[2][0] = expires
        digest[3].append(key)
    for department, (head, first_expiry, last, keys) in digests.items():
        out.notify(
            "licence.expiring_digest",
            Role.DEPARTMENT,
            department,
            head,
            key=f"licence.expiring_digest:{department}:{lead}:{head}",
            department=department,
            count=len(keys),
            first_expiry=first_expiry,
            last_expiry=last[0],
            lead_days=lead,
            swept_on=swept_on,
            licences=",".join(keys),
        )
    return out.notes


#: bundle kind -> its entry; the relay expands the rows of these kinds.
BUNDLES: Mapping[str, Bundle] = {
    b.kind: b
    for b in (
        Bundle(
            "licence.expiring_page",
            ("licence.expiring", "licence.expiring_digest"),
            {"lead_days": F.NUMBER, "swept_on": F.TEXT, "licences": F.TEXT},
            (
                "许可证到期预警巡检的一页:每张许可证一条 `licence.expiring`,每个发证部门一条 `licence.expiring_digest`",
                "one page of the licence sweep: a `licence.expiring` per licence, "
                "a `licence.expiring_digest` per issuing department",
            ),
            _licence_page,
        ),
    )
}
