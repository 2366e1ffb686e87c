"""The built docs site: Chinese at the root, English under /en/, a language switch on every page
(issue 16). One strict build of both languages, then a look at the pages it wrote."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    shutil.which("mkdocs") is None and not (Path(sys.prefix) / "bin" / "mkdocs").exists(),
    reason="mkdocs is not installed (the dev extra)",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    mkdocs = shutil.which("mkdocs") or str(Path(sys.prefix) / "bin" / "mkdocs")
    done = subprocess.run(
        [mkdocs, "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def h1(page: Path) -> str:
    found = re.search(r"<h1[^>]*>(.*?)<", page.read_text(encoding="utf-8"))
    assert found is not None, page
    return found.group(1).strip()


def test_chinese_is_the_root_and_english_sits_under_en(site: Path) -> None:
    assert re.search(r'<html lang="zh', (site / "index.html").read_text(encoding="utf-8"))
    assert re.search(r'<html lang="en', (site / "en" / "index.html").read_text(encoding="utf-8"))
    assert h1(site / "cities" / "wuhu" / "index.html") == "芜湖"
    assert h1(site / "en" / "cities" / "wuhu" / "index.html") == "Wuhu"
    assert h1(site / "policy-reference" / "index.html") == "策略参数表"
    assert h1(site / "en" / "policy-reference" / "index.html") == "Policy reference"


def test_every_page_has_the_language_switch(site: Path) -> None:
    pages = [p for p in site.rglob("index.html") if "assets" not in p.parts]
    assert len(pages) > 40
    missing = [
        str(p.relative_to(site))
        for p in pages
        if not ('hreflang="zh"' in (text := p.read_text(encoding="utf-8")) and 'hreflang="en"' in text)
    ]
    assert missing == []


def test_the_chinese_nav_is_translated(site: Path) -> None:
    text = (site / "index.html").read_text(encoding="utf-8")
    for title in ("试点城市", "术语表", "策略参数表", "API 参考"):
        assert title in text


def test_every_nav_title_has_a_chinese_translation() -> None:
    # A page added to the nav without its Chinese title would show English on the Chinese site.
    text = (Path(__file__).parents[1] / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text[text.index("\nnav:") :]
    titles = set(re.findall(r"^\s*- ([^:\n]+):", nav, re.M))
    block = text[text.index("nav_translations:") : text.index("- locale: en")]
    translated = set(re.findall(r"^\s+([^:\n]+): \S", block, re.M)) - {"nav_translations"}
    assert titles, "the nav has titles"
    assert sorted(titles - translated) == []
