"""The error catalogue: every code raised anywhere is catalogued in both languages, and every
raising site passes the fields its message template needs."""

from __future__ import annotations

import ast
import inspect
import string
from pathlib import Path

import pytest

import jointinspect
from jointinspect import errors
from jointinspect.errors import MESSAGES, JointInspectError

SRC = Path(jointinspect.__file__).parent
ERROR_CLASSES = {
    name: cls for name, cls in vars(errors).items() if inspect.isclass(cls) and issubclass(cls, JointInspectError)
}


def template_fields(template: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f}


def raising_sites() -> list[tuple[str, int, str, str | None, set[str] | None]]:
    """(file, line, class, code or None for the default, keyword names or None if ``**``)."""
    sites = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name not in ERROR_CLASSES:
                continue
            code: str | None = None
            if node.args:
                first = node.args[0]
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    continue  # a code computed at run time (re-raising): not a literal site
                code = first.value
            spread = any(k.arg is None for k in node.keywords)
            keywords = None if spread else {str(k.arg) for k in node.keywords}
            sites.append((str(path.relative_to(SRC)), node.lineno, str(name), code, keywords))
    return sites


SITES = raising_sites()


def test_the_scan_finds_the_raising_sites() -> None:
    # Guard against a scan that silently finds nothing.
    assert len(SITES) > 50
    codes = {s[3] for s in SITES}
    assert {"filing.too_late", "filing.quiet_period", "checkin.replayed", "token.expired"} <= codes


def test_every_raised_code_is_catalogued() -> None:
    missing = [
        (f, line, code) for f, line, cls, code, _ in SITES if (code or ERROR_CLASSES[cls].default_code) not in MESSAGES
    ]
    assert missing == []


def test_every_default_code_is_catalogued() -> None:
    for cls in ERROR_CLASSES.values():
        assert cls.default_code in MESSAGES, cls


def test_raising_sites_pass_every_field_of_the_message() -> None:
    problems = []
    for f, line, cls, code, keywords in SITES:
        if keywords is None:
            continue
        en, zh = MESSAGES[code or ERROR_CLASSES[cls].default_code]
        needed = (template_fields(en) | template_fields(zh)) - {"code"} - errors.DERIVED_FIELDS
        if not needed <= keywords:
            problems.append((f, line, code, sorted(needed - keywords)))
    assert problems == []


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_catalogue_entries_have_both_languages(code: str) -> None:
    en, zh = MESSAGES[code]
    assert en.strip() and zh.strip()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), code  # Chinese text
    # Formatting with every field given gives a message without braces left.
    fields = {f: f"<{f}>" for f in template_fields(en) | template_fields(zh)}
    err = JointInspectError(code, **fields)
    assert "{" not in err.message_en and "{" not in err.message_zh


@pytest.mark.parametrize("name", sorted(ERROR_CLASSES))
def test_every_class_builds_a_message_without_details(name: str) -> None:
    cls = ERROR_CLASSES[name]
    err = cls()
    assert err.code == cls.default_code
    assert err.message_en and err.message_zh
    assert err.code in str(err)
    d = err.to_dict()
    assert set(d) == {"code", "message_en", "message_zh", "details"}


def test_to_dict_and_messages() -> None:
    err = errors.FilingRejected("filing.quiet_period", day="2026-03-10")
    assert err.to_dict() == {
        "code": "filing.quiet_period",
        "message_en": "Routine inspections are not allowed on 2026-03-10 (quiet period)",
        "message_zh": "2026-03-10 为静默期,不得开展例行检查",
        "details": {"day": "2026-03-10"},
    }
    # Details that are not strings are shown as strings, kept as given in ``details``.
    blocked = errors.FrequencyBlocked(rule="r", limit=1, kinds="routine", enterprise="E", window="7 days", hits=["r"])
    assert blocked.to_dict()["details"]["hits"] == "['r']"
    assert blocked.details["hits"] == ["r"]
    assert isinstance(blocked, errors.FilingRejected)
    assert errors.OperationalError.retryable and not errors.IntegrityError.retryable
    # An unknown code still produces a readable message.
    odd = JointInspectError("no.such.code")
    assert odd.message_en == "no.such.code"


def test_missing_field_never_hides_the_error() -> None:
    err = errors.FilingRejected("filing.too_late")
    assert "filing.too_late" in str(err)
    assert err.message_en.startswith("Plans must be filed")
