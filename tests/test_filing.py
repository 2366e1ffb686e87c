"""Filing rules: advance notice (calendar and Chinese working days), the calendar fallback,
quiet periods, item ownership and inspectors' certificates."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointinspect.errors import FilingRejected, ValidationError
from jointinspect.model.plan import TRIGGERED_KINDS, InspectionKind, Window
from jointinspect.model.reference import Inspector, SupervisionItem
from jointinspect.policy.schema import CalendarFallback, DayUnit, FilingPolicy, Policy
from jointinspect.rules.filing import (
    check_advance_notice,
    check_inspectors,
    check_items,
    check_quiet_period,
    earliest_start,
    is_working_day,
)

ZONE = "Asia/Shanghai"
R = InspectionKind.ROUTINE
WORKING = FilingPolicy(unit=DayUnit.WORKING)


def local(y: int, m: int, d: int, h: int = 9, minute: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(y, m, d, h, minute, tz=ZONE).in_timezone("UTC")


def window_on(y: int, m: int, d: int, hours: int = 8) -> Window:
    start = local(y, m, d)
    return Window(start, start.add(hours=hours))


# ------------------------------------------------------------------ advance notice


def test_calendar_days() -> None:
    policy = Policy()
    filed = local(2026, 3, 1)
    assert check_advance_notice(R, window_on(2026, 3, 8), filed, policy) is False
    with pytest.raises(FilingRejected) as err:
        check_advance_notice(R, window_on(2026, 3, 7), filed, policy)
    assert err.value.code == "filing.too_late"
    assert err.value.details["earliest"] == "2026-03-08"
    assert "7 days" in err.value.message_en and "自然日" in err.value.message_zh


def test_dates_are_local_not_utc() -> None:
    policy = Policy()
    # 00:30 on 2 March in Shanghai is still 1 March in UTC: the filing day is 2 March.
    filed = local(2026, 3, 2, 0, 30)
    assert filed.day == 1
    with pytest.raises(FilingRejected):
        check_advance_notice(R, window_on(2026, 3, 8), filed, policy)
    # A start at 07:00 local on 9 March is 23:00 UTC on 8 March: still allowed.
    start = local(2026, 3, 9, 7)
    assert check_advance_notice(R, Window(start, start.add(hours=2)), filed, policy) is False


@pytest.mark.parametrize("kind", sorted(TRIGGERED_KINDS))
def test_triggered_kinds_are_exempt(kind: InspectionKind) -> None:
    filed = local(2026, 3, 1)
    assert check_advance_notice(kind, window_on(2026, 3, 1, 2), filed, Policy()) is True


def test_working_days_around_national_day_2025() -> None:
    # Holidays 1-8 October; Sunday 28 September and Saturday 11 October are working days.
    assert is_working_day(dt.date(2025, 9, 28), WORKING)
    assert is_working_day(dt.date(2025, 10, 11), WORKING)
    assert not is_working_day(dt.date(2025, 10, 6), WORKING)  # a Monday off
    # Filed Friday 26 Sep: 28, 29, 30 Sep, 9, 10, 11, 13 Oct are the seven working days.
    assert earliest_start(dt.date(2025, 9, 26), WORKING) == dt.date(2025, 10, 13)
    policy = Policy(filing=WORKING)
    with pytest.raises(FilingRejected) as err:
        check_advance_notice(R, window_on(2025, 10, 12), local(2025, 9, 26), policy)
    assert err.value.details["earliest"] == "2025-10-13"
    assert "working days" in err.value.message_en and "工作日" in err.value.message_zh
    assert check_advance_notice(R, window_on(2025, 10, 13), local(2025, 9, 26), policy) is False


def test_working_days_around_spring_festival_2026() -> None:
    # Holidays 15-23 Feb 2026; Saturdays 14 and 28 Feb are working days.
    # Filed Thursday 12 Feb: 13, 14 (a working Saturday), 24, 25, 26, 27, 28 (working) Feb.
    assert earliest_start(dt.date(2026, 2, 12), WORKING) == dt.date(2026, 2, 28)
    # Seven calendar days ahead is far from seven working days here.
    policy = Policy(filing=WORKING)
    with pytest.raises(FilingRejected):
        check_advance_notice(R, window_on(2026, 2, 26), local(2026, 2, 12), policy)


@given(st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2026, 11, 30)), st.integers(0, 15))
def test_earliest_start_is_the_nth_working_day(filed: dt.date, advance: int) -> None:
    policy = FilingPolicy(unit=DayUnit.WORKING, advance=advance)
    first = earliest_start(filed, policy)
    after = [filed + dt.timedelta(days=k) for k in range(1, (first - filed).days + 1)]
    assert sum(1 for d in after if chinese_calendar.is_workday(d)) == advance
    # Minimal: the earliest start is itself the last working day needed.
    if advance:
        assert chinese_calendar.is_workday(first)
    else:
        assert first == filed


def test_calendar_fallback_for_unknown_years() -> None:
    # 2030 is beyond the calendar package: Monday to Friday, or an explicit refusal.
    assert is_working_day(dt.date(2030, 1, 1), WORKING)  # a Tuesday (really a holiday)
    assert not is_working_day(dt.date(2030, 1, 5), WORKING)  # a Saturday
    assert earliest_start(dt.date(2030, 1, 4), WORKING) == dt.date(2030, 1, 15)
    strict = FilingPolicy(unit=DayUnit.WORKING, calendar_fallback=CalendarFallback.ERROR)
    with pytest.raises(FilingRejected) as err:
        earliest_start(dt.date(2030, 1, 4), strict)
    assert err.value.code == "filing.calendar_unknown"
    with pytest.raises(FilingRejected):
        check_advance_notice(R, window_on(2030, 2, 1), local(2030, 1, 4), Policy(filing=strict))
    # Calendar days never consult the holiday calendar.
    calendar = FilingPolicy(calendar_fallback=CalendarFallback.ERROR)
    assert earliest_start(dt.date(2030, 1, 4), calendar) == dt.date(2030, 1, 11)


def test_policy_lists_override_the_calendar() -> None:
    policy = FilingPolicy(
        unit=DayUnit.WORKING,
        extra_holidays=frozenset({dt.date(2030, 1, 1)}),
        extra_workdays=frozenset({dt.date(2030, 1, 5)}),
        calendar_fallback=CalendarFallback.ERROR,
    )
    assert not is_working_day(dt.date(2030, 1, 1), policy)
    assert is_working_day(dt.date(2030, 1, 5), policy)
    with pytest.raises(FilingRejected):
        is_working_day(dt.date(2030, 1, 6), policy)


# ------------------------------------------------------------------ quiet period


def test_quiet_period_uses_the_local_day_of_the_start() -> None:
    policy = Policy(filing=FilingPolicy(quiet_days=frozenset(range(1, 16)), quiet_kinds=frozenset({R})))
    with pytest.raises(FilingRejected) as err:
        check_quiet_period(R, window_on(2026, 3, 15), policy)
    assert err.value.code == "filing.quiet_period" and err.value.details["day"] == "2026-03-15"
    check_quiet_period(InspectionKind.COMPLAINT, window_on(2026, 3, 10), policy)
    check_quiet_period(InspectionKind.SPECIAL, window_on(2026, 3, 10), policy)
    check_quiet_period(R, window_on(2026, 3, 16), policy)
    # 00:30 on the 16th locally is the 15th in UTC: not quiet.
    start = local(2026, 3, 16, 0, 30)
    assert start.day == 15
    check_quiet_period(R, Window(start, start.add(hours=1)), policy)
    # 23:30 on the 15th locally is quiet.
    late = local(2026, 3, 15, 23, 30)
    with pytest.raises(FilingRejected):
        check_quiet_period(R, Window(late, late.add(hours=1)), policy)


# ------------------------------------------------------------------ items, inspectors

ITEM = SupervisionItem("SCJG-01", "证照公示", "SCJG", "market")
FOREIGN = SupervisionItem("YJGL-01", "应急预案", "YJGL", "safety")


def inspector(
    pid: str,
    *,
    dept: str = "SCJG",
    fields: tuple[str, ...] = ("market",),
    since: dt.date = dt.date(2024, 1, 1),
    until: dt.date = dt.date(2030, 12, 31),
) -> Inspector:
    return Inspector(pid, f"name {pid}", dept, f"cert-{pid}", fields, since, until)


def test_items_must_belong_to_the_department() -> None:
    check_items("SCJG", [ITEM])
    with pytest.raises(ValidationError) as err:
        check_items("SCJG", [ITEM, FOREIGN])
    assert err.value.code == "filing.item_not_owned"
    assert err.value.details == {"item": "YJGL-01", "owner": "YJGL", "department": "SCJG"}
    with pytest.raises(ValidationError) as err:
        check_items("SCJG", [])
    assert err.value.code == "filing.no_items"


def test_inspectors_count_department_and_fields() -> None:
    policy = Policy()
    window = window_on(2026, 3, 2)
    check_inspectors("SCJG", [inspector("a"), inspector("b")], [ITEM], window, policy)
    cases = {
        "filing.no_inspectors": [inspector("a")],
        "filing.inspector_other_department": [inspector("a"), inspector("b", dept="YJGL")],
        "filing.certificate_scope": [inspector("a"), inspector("b", fields=("safety",))],
    }
    for code, people in cases.items():
        with pytest.raises(ValidationError) as err:
            check_inspectors("SCJG", people, [ITEM], window, policy)
        assert err.value.code == code
    one = Policy(filing=FilingPolicy(min_inspectors=1))
    check_inspectors("SCJG", [inspector("a")], [ITEM], window, one)


def test_certificate_must_cover_every_local_day_of_the_window() -> None:
    policy = Policy()
    # 2 March 00:00 to 4 March 00:00 local: the last day is 3 March (half-open window).
    window = Window(local(2026, 3, 2, 0), local(2026, 3, 4, 0))
    ok = inspector("b", until=dt.date(2026, 3, 3))
    check_inspectors("SCJG", [inspector("a"), ok], [ITEM], window, policy)
    for bad in (inspector("b", until=dt.date(2026, 3, 2)), inspector("b", since=dt.date(2026, 3, 3))):
        with pytest.raises(ValidationError) as err:
            check_inspectors("SCJG", [inspector("a"), bad], [ITEM], window, policy)
        assert err.value.code == "filing.certificate_invalid"
        assert err.value.details["start"] == "2026-03-02" and err.value.details["end"] == "2026-03-03"
