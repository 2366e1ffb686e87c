"""KPI plots: a supervision report (`jointinspect.kpi.KpiReport`) drawn as PNG and SVG.

Install with the ``reports`` extra (matplotlib). Labels are Chinese by default, drawn with
Noto Sans CJK (Debian ``fonts-noto-cjk``); ``lang="en"`` gives English labels::

    from jointinspect_reports import save

    save(engine.supervision_report(start, end, by=supervisor), "out/")  # out/kpi.png, out/kpi.svg
"""

from __future__ import annotations

from jointinspect_reports.charts import Format, kpi_figure, render, save
from jointinspect_reports.fonts import CJK_FAMILY, cjk_family, font_file
from jointinspect_reports.labels import Lang

__all__ = ["CJK_FAMILY", "Format", "Lang", "cjk_family", "font_file", "kpi_figure", "render", "save"]
