"""Outcomes side by side as one figure (PNG or SVG), Chinese labels by default.

Uses matplotlib's object API and the CJK font of ``jointinspect_reports`` (the ``reports``
extra): visits and plans per policy, the rates, and visits per enterprise.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from jointinspect_reports.fonts import cjk_family
from matplotlib.figure import Figure

from jointinspect_simulate.replay import BUCKETS, Outcome

__all__ = ["figure", "save"]

Lang = Literal["zh", "en"]
_TEXT = {
    "counts": ("计划与检查", "Plans and visits"),
    "plans_visited": ("实施的计划", "plans carried out"),
    "visits": ("入企检查", "visits"),
    "avoided": ("减少重复检查", "repeat visits avoided"),
    "blocked": ("超频次拦截的计划", "plans blocked"),
    "spared": ("白名单免检", "spared by whitelist"),
    "rate": ("联合检查率(%)", "Joint-visit rate (%)"),
    "per_ent": ("每家企业被检查次数", "Visits per enterprise"),
    "enterprises": ("企业数", "enterprises"),
    "title": ("政策模拟", "Policy simulation"),
}


def _t(key: str, lang: Lang) -> str:
    zh, en = _TEXT[key]
    return zh if lang == "zh" else en


def _style() -> dict[Any, Any]:
    return {"font.family": [cjk_family()], "axes.unicode_minus": False, "svg.fonttype": "path", "svg.hashsalt": "ji"}


def figure(outcomes: Sequence[Outcome], lang: Lang = "zh") -> Figure:
    """Three panels: counts per policy, joint-visit rate, visits per enterprise."""
    import matplotlib as mpl  # noqa: PLC0415

    with mpl.rc_context(_style()):
        fig = Figure(figsize=(13, 4.6), layout="constrained")
        ax1, ax2, ax3 = fig.subplots(1, 3)
        names = [o.policy.replace(" ", "\n") for o in outcomes]  # settings on lines of their own
        series = [
            ("plans_visited", [o.plans_visited for o in outcomes]),
            ("visits", [o.visits for o in outcomes]),
            ("avoided", [o.repeat_visits_avoided for o in outcomes]),
            ("blocked", [o.plans_blocked for o in outcomes]),
            ("spared", [o.whitelist_spared for o in outcomes]),
        ]
        width = 0.8 / len(series)
        for j, (key, values) in enumerate(series):
            ax1.bar([i + j * width for i in range(len(names))], values, width, label=_t(key, lang))
        ax1.set_xticks([i + 0.4 - width / 2 for i in range(len(names))], names, fontsize=8)
        ax1.set_title(_t("counts", lang))
        ax1.legend(fontsize=7)
        ax2.bar(names, [100 * o.joint_visit_rate for o in outcomes], color="#4c72b0")
        ax2.set_title(_t("rate", lang))
        ax2.tick_params(axis="x", labelsize=8)
        labels = [b[0] for b in BUCKETS]
        width = 0.8 / max(1, len(outcomes))
        for j, o in enumerate(outcomes):
            ax3.bar(
                [i + j * width for i in range(len(labels))],
                [o.visits_per_enterprise[b] for b in labels],
                width,
                label=o.policy,
            )
        ax3.set_xticks([i + 0.4 - width / 2 for i in range(len(labels))], labels)
        ax3.set_yscale("log")
        ax3.set_title(_t("per_ent", lang))
        ax3.set_ylabel(_t("enterprises", lang))
        ax3.legend(fontsize=7)
        fig.suptitle(_t("title", lang))
        return fig


def save(outcomes: Sequence[Outcome], directory: str | Path, lang: Lang = "zh") -> list[Path]:
    """Write ``simulation.png`` and ``simulation.svg`` into ``directory``; returns the paths."""
    import matplotlib as mpl  # noqa: PLC0415

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    fig = figure(outcomes, lang)
    paths = []
    with mpl.rc_context(_style()):
        for fmt in ("png", "svg"):
            path = out / f"simulation.{fmt}"
            fig.savefig(path, format=fmt, dpi=110, metadata={"Date": None} if fmt == "svg" else {})
            paths.append(path)
    return paths
