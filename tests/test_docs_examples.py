"""Every Python block of the README and the docs runs, and every TOML block loads (issue 16).

The pages are README.md, README.zh-CN.md and docs/**/*.md (both languages). A ```python block
runs on its own in a fresh namespace and an empty working directory, so each must carry its
imports (fence a fragment as ```text). A ```toml block is a policy file (it loads through
`jointinspect.policy.load_policy`) unless its only table is ``[notify]`` (routing, loaded by
`jointinspect_notify.routing.load_routing_toml`).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from jointinspect.policy import load_policy, preset

#: The source tree whose pages run: this checkout, or (scripts/wheel_check.sh) the tree a
#: plain install of the built wheel is tested against.
ROOT = Path(os.environ.get("JOINTINSPECT_SOURCE_TREE") or Path(__file__).resolve().parents[1])
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
#: The signing seed the README tells a reader to export (docs/keys.md); any 64 hex digits do.
TEST_SEED = "00" * 31 + "2a"


@attrs.frozen
class Block:
    """One fenced code block of a page."""

    path: str  #: relative to the repository root
    line: int  #: of the opening fence, 1-based
    language: str
    source: str

    @property
    def id(self) -> str:
        """``docs/x.md:12``, the test id."""
        return f"{self.path}:{self.line}"


def pages() -> list[Path]:
    """The Markdown pages whose blocks run: the two READMEs and every page under docs/."""
    found = [ROOT / "README.md", ROOT / "README.zh-CN.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [p for p in found if p.is_file()]


def blocks(path: Path) -> Iterator[Block]:
    """The fenced blocks of one page, with the indentation of the fence removed."""
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        language = opening["info"].strip().split(" ")[0].lower() if opening["info"].strip() else ""
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not re.match(rf"^[ \t]*{re.escape(fence)}[ \t]*$", lines[end]):
            body.append(lines[end][len(indent) :] if lines[end].startswith(indent) else lines[end].lstrip())
            end += 1
        yield Block(str(path.relative_to(ROOT)), index + 1, language, "\n".join(body) + "\n")
        index = end + 1


ALL_BLOCKS = [b for page in pages() for b in blocks(page)]
PYTHON = [b for b in ALL_BLOCKS if b.language == "python"]
TOML = [b for b in ALL_BLOCKS if b.language == "toml"]


def test_the_blocks_are_found() -> None:
    # The parser must see every ```python opening a plain search sees (nothing silently skipped).
    openings = sum(
        1
        for page in pages()
        for line in page.read_text(encoding="utf-8").splitlines()
        if re.match(r"^[ \t]*```python[ \t]*$", line)
    )
    assert len(PYTHON) == openings
    print(f"docs examples: {len(PYTHON)} Python blocks and {len(TOML)} TOML blocks in {len(pages())} pages")


@pytest.mark.parametrize("block", PYTHON, ids=[b.id for b in PYTHON])
def test_python_block_runs(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JOINTINSPECT_SIGNING_SEED", TEST_SEED)
    code = compile(block.source, block.id, "exec")
    exec(code, {"__name__": "__docs__"})


@pytest.mark.parametrize("block", TOML, ids=[b.id for b in TOML])
def test_toml_block_loads(block: Block) -> None:
    data = tomllib.loads(block.source)
    if set(data) == {"notify"}:
        from jointinspect_notify.routing import load_routing_toml

        load_routing_toml(block.source, "notify")
    else:
        load_policy(data)


CITY_PAGES = sorted((ROOT / "docs" / "cities").glob("*.md"))


@pytest.mark.parametrize("page", CITY_PAGES, ids=[p.name for p in CITY_PAGES])
def test_city_page_shows_its_preset_and_runs_it(page: Path) -> None:
    # docs/cities/x-city.md (and .zh.md) shows the preset x_city as its policy file, and runs it.
    name = page.name.split(".")[0].replace("-", "_")
    found = list(blocks(page))
    tomls = [b for b in found if b.language == "toml"]
    assert len(tomls) == 1, "a city page shows one policy file"
    assert load_policy(tomllib.loads(tomls[0].source)) == preset(name)
    assert any(b.language == "python" and f'preset("{name}")' in b.source for b in found)
