"""The glossary pair names every term of the source articles and only API names that exist (issue 16)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "docs" / "glossary.md", ROOT / "docs" / "glossary.zh.md"]
#: The articles' terms the issue names; the Chinese pages use them.
TERMS = (
    "联合检查",
    "检查码",
    "企业码",
    "白名单",
    "双随机、一公开",
    "首违不罚",
    "整改",
    "云验收",
    "督办",
    "综合查一次",
    "进一次门查多项事",
    "信用分级分类",
    "包容审慎",
    "轻微违法",
    "亮码检查",
    "扫码入企",
    "清单",
    "场景",
)
#: Where the glossary's API names live.
MODULES = (
    "jointinspect",
    "jointinspect.policy",
    "jointinspect.engine",
    "jointinspect.requests",
    "jointinspect.model.reference",
    "jointinspect.model.plan",
    "jointinspect.model.result",
    "jointinspect.model.rectification",
    "jointinspect.model.notification",
    "jointinspect.model.feedback",
    "jointinspect.rules.frequency",
    "jointinspect.auth",
)
NAME = re.compile(r"`([A-Z][A-Za-z_]*(?:\.[A-Za-z_]+)*)")


def rows(page: Path) -> dict[str, str]:
    """First column (the Chinese term) -> the API column of the glossary table."""
    found = {}
    for line in page.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 4 and not set(cells[0]) <= set("- "):
            found[cells[0]] = cells[3]
    return found


def resolve(name: str) -> Any:
    head, *rest = name.split(".")
    modules = [importlib.import_module(m) for m in MODULES]
    obj = next((getattr(m, head) for m in modules if hasattr(m, head)), None)
    assert obj is not None, f"{name}: no {head} in {MODULES}"
    for part in rest:
        if attrs.has(obj) and part in attrs.fields_dict(obj):
            return attrs.fields_dict(obj)[part]
        assert hasattr(obj, part), f"{name}: {obj!r} has no {part}"
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_term_has_a_row(page: Path) -> None:
    assert [t for t in TERMS if t not in rows(page)] == []


def test_both_pages_map_the_same_terms_to_the_same_api() -> None:
    assert rows(PAGES[0]) == rows(PAGES[1])


def test_every_api_name_exists() -> None:
    names = sorted({n for api in rows(PAGES[0]).values() for n in NAME.findall(api)})
    assert len(names) > 40
    for name in names:
        resolve(name)


def test_a_missing_name_is_caught() -> None:
    with pytest.raises(AssertionError):
        resolve("Engine.no_such_operation")
