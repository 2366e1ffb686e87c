"""Seeded, deterministic workloads modelled on the source figures.

A city of ``enterprises`` (Yantai-sized: 1,000,000) with credit classes, ``departments``
(40) with inspectors and items, and a year of plans (about 100,000) whose kinds, windows
and clustering follow what the articles describe:

* kinds: mostly routine and random spot checks, some special campaigns, a few triggered
  inspections (complaint, report, assigned, referral, data) and about 2% emergencies,
  which never merge;
* windows: routine plans span days to two weeks, spot checks a few days, triggered ones
  hours to two days; starts follow the working year (quiet around Spring Festival, busier
  before year end);
* targets: inspections concentrate on a minority of enterprises (credit class D and C are
  inspected far more often than A and B), and *convergence*: a share of plans are another
  department's plan for an enterprise some department already plans to visit, a few days
  apart — the situation joint inspection exists for.

The same generator with ``enterprises == plans`` makes the province-scale batches.
Everything is numpy (benchmark-only dependency); times are integer minutes from
2026-01-01T00:00Z.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from array import array
from dataclasses import dataclass

import numpy as np

YEAR_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
MINUTES_PER_DAY = 1440
YEAR_MINUTES = 365 * MINUTES_PER_DAY

#: (kind, share of independent plans, min length days, max length days, mergeable)
KINDS: tuple[tuple[str, float, float, float, bool], ...] = (
    ("routine", 0.46, 1, 14, True),
    ("random", 0.24, 1, 5, True),
    ("special", 0.14, 2, 10, True),
    ("complaint", 0.05, 0.125, 2, True),
    ("report", 0.03, 0.125, 2, True),
    ("assigned", 0.02, 0.5, 5, True),
    ("referral", 0.01, 0.5, 5, True),
    ("data", 0.03, 0.125, 1, True),
    ("emergency", 0.02, 0.0833, 0.5, False),
)
KIND_NAMES = tuple(k[0] for k in KINDS)
EMERGENCY = KIND_NAMES.index("emergency")

#: credit class mix and relative inspection weight (D inspected ~12x as often as A).
CREDIT_CLASSES = ("A", "B", "C", "D")
CREDIT_MIX = (0.10, 0.60, 0.25, 0.05)
CREDIT_WEIGHT = (0.25, 0.8, 1.8, 3.0)


#: the default policy's least common time of a joint visit (matching.min_common_hours = 2):
#: no plan window is shorter (issue 8).
MIN_COMMON_MINUTES = 120


@dataclass(frozen=True)
class CityShape:
    """Sizes of a generated city (defaults: a Yantai-sized city year)."""

    enterprises: int = 1_000_000
    departments: int = 40
    inspectors_per_department: int = 25
    items_per_department: int = 12
    plans: int = 100_000
    #: share of plans that follow another department's plan for the same enterprise.
    convergence: float = 0.28
    #: share of enterprises that draw the bulk of inspections (licensed, risky trades).
    active_share: float = 0.12
    seed: int = 2026


@dataclass
class Workload:
    """Plans as numpy columns (position = plan id) plus the city's enterprise classes."""

    enterprise: np.ndarray  # int64 enterprise number
    department: np.ndarray  # int64 department number
    kind: np.ndarray  # int8 index into KIND_NAMES
    start: np.ndarray  # int64 minutes from YEAR_START
    end: np.ndarray  # int64, > start
    credit: np.ndarray  # int8 credit class per enterprise (index into CREDIT_CLASSES)
    shape: CityShape

    def __len__(self) -> int:
        return int(self.enterprise.shape[0])

    @property
    def mergeable(self) -> np.ndarray:
        return (self.kind != EMERGENCY).astype(np.uint8)

    def columns(self) -> tuple[array[int], array[int], array[int], bytes]:
        """The stdlib columns :func:`jointinspect.rules.batch.group_ids` takes."""
        return (_q(self.enterprise), _q(self.start), _q(self.end), self.mergeable.tobytes())


def _q(values: np.ndarray) -> array[int]:
    out = array("q")
    out.frombytes(np.ascontiguousarray(values, dtype=np.int64).tobytes())
    return out


def _season(rng: np.random.Generator, n: int) -> np.ndarray:
    """Start days over the year: fewer plans in February (Spring Festival) and August."""
    weights = np.ones(365)
    weights[30:58] = 0.35
    weights[212:235] = 0.7
    weights[300:350] = 1.3
    weights /= weights.sum()
    day = rng.choice(365, size=n, p=weights)
    return day.astype(np.int64) * MINUTES_PER_DAY + rng.integers(7 * 60, 17 * 60, size=n)  # office hours


