"""Every catalogued message reads wholly in its language (issue 10): Chinese messages carry no
Latin letters beyond the substituted ids and codes, English ones no Chinese; instants are
shown in the display zone; enum values and rule periods read in Chinese in Chinese."""

from __future__ import annotations

import ast
import datetime as dt
import re
import string
from pathlib import Path

import pendulum
import pytest

import jointinspect
from jointinspect import errors
from jointinspect.errors import MESSAGES, JointInspectError
from jointinspect.model.notification import Role
from jointinspect.model.plan import InspectionKind
from jointinspect.policy import preset
from jointinspect.policy.schema import FrequencyRule, Period

LATIN = re.compile(r"[A-Za-z]")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
SAMPLE_ID = "X1"
NUMERIC = {"limit", "count", "minimum", "maximum", "max_len", "length", "required", "seq", "score", "version"}
NUMERIC |= {"distance_m", "radius_m", "min_year", "max_year", "value"}


def fields_of(template: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f}


def sample(field: str) -> object:
    """Neutral sample values: ids/codes as "X1", numbers as 7, instants as a datetime."""
    if field in NUMERIC:
        return 7
    if field in {"start", "end", "at", "now", "deadline", "expires_at", "issued_at"}:
        return pendulum.datetime(2026, 12, 10, 4, tz="UTC")
    if field in {"day", "earliest", "valid_from", "valid_until"}:
        return dt.date(2026, 12, 10)
    return SAMPLE_ID


def render(code: str) -> JointInspectError:
    en, zh = MESSAGES[code]
    names = (fields_of(en) | fields_of(zh)) - {"code"} - errors.DERIVED_FIELDS
    return JointInspectError(code, **{n: sample(n) for n in names})


def without_samples(text: str) -> str:
    # the substituted values are ids/codes by design; what remains is the template's own text.
    return text.replace(SAMPLE_ID, "")


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_chinese_message_is_wholly_chinese(code: str) -> None:
    err = render(code)
    assert "{" not in err.message_zh, err.message_zh
    leftover = LATIN.findall(without_samples(err.message_zh))
    assert leftover == [], (code, err.message_zh)
    assert CJK.search(err.message_zh), code


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_english_message_is_wholly_english(code: str) -> None:
    err = render(code)
    assert "{" not in err.message_en, err.message_en
    assert CJK.findall(err.message_en) == [], (code, err.message_en)


def test_instants_are_shown_in_the_display_zone() -> None:
    at = pendulum.datetime(2026, 12, 10, 4, tz="UTC")
    err = errors.CheckInRejected("checkin.outside_window", at=at, start=at.isoformat(), end=at.add(hours=1))
    assert "2026-12-10 12:00:00+08:00" in err.message_zh and "2026-12-10 12:00:00+08:00" in err.message_en
    assert "13:00:00+08:00" in err.message_en
    assert "+00:00" not in err.message_en
    assert err.details["start"] == at.isoformat()  # details keep what was given
    try:
        errors.set_display_zone("Asia/Urumqi")
        assert "10:00:00+06:00" in errors.CheckInRejected("token.expired", expires_at=at).message_en
    finally:
        errors.set_display_zone(errors.DISPLAY_ZONE)


def test_enum_values_read_in_chinese_in_chinese_messages() -> None:
    err = errors.FilingRejected("whitelist.exempt", enterprise="E1", kind=InspectionKind.ROUTINE)
    assert "例行" in err.message_zh and "routine" not in err.message_zh
    assert "routine" in err.message_en
    wrong = errors.ApprovalError("approval.wrong_role", role=Role.DEPARTMENT, plan="P1", needed="-")
    assert "执法部门" in wrong.message_zh and "'department'" in wrong.message_en


def test_an_unknown_enum_value_is_named_in_both_languages() -> None:
    from jointinspect.requests import PlanRequest
    from jointinspect.testing.city import credit_code

    t = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
    with pytest.raises(errors.ValidationError) as err:
        PlanRequest(credit_code(1), "SCJG", t, t.add(hours=1), kind="例行检查")
    assert err.value.code == "input.not_member" and err.value.details["field"] == "kind"
    assert "is not a valid inspection kind" in err.value.message_en  # not "a InspectionKind"
    assert "不是有效的检查类型" in err.value.message_zh
    assert not LATIN.search(err.value.message_zh.split("可选值")[0].replace("kind", ""))


@pytest.mark.parametrize(
    ("rule", "zh"),
    [
        (FrequencyRule("r", 1, window_days=7), "7 天"),
        (FrequencyRule("r", 1, period=Period.YEAR), "自然年"),
        (FrequencyRule("r", 1, period=Period.MONTH), "自然月"),
    ],
)
def test_rule_periods_read_in_chinese(rule: FrequencyRule, zh: str) -> None:
    assert rule.describe_zh() == zh
    err = errors.FrequencyBlocked(
        rule="r", limit=1, kinds="routine", enterprise="E1", window=rule.describe(), hits=["r"]
    )
    assert zh in err.message_zh
    assert not LATIN.search(err.message_zh.replace("'E1'", "").replace(" r ", ""))


def test_a_scoped_rule_names_its_department_in_both_languages() -> None:
    rule = preset("xianning").frequency[0]
    err = errors.FrequencyBlocked(
        rule=rule.name,
        limit=2,
        kinds="routine",
        enterprise="E1",
        window=rule.describe(),
        scope="SCJG",
        hits=[rule.name],
    )
    assert "SCJG" in err.message_en and "SCJG" in err.message_zh
    assert "自然年" in err.message_zh and "calendar" not in err.message_zh


# ------------------------------------------------- free English reasons in the source

#: Codes whose templates show a free ``{reason}``: a raise giving an English ``reason=``
#: must give its Chinese sentence too (``reason_zh=``), or the Chinese message mixes languages.
FREE_REASON_CODES = frozenset(code for code, (english, _) in errors.MESSAGES.items() if "{reason" in english)
SOURCES = sorted(Path(jointinspect.__file__).parent.rglob("*.py")) + sorted(
    Path(jointinspect.__file__).parents[2].joinpath("adapters").glob("*/src/*/**/*.py")
)


def _english_reasons_without_chinese(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        code = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
        free = (isinstance(code, str) and code in FREE_REASON_CODES) or (name == "PolicyError" and code is None)
        keywords = {k.arg: k.value for k in node.keywords}
        reason = keywords.get("reason")
        literal = isinstance(reason, ast.Constant | ast.JoinedStr) or name == "PolicyError"
        if free and reason is not None and "reason_zh" not in keywords and literal:
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_raise_gives_a_free_english_reason_without_its_chinese() -> None:
    assert len(SOURCES) > 50  # the scan does see the sources
    left = [hit for path in SOURCES for hit in _english_reasons_without_chinese(path)]
    assert left == []


def test_record_kinds_read_in_chinese_in_chinese_messages() -> None:
    # "检查任务 'x' 不存在", not "inspection 'x' 不存在"; an unknown kind is shown as given.
    err = errors.NotFoundError("not_found", kind="inspection", key="x")
    assert err.message_zh.startswith("检查任务 ") and "inspection" in err.message_en
    assert errors.NotFoundError("not_found", kind="widget", key="x").message_zh.startswith("widget ")
    assert set(errors.RECORD_KINDS_ZH.values()) and all(
        not any("a" <= ch <= "z" for ch in zh) for zh in errors.RECORD_KINDS_ZH.values()
    )
