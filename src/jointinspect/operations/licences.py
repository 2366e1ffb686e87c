"""Licence expiry prewarning (Yantai): licences as reference data and the daily sweep that
warns the holder and the issuing department a policy lead time ahead.

The sweep reads each lead time's expiry range by index, in pages of
``policy.licences.page`` licences, one unit of work per page: its memory stays flat however
many licences the city holds, and a sweep interrupted half-way resumes where it stopped.
Each page is claimed (read, and the lead time's cursor moved past it, in one store step),
so each licence is warned once per lead time and expiry even when two sweeps run at once
(renewing it re-arms the warnings; one registered or renewed behind a cursor is noted late
and warned by the next sweep); running the sweep again the same day sends nothing new. Per
page: one outbox row, a bundle the relay expands at delivery into one warning per licence
to its holder and one digest per issuing department (`jointinspect.notices.bundles`), and
one audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.model.licence import Licence, LicencePage, licence_key
from jointinspect.notices.bundles import BUNDLE_RECIPIENT, BUNDLE_ROLE, licence_lines
from jointinspect.operations._unit import (
    Context,
    Effects,
    boundary,
    operation,
    permit,
    require_department,
    require_enterprise,
)
from jointinspect.ports.licences import LicenceOrder
from jointinspect.rules.licences import lead_ranges
from jointinspect.timeutil import local_date


def add_licence(context: Context, licence: Licence, by: Principal) -> Licence:
    """Register or renew a licence (reference data)."""
    by = boundary("add_licence", by)
    licence = v.instance_of(licence, "licence", Licence)
    with operation(context, by) as effects:
        facts = AuthContext(department=licence.department, enterprise=licence.holder)
        permit(context, "add_licence", by, facts, licence.key)
        require_enterprise(effects.uow, licence.holder)
        require_department(effects.uow, licence.department)
        effects.uow.licences.put(licence)
        effects.audit(
            "licence.put",
            licence.key,
            holder=licence.holder,
            department=licence.department,
            expires_on=licence.expires_on.isoformat(),
        )
    return licence


def sweep_licences(context: Context, by: Principal) -> int:
    """Warn holders and issuing departments of licences reaching a lead time; return how
    many licence warnings were sent (0 when the sweep already ran today)."""
    by = boundary("sweep_licences", by)
    permit(context, "sweep_licences", by, AuthContext(), "-")
    policy = context.policy
    today = local_date(context.clock.now(), policy.zone)
    if not policy.licences.lead_days:
        return 0
    ranges = lead_ranges(today, policy.licences.lead_days)
    with operation(context, by) as effects:
        # The late notes of expired licences are no longer needed (expired ones are not warned).
        effects.uow.licences.forget_warnings_before(today)
    sent = 0
    while True:
        # Licences put behind a cursor (registered or renewed late) first: each is warned
        # for the lead time whose range holds its expiry today, unless that range's cursor
        # has not reached it yet (then the range's own claim below warns it).
        with operation(context, by) as effects:
            late = effects.uow.licences.claim_late(today, policy.licences.page)
            for lead, page in _late_pages(effects, ranges, late):
                _warn(effects, lead, today, page, late=True)
                sent += len(page)
        if not late:
            break
    for lead, first, last in ranges:
        after: LicenceOrder | None = None
        while True:
            with operation(context, by) as effects:
                # Read and move the cursor in one step: a concurrent sweep never claims these too.
                page = effects.uow.licences.claim_unwarned(lead, first, last, after, policy.licences.page)
                if page:
                    _warn(effects, lead, today, page)
            sent += len(page)
            # An empty page ends the range (a concurrent sweep moved the cursor past the rest).
            if not page:
                break
            kind, number, _, _, expires_on = page.rows[-1]
            after = (expires_on, kind, number)
    return sent


def _late_pages(
    effects: Effects, ranges: list[tuple[int, dt.date, dt.date]], late: LicencePage
) -> list[tuple[int, LicencePage]]:
    """The late licences to warn now, grouped by lead time (in expiry order)."""
    cursors: dict[int, LicenceOrder | None] = {}
    pages: dict[int, list[Licence]] = {}
    for licence in late:
        lead = next((lead for lead, first, last in ranges if first <= licence.expires_on <= last), None)
        if lead is None:
            continue  # beyond every lead time today (the policy's lead times shrank)
        if lead not in cursors:
            cursors[lead] = effects.uow.licences.cursor(lead)
        cursor = cursors[lead]
        if cursor is not None and (licence.expires_on, licence.kind, licence.number) <= cursor:
            pages.setdefault(lead, []).append(licence)
    return [(lead, LicencePage.of(licences)) for lead, licences in pages.items()]


def _warn(effects: Effects, lead: int, today: dt.date, page: LicencePage, *, late: bool = False) -> None:
    """Queue the page's warnings as one bundle and audit the page.

    One outbox row per page (``licence.expiring_page``, see `jointinspect.notices.bundles`)
    rather than one per licence: the relay expands it at delivery into the holder's
    ``licence.expiring`` for each licence and one ``licence.expiring_digest`` per issuing
    department (Yantai: ~25,000 warnings a day). Its key names the lead time, the day and
    the page's first licence, so a page swept again queues nothing new.

    The audit entry names the page by its first and last licence (``kind|number@expiry``):
    a claimed page is every licence between the two in expiry order (puts serialise with
    claims, and each put is audited), and ``lines_sha256`` binds the bundle's list. Late
    licences are not contiguous, so their entry lists them. An entry stays small whatever
    the page's size: the sweep's audit no longer rewrites the bundle's list.
    """
    days: dict[dt.date, str] = {}  # a page spans a few expiry days: format each once
    rows = page.rows
    expiries = [days.get(row[4]) or days.setdefault(row[4], row[4].isoformat()) for row in rows]
    first = f"{licence_key(rows[0][0], rows[0][1])}@{expiries[0]}"
    last = f"{licence_key(rows[-1][0], rows[-1][1])}@{expiries[-1]}"
    lines = licence_lines(rows, expiries)
    swept_on = today.isoformat()
    effects.notify(
        "licence.expiring_page",
        BUNDLE_ROLE,
        BUNDLE_RECIPIENT,
        first,
        key=f"licence.expiring_page:{lead}:{swept_on}:{first}",
        lead_days=lead,
        swept_on=swept_on,
        licences=lines,
    )
    listed: dict[str, object] = {}
    if late:
        listed["licences"] = ",".join(
            f"{licence_key(row[0], row[1])}@{expires}" for row, expires in zip(rows, expiries, strict=True)
        )
    effects.audit(
        "licence.warned",
        f"{first}..{last}",
        lead_days=lead,
        count=len(page),
        first=first,
        last=last,
        lines_sha256=hashlib.sha256(lines.encode()).hexdigest(),
        **listed,
    )
