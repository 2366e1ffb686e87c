"""Measurement 6: a simulated city year, end to end on the embedded SQLite store.

A Yantai-sized city (1,000,000 enterprises, 40 departments, 96,987 plans in the year) is
generated. The whole year is matched in batch (:mod:`jointinspect.rules.batch`); the plans
of one enterprise in ``sample`` (all of them with ``--full``) are also filed one by one
through :class:`jointinspect.Engine` on a SQLite file, in filing order, under the default
rules (whitelist approval off so that every plan becomes a visit). Sampling by enterprise
keeps every cluster whole, so the engine's visits must equal the batch groups of the same
plans exactly — the run checks it.

The workload's convergence share (plans that follow another department's plan for the same
enterprise within days) is a calibrated input, chosen so that the year lands near Yantai's
figures; the measurement is that the engine, filing incrementally, finds exactly those
merges, and how fast.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.filing import FilingStats, VisitCounts, count_visits, file_plans, filing_order, register
from benchmarks.workload import MIN_COMMON_MINUTES, CityShape, Progress, Workload, _q, generate
from jointinspect.rules.batch import BatchSummary, group_ids, summarize

YANTAI_PLANS = 96_987
YANTAI_AVOIDED = 28_775


@dataclass
class CityYear:
    year: BatchSummary
    sample: BatchSummary
    engine: VisitCounts
    stats: FilingStats
    sample_every: int

    @property
    def ratio(self) -> float:
        """Visits the engine made filing one by one, over the batch optimum of the same plans."""
        return self.engine.inspections / self.sample.groups if self.sample.groups else 1.0

    @property
    def agree(self) -> bool:
        """Incremental filing stays within 5% of the optimum (issue 8)."""
        return self.engine.plans == self.sample.plans and self.ratio <= 1.05


def batch_summary(w: Workload, ids: np.ndarray | None = None) -> BatchSummary:
    if ids is None:
        ids = np.arange(len(w))
    g = group_ids(
        _q(w.enterprise[ids]), _q(w.start[ids]), _q(w.end[ids]), w.mergeable[ids].tobytes(), MIN_COMMON_MINUTES
    )
    return summarize(g, _q(w.department[ids]))


def run(sample_every: int = 10, plans: int = YANTAI_PLANS, enterprises: int = 1_000_000) -> CityYear:
    from jointinspect import open_store  # noqa: PLC0415 - optional, imported when used

    w = generate(CityShape(enterprises=enterprises, plans=plans))
    year = batch_summary(w)
    chosen = np.nonzero(w.enterprise % sample_every == 0)[0]
    sample = batch_summary(w, chosen)
    order = filing_order(w, chosen)
    with tempfile.TemporaryDirectory(prefix="ji-city-") as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'city.db'}", create=True)
        try:
            register(store, w, order)
            bar = Progress(f"city year on SQLite ({len(order)})", len(order))
            engine, stats = file_plans(w, store, order, progress=bar, frequency=False)
            bar.close()
            visits = count_visits(engine, w, order)
        finally:
            store.close()
    return CityYear(year, sample, visits, stats, sample_every)
