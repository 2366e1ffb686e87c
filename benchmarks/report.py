"""What a benchmark run fills and prints: the rows of figures against their baselines,
notes and the series drawn; ``ROOT`` is the repository the run reads and writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One figure of the table: its value, baseline, ratio, target and whether it was met."""

    figure: str
    value: str
    baseline: str
    ratio: str
    target: str
    met: str


@dataclass
class Report:
    """What a run collects: the table's rows, notes, the series drawn and extra text for the docs."""

    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    scaling: list[tuple[str, int, float, float | None]] = field(default_factory=list)  # path, n, s, B/plan
    filing: list[tuple[str, float]] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)

    def add(
        self,
        figure: str,
        value: str,
        baseline: str = "",
        ratio: float | str | None = None,
        target: str = "",
        met: bool | None = None,
    ) -> None:
        r = f"{ratio:.2f}x" if isinstance(ratio, float) else (ratio or "")
        m = "" if met is None else ("yes" if met else "**no**")
        self.rows.append(Row(figure, value, baseline, r, target, m))
        print(
            f"  {figure}: {value}"
            + (f" | baseline {baseline}" if baseline else "")
            + (f" | {r}" if r else "")
            + (f" | target {target}: {m}" if target else ""),
            flush=True,
        )


def fmt_s(s: float) -> str:
    """Seconds to three decimals below 10 s, to one decimal above."""
    return f"{s:.3f} s" if s < 10 else f"{s:.1f} s"
