"""Licence expiry prewarning (Yantai): licences as reference data and the daily sweep."""

from __future__ import annotations

from jointinspect.auth import Principal
from jointinspect.facade._base import Facet
from jointinspect.model.licence import Licence
from jointinspect.operations import licences


class LicenceFacet(Facet):
    """The Engine's licence operations (docs/licences.md)."""

    def add_licence(self, licence: Licence, *, by: Principal) -> Licence:
        """Register or renew a licence; its holder and issuing department must exist.

        Raises:
            Forbidden: ``by`` may not change reference data. NotFoundError: unknown holder
                or department.
        """
        return licences.add_licence(self._context, licence, by)

    def sweep_licences(self, *, by: Principal) -> int:
        """Warn holders and issuing departments of licences reaching a lead time
        (``policy.licences.lead_days``), once per licence, lead time and expiry; return how
        many licences were warned. Run it daily; running it again sends nothing new.

        Raises:
            Forbidden: ``by`` may not run maintenance.
        """
        return licences.sweep_licences(self._context, by)
