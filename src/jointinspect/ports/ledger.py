"""The frequency ledger: counted visits per enterprise, checked and reserved atomically.

Part of `jointinspect.ports`; its docstring states the rules every repository keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import pendulum

from jointinspect.rules.frequency import LedgerDecision, Reservation, RuleCheck


class FrequencyLedger(Protocol):
    """Counted visits per enterprise, checked and reserved atomically.

    The semantics are those of `jointinspect.rules.frequency.evaluate` (the contract
    compares them on random sequences): rolling windows are half-open (two visits exactly a
    window apart never share one; the most crowded window containing the visit counts, not
    only the trailing one), calendar buckets are ``[start, end)``, only kinds in a rule's
    ``counts`` are counted, scopes count per enterprise, per enterprise and department, or
    per inspector; other enterprises never count. Pending reservations count until
    ``expires_at`` (from then on they are ignored) unless confirmed. Among racing calls that
    a blocking rule allows only one of, exactly one is allowed; each warning is counted once.
    """

    def check_and_reserve(
        self, request: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime
    ) -> LedgerDecision:
        """Evaluate every check against the ledger and, unless a blocking rule is exceeded,
        record ``request`` — in one atomic step. A blocked decision carries every blocking
        hit and every warning and records nothing (``reservation`` is ``None``); an allowed one
        carries ``request`` as recorded and the warnings it exceeds.

        Reserving an id the ledger already holds is idempotent: it records nothing new and
        returns the *stored* reservation, allowed, with no hits (the stored one is not counted
        twice, for this call or for later ones). With no checks the reservation is recorded
        whatever the counts (how a rebuild restores what a failover lost).
        """
        ...

    def amend(self, reservation: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime) -> LedgerDecision:
        """Move or widen a reservation (the visit it counts changed): in one atomic step,
        evaluate every check for ``reservation`` as it is now (its instant, kind,
        department, inspectors), not counting the reservation itself, and unless a
        blocking rule is exceeded, replace the stored one by it (or record it, if the id is
        unknown). A blocked amend changes nothing. Amending with no checks always succeeds
        (to restore a reservation after a failed unit of work).
        """
        ...

    def confirm(self, reservation_id: str, enterprise: str | None = None) -> None:
        """Make a pending reservation permanent: state ``CONFIRMED``, no ``expires_at``, so it
        counts past its former expiry (idempotent; unknown ids are ignored).

        ``enterprise``, when given, is the reservation's enterprise: a sharded ledger can
        then go straight to it instead of looking the id up."""
        ...

    def release(self, reservation_id: str, enterprise: str | None = None) -> None:
        """Remove a reservation: it stops counting at once (idempotent; unknown ids are
        ignored); ``enterprise`` as for `confirm`."""
        ...

    def reservations(self, enterprise: str) -> list[Reservation]:
        """All live reservations of one enterprise ordered by ``(at, id)`` — ties on ``at``
        break by id — with every field as recorded (state, expiry, inspectors), pending ones
        included until they expire; ``[]`` for an unknown enterprise (reports and repair)."""
        ...


@runtime_checkable
class PreloadingLedger(Protocol):
    """A `FrequencyLedger` that can read the reservations of many enterprises at once
    (optional): bulk filing (issue 11) calls `preload` with a chunk's enterprises,
    already locked by its unit of work, and the ledger then answers their checks from what
    it read, kept up to date by its own writes, instead of one read per check."""

    def preload(self, enterprises: Sequence[str], since: pendulum.DateTime | None = None) -> None:
        """Read every reservation of ``enterprises`` now, those at or after ``since`` when
        given (one or a few reads); later checks of these enterprises in this unit of work
        decide exactly as reading them would (a check reaching before ``since`` reads)."""
        ...
