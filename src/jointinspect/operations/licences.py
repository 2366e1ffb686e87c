"""Licence expiry prewarning (Yantai): licences as reference data and the daily sweep that
warns the holder and the issuing department a policy lead time ahead.

The sweep reads each lead time's expiry range by index, in pages of
``policy.licences.page`` licences, one unit of work per page: its memory stays flat however
many licences the city holds, and a sweep interrupted half-way resumes where it stopped.
Each licence is warned once per lead time and expiry (renewing it re-arms the warnings);
running the sweep again the same day sends nothing new.
"""

from __future__ import annotations

import datetime as dt

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.model.licence import Licence
from jointinspect.model.notification import Role
from jointinspect.operations._unit import (
    Context,
    Effects,
    boundary,
    operation,
    permit,
    require_department,
    require_enterprise,
)
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
    sent = 0
    for lead, first, last in lead_ranges(today, policy.licences.lead_days):
        after: tuple[dt.date, str, str] | None = None
        while True:
            with operation(context, by) as effects:
                page = effects.uow.licences.unwarned(lead, first, last, after, policy.licences.page)
                if page:
                    _warn(effects, lead, page)
            sent += len(page)
            if len(page) < policy.licences.page:
                break
            after = (page[-1].expires_on, page[-1].kind, page[-1].number)
    return sent


def _warn(effects: Effects, lead: int, page: list[Licence]) -> None:
    effects.uow.licences.mark_warned(lead, page)
    for licence in page:
        expires = licence.expires_on.isoformat()
        for role, recipient in ((Role.ENTERPRISE, licence.holder), (Role.DEPARTMENT, licence.department)):
            effects.notify(
                "licence.expiring",
                role,
                recipient,
                licence.key,
                key=f"licence.expiring:{licence.key}:{expires}:{lead}:{role}",
                holder=licence.holder,
                department=licence.department,
                licence_kind=licence.kind,
                number=licence.number,
                expires_on=expires,
                lead_days=lead,
            )
    # One audit entry per page: the chain records every warning without an append per licence.
    effects.audit(
        "licence.warned",
        f"{page[0].key}..{page[-1].key}",
        lead_days=lead,
        count=len(page),
        licences=",".join(f"{lic.key}@{lic.expires_on.isoformat()}" for lic in page),
    )
