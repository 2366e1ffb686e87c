"""Credit repair (Anhui) and legal review (Dezhou) as pure rules over a penalty and `now`."""

from __future__ import annotations

import pendulum

from jointinspect.errors import IllegalTransition
from jointinspect.model.penalty import Penalty, yuan
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.policy.seeds import CreditRepairPolicy


def repairable_from(penalty: Penalty, policy: CreditRepairPolicy, zone: str) -> pendulum.DateTime:
    """The instant from which ``penalty`` may be repaired: its publicity start plus the
    minimum months of its field, counted in calendar months in the policy zone."""
    months = policy.months_for(penalty.field)
    return penalty.publicity_start.in_timezone(zone).add(months=months).in_timezone("UTC")


def check_repairable(
    penalty: Penalty,
    rectification: Rectification | None,
    policy: CreditRepairPolicy,
    zone: str,
    now: pendulum.DateTime,
) -> None:
    """Raise unless ``penalty`` may be repaired at ``now``: its minimum publicity has passed
    and its rectification (if it has one) was accepted.

    Raises:
        IllegalTransition: ``credit_repair.too_early`` or ``credit_repair.rectification_open``.
    """
    eligible = repairable_from(penalty, policy, zone)
    if now < eligible:
        raise IllegalTransition(
            "credit_repair.too_early",
            penalty=penalty.id,
            eligible=eligible.isoformat(),
            months=policy.months_for(penalty.field),
        )
    if penalty.rectification_id is not None and (
        rectification is None or rectification.state is not RectificationState.ACCEPTED
    ):
        raise IllegalTransition(
            "credit_repair.rectification_open", penalty=penalty.id, rectification=penalty.rectification_id
        )


def fine_text(fine_fen: int) -> str:
    """A fine as messages show it (yuan with two decimals)."""
    return yuan(fine_fen)
