"""`jointinspect.requests.filing_outcome`: the outcome of every field by position, as given."""

from __future__ import annotations

import attrs
import pendulum

from jointinspect.model.plan import InspectionKind, Plan, PlanStatus, Window
from jointinspect.requests import FilingOutcome, filing_outcome
from jointinspect.rules.frequency import RuleHit

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


def test_filing_outcome_is_the_outcome_of_its_fields_in_order() -> None:
    """Each field a value of its own, passed by position: the outcome built by name, so a
    field added, dropped or moved in `FilingOutcome` fails here."""
    plan = Plan(
        "p1", "91370600000000000K", "SCJG", ("SCJG-01",), (), Window(T0, T0.add(hours=8)),
        InspectionKind.ROUTINE, T0, PlanStatus.ACTIVE,
    )  # fmt: skip
    hit = RuleHit("r", "warn", 3, 4, "scope")
    made = filing_outcome(plan, None, True, ("v0",), (hit,), (), True, False)
    expected = FilingOutcome(
        plan=plan, inspection=None, merged=True, superseded=("v0",), warnings=(hit,), shared_records=(),
        exempt_notice=True, replayed=False,
    )  # fmt: skip
    assert type(made) is FilingOutcome
    assert made == expected
    assert attrs.astuple(made, recurse=False) == attrs.astuple(expected, recurse=False)
    assert [f.name for f in attrs.fields(FilingOutcome)] == [
        "plan", "inspection", "merged", "superseded", "warnings", "shared_records", "exempt_notice", "replayed",
    ]  # fmt: skip
    other = filing_outcome(plan, None, False, (), (), (), False, True)
    assert (other.merged, other.exempt_notice, other.replayed) == (False, False, True)
