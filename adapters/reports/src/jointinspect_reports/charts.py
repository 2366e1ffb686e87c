"""Draw a `KpiReport` as one figure of four panels, saved as PNG or SVG.

The figure is built with matplotlib's object API (no ``pyplot`` state), so a web service may
render reports from several threads. SVG text is drawn as glyph paths (the file shows the
same letters on any machine) and each label is kept beside its paths as an XML comment; the
SVG carries no date and a fixed hash salt, so one report always gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from jointinspect.kpi import KpiReport
from jointinspect_reports.fonts import cjk_family
from jointinspect_reports.labels import Lang, reason, text

Format = Literal["png", "svg"]
_RATES = ("joint_visit_rate", "advance_notice_compliance", "enterprise_code_scan_rate")


def _style() -> dict[Any, Any]:  # matplotlib types the keys as a Literal of every rc name
    return {
        "font.family": [cjk_family()],
        "axes.unicode_minus": False,  # the CJK font's hyphen, not U+2212
        "svg.fonttype": "path",
        "svg.hashsalt": "jointinspect",
    }


def kpi_figure(
    report: KpiReport, *, lang: Lang = "zh", names: Mapping[str, str] | None = None, zone: str = "Asia/Shanghai"
) -> Figure:
    """The report as a figure: plans per department and month, key rates, rectifications,
    complaints by reason, with a one-line summary. ``names`` maps department codes to the
    names shown (codes are shown otherwise); the period's dates are shown in ``zone``."""
    with mpl.rc_context(_style()):
        fig = Figure(figsize=(11, 8), dpi=100, layout="constrained")
        start = report.start.in_timezone(zone).format("YYYY-MM-DD")
        end = report.end.in_timezone(zone).subtract(microseconds=1).format("YYYY-MM-DD")
        fig.suptitle(text("title", lang, start=start, end=end), fontsize=15)
        axes = fig.subplots(2, 2)
        _plans(axes[0][0], report, lang, names or {})
        _rates(axes[0][1], report, lang)
        _rectifications(axes[1][0], report, lang)
        _complaints(axes[1][1], report, lang)
        mean = report.mean_rating if report.mean_rating is not None else "-"
        fig.supxlabel(
            text(
                "summary",
                lang,
                plans=report.plans_filed,
                visits=report.visits,
                joint=report.joint_visits,
                avoided=report.repeat_visits_avoided,
                ratings=report.ratings,
                mean=mean,
            ),
            fontsize=10,
        )
    return fig


def render(
    report: KpiReport,
    fmt: Format = "png",
    *,
    lang: Lang = "zh",
    names: Mapping[str, str] | None = None,
    zone: str = "Asia/Shanghai",
) -> bytes:
    """The report's figure as PNG or SVG bytes."""
    fig = kpi_figure(report, lang=lang, names=names, zone=zone)
    out = io.BytesIO()
    with mpl.rc_context(_style()):
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(out, format=fmt, metadata=metadata)
    return out.getvalue()


def save(
    report: KpiReport,
    directory: Path | str,
    *,
    stem: str = "kpi",
    lang: Lang = "zh",
    names: Mapping[str, str] | None = None,
    formats: Sequence[Format] = ("png", "svg"),
) -> list[Path]:
    """Write ``<stem>.png`` and ``<stem>.svg`` (or the ``formats`` asked for) into
    ``directory`` (created when missing) and return their paths."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = folder / f"{stem}.{fmt}"
        path.write_bytes(render(report, fmt, lang=lang, names=names))
        paths.append(path)
    return paths


def _empty(ax: Axes, lang: Lang) -> None:
    ax.text(0.5, 0.5, text("none", lang), ha="center", va="center", transform=ax.transAxes, color="grey")
    ax.set_xticks([])
    ax.set_yticks([])


def _plans(ax: Axes, report: KpiReport, lang: Lang, names: Mapping[str, str]) -> None:
    ax.set_title(text("plans", lang))
    if not report.by_department:
        _empty(ax, lang)
        return
    departments = sorted({r.department for r in report.by_department})
    months = sorted({r.month for r in report.by_department})
    counts = {(r.department, r.month): r.plans_filed for r in report.by_department}
    width = 0.8 / len(months)
    for k, month in enumerate(months):
        xs = [d + k * width - 0.4 + width / 2 for d in range(len(departments))]
        bars = ax.bar(xs, [counts.get((d, month), 0) for d in departments], width, label=month)
        ax.bar_label(bars, fontsize=8)
    ax.set_xticks(range(len(departments)), [names.get(d, d) for d in departments], rotation=30, ha="right")
    ax.set_ylabel(text("plans_axis", lang))
    ax.legend(fontsize=8)


def _percent(value: Decimal | None) -> float:
    return float(value * 100) if value is not None else 0.0


def _rates(ax: Axes, report: KpiReport, lang: Lang) -> None:
    ax.set_title(text("rates", lang))
    values = [getattr(report, name) for name in _RATES]
    bars = ax.barh([text(name, lang) for name in _RATES], [_percent(v) for v in values], color="#2a7ab9")
    ax.bar_label(bars, [f"{_percent(v):.1f}%" if v is not None else "-" for v in values], fontsize=9)
    ax.set_xlim(0, 115)
    ax.set_xlabel(text("rates_axis", lang))
    ax.invert_yaxis()


def _rectifications(ax: Axes, report: KpiReport, lang: Lang) -> None:
    ax.set_title(text("rectifications", lang))
    keys = ("opened", "closed", "overdue", "guidance")
    values = [
        report.rectifications_opened,
        report.rectifications_closed,
        report.rectifications_overdue,
        report.guidance_given,
    ]
    bars = ax.bar([text(k, lang) for k in keys], values, color=["#7a7a7a", "#3a9d5d", "#c8553d", "#e0a030"])
    ax.bar_label(bars, fontsize=9)
    ax.set_ylim(0, max([*values, 1]) * 1.2)


def _complaints(ax: Axes, report: KpiReport, lang: Lang) -> None:
    ax.set_title(text("complaints", lang))
    if not report.complaints_by_reason:
        _empty(ax, lang)
        return
    reasons = list(report.complaints_by_reason)
    bars = ax.barh(
        [reason(r, lang) for r in reasons], [report.complaints_by_reason[r] for r in reasons], color="#8e5ea2"
    )
    ax.bar_label(bars, fontsize=9)
    ax.set_xlabel(text("complaints_axis", lang))
    ax.set_xlim(0, max(report.complaints_by_reason.values()) * 1.3)
    ax.invert_yaxis()