def generate(shape: CityShape) -> Workload:
    """Generate ``shape.plans`` plans for a city of ``shape.enterprises`` enterprises."""
    rng = np.random.default_rng(shape.seed)
    n, n_ent = shape.plans, shape.enterprises
    credit = rng.choice(4, size=n_ent, p=CREDIT_MIX).astype(np.int8)

    # Independent plans pick an enterprise among the active ones, weighted by credit class.
    n_base = max(1, round(n * (1 - shape.convergence)))
    active = max(1, int(n_ent * shape.active_share))
    pool = rng.choice(n_ent, size=active, replace=False) if active < n_ent else np.arange(n_ent)
    w = np.asarray(CREDIT_WEIGHT)[credit[pool]]
    ent_base = pool[rng.choice(active, size=n_base, p=w / w.sum())]

    shares = np.asarray([k[1] for k in KINDS])
    kind_base = rng.choice(len(KINDS), size=n_base, p=shares / shares.sum()).astype(np.int8)
    start_base = _season(rng, n_base)
    # Departments are not equally busy: market regulation and safety file most plans.
    dw = 1.0 / np.arange(1, shape.departments + 1) ** 0.8
    dept_base = rng.choice(shape.departments, size=n_base, p=dw / dw.sum())

    # Converging plans: another department, the same enterprise, within a few days.
    n_conv = n - n_base
    src = rng.integers(0, n_base, size=n_conv)
    ent_conv = ent_base[src]
    offset = np.rint(rng.normal(0, 4 * MINUTES_PER_DAY, size=n_conv)).astype(np.int64)
    start_conv = np.clip(start_base[src] + offset, 0, YEAR_MINUTES - MINUTES_PER_DAY)
    dept_conv = (dept_base[src] + rng.integers(1, shape.departments, size=n_conv)) % shape.departments
    conv_kinds = np.asarray([KIND_NAMES.index(k) for k in ("routine", "random", "special")])
    kind_conv = conv_kinds[rng.choice(3, size=n_conv, p=(0.5, 0.3, 0.2))].astype(np.int8)

    enterprise = np.concatenate([ent_base, ent_conv]).astype(np.int64)
    department = np.concatenate([dept_base, dept_conv]).astype(np.int64)
    kind = np.concatenate([kind_base, kind_conv])
    start = np.concatenate([start_base, start_conv]).astype(np.int64)
    lo = np.asarray([k[2] for k in KINDS])[kind]
    hi = np.asarray([k[3] for k in KINDS])[kind]
    length = np.maximum(MIN_COMMON_MINUTES, np.rint(rng.uniform(lo, hi) * MINUTES_PER_DAY)).astype(np.int64)
    # Filing order is not enterprise order: shuffle so nothing arrives pre-sorted.
    perm = rng.permutation(n)
    return Workload(
        enterprise=enterprise[perm],
        department=department[perm],
        kind=kind[perm],
        start=start[perm],
        end=(start + length)[perm],
        credit=credit,
        shape=shape,
    )


def province(plans: int, seed: int = 2026) -> Workload:
    """A province-scale batch: as many enterprises as plans, one year of windows."""
    return generate(CityShape(enterprises=max(1000, plans), plans=plans, seed=seed))


def canonical(groups: np.ndarray) -> np.ndarray:
    """Canonical form of a partition: for each plan, the smallest plan id in its group."""
    groups = np.asarray(groups, dtype=np.int64)
    ids = np.arange(groups.shape[0], dtype=np.int64)
    mins = np.full(int(groups.max()) + 1 if groups.size else 0, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(mins, groups, ids)
    return mins[groups]


class Progress:
    """A one-line progress bar on stderr (no dependency), for the long runs."""

    def __init__(self, label: str, total: int, enabled: bool = True) -> None:
        self.label, self.total, self.enabled = label, max(1, total), enabled and sys.stderr.isatty()
        self._t0, self._last, self._time, self._err = time.perf_counter(), -1.0, time.perf_counter, sys.stderr

    def __call__(self, done: int) -> None:
        if not self.enabled:
            return
        now = self._time()
        if now - self._last < 0.2 and done < self.total:
            return
        self._last = now
        frac = min(1.0, done / self.total)
        bar = "#" * int(frac * 30)
        elapsed = now - self._t0
        eta = elapsed / frac - elapsed if frac > 0 else 0.0
        self._err.write(f"\r  {self.label:<28} [{bar:<30}] {frac:6.1%}  {elapsed:5.0f}s  eta {eta:4.0f}s")
        self._err.flush()

    def close(self) -> None:
        if self.enabled:
            self(self.total)
            self._err.write("\n")
