"""The generated policy reference: every policy field documents itself, and the committed
pages are what the schema renders today (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

from jointinspect.policy import Policy
from jointinspect.policy.bounds import bounds_of
from jointinspect.policy.reference import keys, missing_metadata, render

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(("language", "page"), [("en", "policy-reference.md"), ("zh", "policy-reference.zh.md")])
def test_committed_reference_is_up_to_date(language: str, page: str) -> None:
    committed = (ROOT / "docs" / page).read_text(encoding="utf-8")
    assert committed == render(language), (
        f"docs/{page} is stale: run `python scripts/gen_policy_reference.py` and commit the result"
    )


def test_every_policy_field_has_its_metadata() -> None:
    assert missing_metadata(Policy) == []


def test_every_chinese_meaning_is_chinese() -> None:
    not_chinese = [k.path for k in keys() if not CJK.search(str(k.attribute.metadata.get("zh", "")))]
    assert not_chinese == []


@attrs.frozen
class _Inner:
    documented: int = attrs.field(default=1, metadata={"zh": "有说明", "unit": "", "source": ""})
    bare: int = 2


@attrs.frozen
class _Outer:
    inner: _Inner = _Inner()
    half: str = attrs.field(default="", metadata={"zh": "", "unit": "", "source": "Wuhu"})
    no_unit: str = attrs.field(default="", metadata={"zh": "无单位", "source": "Wuhu"})


def test_a_field_without_metadata_is_reported() -> None:
    assert missing_metadata(_Outer) == ["inner.bare: no zh, unit, source", "half: empty zh", "no_unit: no unit"]


def test_every_number_shows_the_bounds_its_validator_enforces() -> None:
    numeric = [k for k in keys() if k.tp in (int, float) or k.tp in (int | None, float | None)]
    assert numeric, "the walk found no numeric key"
    unbounded = [k.path for k in numeric if bounds_of(k.attribute) is None]
    assert unbounded == []


@pytest.mark.parametrize("path", ["filing.advance", "checkin.radius_m", "maintenance.retention_days"])
def test_the_shown_bounds_are_the_enforced_ones(path: str) -> None:
    from jointinspect.errors import PolicyError
    from jointinspect.policy import load_policy

    key = next(k for k in keys() if k.path == path)
    bounds = bounds_of(key.attribute)
    assert bounds is not None
    section, name = path.split(".")
    kind = int if key.tp is int else float
    load_policy({section: {name: kind(bounds.high)}})
    with pytest.raises(PolicyError):
        load_policy({section: {name: kind(bounds.high) + 1}})
    if not bounds.low_open:
        load_policy({section: {name: kind(bounds.low)}})
    with pytest.raises(PolicyError):
        load_policy({section: {name: kind(bounds.low) - 1 if not bounds.low_open else kind(bounds.low)}})
