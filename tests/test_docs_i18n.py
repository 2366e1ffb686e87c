"""Every page of the docs exists in English and in Chinese, with the same headings (issue 16).

docs/<page>.md is English and docs/<page>.zh.md its Chinese twin (README.md and
README.zh-CN.md likewise). A page without its twin fails, and so do twins whose headings differ
in structure: the same number of headings, at the same levels, in the same order (the text is
free). Headings inside fenced code blocks are code, not headings. The mkdocstrings directives
(``::: module``) of an API reference page render headings at build time, so the twins must
carry the same directives in the same order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
HEADING = re.compile(r"^(#{1,6})[ \t]+\S")
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
DIRECTIVE = re.compile(r"^:::[ \t]+(\S+)")


def english_pages() -> list[Path]:
    """Every English page: docs/**/*.md but the .zh.md twins."""
    return sorted(p for p in DOCS.rglob("*.md") if not p.name.endswith(".zh.md"))


def chinese_pages() -> list[Path]:
    """Every Chinese page under docs/."""
    return sorted(DOCS.rglob("*.zh.md"))


def twin_of(english: Path) -> Path:
    """docs/x.md -> docs/x.zh.md; README.md -> README.zh-CN.md."""
    if english == ROOT / "README.md":
        return ROOT / "README.zh-CN.md"
    return english.with_name(english.name[: -len(".md")] + ".zh.md")


def english_of(chinese: Path) -> Path:
    """docs/x.zh.md -> docs/x.md."""
    return chinese.with_name(chinese.name[: -len(".zh.md")] + ".md")


def outline(path: Path) -> tuple[list[int], list[str]]:
    """The levels of a page's headings in order, and its mkdocstrings directives."""
    levels: list[int] = []
    directives: list[str] = []
    fence: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        opening = FENCE.match(line)
        if opening is not None:
            marker = opening.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip()[len(marker) :].strip():
                fence = None
            continue
        if fence is not None:
            continue
        if (heading := HEADING.match(line)) is not None:
            levels.append(len(heading.group(1)))
        elif (directive := DIRECTIVE.match(line)) is not None:
            directives.append(directive.group(1))
    return levels, directives


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


PAIRS = [(ROOT / "README.md", ROOT / "README.zh-CN.md"), *((p, twin_of(p)) for p in english_pages())]


@pytest.mark.parametrize("english", [e for e, _ in PAIRS], ids=[rel(e) for e, _ in PAIRS])
def test_every_english_page_has_its_chinese_twin(english: Path) -> None:
    assert twin_of(english).is_file(), f"{rel(english)} has no Chinese twin {rel(twin_of(english))}"


@pytest.mark.parametrize("chinese", chinese_pages(), ids=[rel(p) for p in chinese_pages()])
def test_every_chinese_page_has_its_english_original(chinese: Path) -> None:
    assert english_of(chinese).is_file(), f"{rel(chinese)} has no English page {rel(english_of(chinese))}"


EXISTING = [(e, z) for e, z in PAIRS if z.is_file()]


@pytest.mark.parametrize(("english", "chinese"), EXISTING, ids=[rel(e) for e, _ in EXISTING])
def test_twins_have_the_same_heading_structure(english: Path, chinese: Path) -> None:
    en_levels, en_directives = outline(english)
    zh_levels, zh_directives = outline(chinese)
    assert zh_levels == en_levels, f"{rel(chinese)} headings {zh_levels} differ from {rel(english)} {en_levels}"
    assert zh_directives == en_directives


def test_the_outline_ignores_code_and_counts_levels(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\ntext\n\n## One\n\n```python\n# a comment, not a heading\n```\n\n"
        "### Deeper\n\n````markdown\n```\n## inside a longer fence\n```\n````\n\n#hashtag\n\n::: jointinspect.policy\n",
        encoding="utf-8",
    )
    assert outline(page) == ([1, 2, 3], ["jointinspect.policy"])


def test_the_readme_and_the_pages_are_paired() -> None:
    assert twin_of(ROOT / "README.md") == ROOT / "README.zh-CN.md"
    assert twin_of(DOCS / "cities" / "x-city.md") == DOCS / "cities" / "x-city.zh.md"
    assert english_of(DOCS / "index.zh.md") == DOCS / "index.md"
