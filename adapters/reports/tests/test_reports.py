"""KPI plots (issue 13): a hand-built report drawn as PNG and SVG with Chinese labels in the
installed CJK font, English on request, and no glyph missing from the font."""

from __future__ import annotations

import io
import re
import struct
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pendulum
import pytest
from jointinspect_reports import cjk_family, font_file, kpi_figure, render, save
from jointinspect_reports import fonts as fonts_module
from matplotlib.figure import Figure

from jointinspect.errors import JointInspectError
from jointinspect.kpi import DepartmentMonth, KpiReport

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _report(*, complaints: bool = True) -> KpiReport:
    start = pendulum.datetime(2026, 1, 31, 16)  # 2026-02-01 00:00 in Shanghai
    return KpiReport(
        start=start,
        end=start.add(months=2),
        by_department=(
            DepartmentMonth("SCJG", "2026-02", plans_filed=5, planned=4, on_time=4, reported=1, in_joint_visits=2),
            DepartmentMonth("SCJG", "2026-03", plans_filed=3, planned=3, on_time=2, in_joint_visits=2),
            DepartmentMonth("YJGL", "2026-02", plans_filed=2, planned=2, on_time=2, in_joint_visits=2),
        ),
        plans_filed=10,
        advance_notice_compliance=Decimal("0.8889"),
        emergencies_reported=0,
        whitelist_approved=1,
        whitelist_rejected=0,
        whitelist_pending=0,
        joint_visit_rate=Decimal("0.6000"),
        visits=7,
        joint_visits=2,
        repeat_visits_avoided=3,
        visits_per_enterprise={1: 5, 2: 1},
        check_ins=6,
        scanned_check_ins=5,
        enterprise_code_scan_rate=Decimal("0.8333"),
        median_visit_minutes=Decimal("42.50"),
        frequency_warnings=1,
        rectifications_opened=4,
        rectifications_closed=2,
        rectifications_overdue=1,
        guidance_given=1,
        median_days_to_close=Decimal("3.50"),
        ratings=3,
        mean_rating=Decimal("88.33"),
        complaints_by_reason={"no_scan": 2, "over_frequency": 1} if complaints else {},
    )


@pytest.fixture(autouse=True)
def _missing_glyphs_fail() -> Iterator[None]:
    # matplotlib reports a character its font lacks as a UserWarning "Glyph N (...) missing
    # from font(s) ..." and draws a box: in these tests that is a failure.
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"(?s).*missing from font")
        yield


def _comments(svg: bytes) -> str:
    return " ".join(re.findall(r"<!-- (.*?) -->", svg.decode("utf-8")))


def test_the_project_installs_the_cjk_font() -> None:
    path = font_file()
    assert path is not None and path.is_file(), "Noto Sans CJK missing: run scripts/ensure_fonts.sh"
    assert "CJK" in cjk_family()


def test_png_and_svg_files_with_chinese_labels_in_the_cjk_font(tmp_path: Path) -> None:
    png, svg = save(_report(), tmp_path / "out", names={"SCJG": "市场监督管理局"})
    assert (png.name, svg.name) == ("kpi.png", "kpi.svg")
    data = png.read_bytes()
    assert data.startswith(PNG_MAGIC)
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (1100, 800)
    text = svg.read_bytes()
    root = ET.fromstring(text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    labels = _comments(text)
    for label in (
        "督办指标 2026-02-01 至 2026-03-31",
        "各部门各月备案检查计划",
        "联合检查率",
        "市场监督管理局",
        "未扫码入企",
    ):
        assert label in labels
    assert "60.0%" in labels and "88.9%" in labels and "83.3%" in labels  # the rates, in percent
    # Drawn as glyph paths from the CJK font, not as text a viewer must have a font for.
    glyphs = re.findall(r'<path id="([A-Za-z]+[^"]*-Regular-[0-9a-f]+)"', text.decode("utf-8"))
    assert len(glyphs) > 30 and all(g.startswith("NotoSansCJKsc-Regular-") for g in glyphs)
    assert b"<text" not in text


def test_english_labels_on_request() -> None:
    labels = _comments(render(_report(), "svg", lang="en"))
    assert "Supervision KPIs 2026-02-01 to 2026-03-31" in labels
    assert "joint-visit rate" in labels and "no scan" in labels
    assert not re.search(r"[\u4e00-\u9fff]", labels)


def test_the_same_report_gives_the_same_svg() -> None:
    assert render(_report(), "svg") == render(_report(), "svg")
    assert render(_report(), "svg") != render(_report(complaints=False), "svg")


def test_an_empty_panel_says_so() -> None:
    labels = _comments(render(_report(complaints=False), "svg"))
    assert "无" in labels and "投诉(按原因)" in labels


def test_a_missing_glyph_fails_the_test() -> None:
    # The autouse filter really catches matplotlib's warning: a Latin-only font lacks 市.
    fig = Figure()
    fig.suptitle("市场", fontfamily="DejaVu Sans")
    with pytest.raises(UserWarning, match="missing from font"):
        fig.savefig(io.BytesIO(), format="png")


def test_figure_has_four_panels() -> None:
    assert len(kpi_figure(_report()).axes) == 4


def test_no_font_is_a_typed_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JOINTINSPECT_CJK_FONT", str(tmp_path / "absent.ttc"))
    fonts_module.cjk_family.cache_clear()
    try:
        with pytest.raises(JointInspectError) as err:
            cjk_family()
        assert err.value.code == "report.font_missing" and "fonts-noto-cjk" in err.value.message_zh
    finally:
        monkeypatch.delenv("JOINTINSPECT_CJK_FONT")
        fonts_module.cjk_family.cache_clear()
