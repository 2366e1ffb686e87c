"""Measurement 7: every engine operation against the enterprise's history and the city's size.

Issue 15's target: an operation on an enterprise with 10,000 earlier visits costs at most 1.3x
what it costs on a new one, and filing in a city of 1,000,000 stored plans at most 1.3x filing
in an empty city, on every store.

History is seeded straight through the store's repositories (one unit of work per few
thousand rows): for each earlier visit a plan, its completed inspection, a checked-out visit,
a result (one in ten a failure, with its accepted rectification), a rating and the ledger's
reservation, spread over ten years ending seven months before the measured visits (outside
the sharing lookback and the frequency windows, whose reads return what lies inside them). The measured operations
then run through `jointinspect.Engine` on fresh visits two weeks apart (so no frequency rule
or merge depends on the history), ``REPS`` times each; the figure is the median.

Run alone (``python benchmarks/history.py``) it prints the table, draws
``docs/img/history.png`` and replaces the marked section of ``docs/performance.md``;
``benchmarks/run.py`` runs it as measurement 7.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # testsupport.*

from benchmarks.history_seed import (  # noqa: E402
    BASE,
    CITY,
    DEPT,
    ENT,
    ITEM,
    LIMITED,
    PEOPLE,
    seed_city,
    seed_history,
)
from benchmarks.servers import fresh_pg_database  # noqa: E402
from jointinspect import Engine, FixedClock, Policy  # noqa: E402
from jointinspect.auth import Principal  # noqa: E402
from jointinspect.codes.keys import MemoryKeyStore  # noqa: E402
from jointinspect.memory import MemoryStore  # noqa: E402
from jointinspect.model.result import Outcome  # noqa: E402
from jointinspect.ports import Store  # noqa: E402
from jointinspect.requests import PlanRequest  # noqa: E402
from jointinspect.sample import populate  # noqa: E402

OPERATIONS = (
    "file",
    "approve",
    "issue code",
    "check in",
    "record result",
    "submit rectification",
    "accept rectification",
    "rate",
)
SIZES = (0, 1_000, 10_000)
TARGET = 1.3
MARK_START, MARK_END = "<!-- history:start -->", "<!-- history:end -->"


def call(engine: Engine, operation: str, *args: Any, **kwargs: Any) -> Any:
    """Every engine call of the benchmark goes through here (one place to adapt signatures)."""
    return getattr(engine, operation)(*args, **kwargs)


# --------------------------------------------------------------------------- seeding


# --------------------------------------------------------------------------- measuring


def _engine(store: Store) -> tuple[Engine, FixedClock]:
    counter = itertools.count()
    clock = FixedClock(BASE.subtract(days=30))
    engine = Engine(
        store=store,
        policy=Policy(),
        clock=clock,
        keys=MemoryKeyStore.from_seed(b"history-benchmark-seed-32-bytes!"),
        ids=lambda: f"m{next(counter):07d}",
        auto_deliver=False,
    )
    populate(engine, CITY)
    return engine, clock


class Lifecycle:
    """Visits of `ENT` (approvals: `LIMITED`) on one store, one at a time, timing each
    operation; `medians` gives the median seconds per operation."""

    def __init__(self, store: Store, only_filing: bool = False) -> None:
        self.engine, self.clock = _engine(store)
        self.only_filing = only_filing
        self.times: dict[str, list[float]] = {op: [] for op in OPERATIONS}

    def _timed(self, op: str, name: str, *args: Any, by: Principal) -> Any:
        t0 = time.perf_counter()
        out = call(self.engine, name, *args, by=by)
        self.times[op].append(time.perf_counter() - t0)
        return out

    def step(self, r: int) -> None:
        """Visit number ``r``: two weeks after visit ``r - 1``, so no rule or merge links them."""
        engine, clock, timed = self.engine, self.clock, self._timed
        start = BASE.add(days=14 * r)
        clock.set(start.subtract(days=8))
        mine, limited = (
            PlanRequest(e.credit_code, DEPT, start, start.add(hours=4), items=(ITEM,), inspectors=PEOPLE)
            for e in (ENT, LIMITED)
        )
        officer, system = Principal.officer(DEPT), Principal.system()
        inspector = Principal.inspector(PEOPLE[0], department=DEPT)
        enterprise = Principal.enterprise(ENT.credit_code)
        filed = timed("file", "file_plan", mine, by=officer)
        if self.only_filing:
            return
        pending = call(engine, "file_plan", limited, by=officer)
        timed("approve", "approve_plan", pending.plan.id, "supervisor", by=Principal.supervisor())
        iid = filed.inspection.id
        code = timed("issue code", "issue_inspection_code", iid, by=system)
        gate = call(engine, "issue_enterprise_code", ENT.credit_code, by=system)
        clock.set(start.add(minutes=5))
        timed("check in", "check_in", code.token, ENT.site, gate.token, by=inspector)
        rect = timed("record result", "record_result", iid, ITEM, Outcome.FAIL, by=inspector).rectification.id
        timed("submit rectification", "submit_rectification", rect, ["photo.jpg"], by=enterprise)
        timed("accept rectification", "accept_rectification", rect, by=officer)
        clock.set(start.add(hours=1))
        call(engine, "check_out", iid, by=inspector)
        timed("rate", "rate", iid, 90, by=enterprise)

    def medians(self) -> dict[str, float]:
        """Median seconds per operation measured so far."""
        return {op: statistics.median(ts) for op, ts in self.times.items() if ts}


def interleaved(runs: list[Lifecycle], reps: int) -> list[dict[str, float]]:
    """Step every run visit by visit in turn (so machine noise hits each alike), with the
    seeded rows moved out of the garbage collector's sight: otherwise a full collection
    walks every seeded object and bills the history to whichever operation it interrupts."""
    gc.collect()
    gc.freeze()
    try:
        for r in range(reps):
            for run in runs:
                run.step(r)
    finally:
        gc.unfreeze()
    return [run.medians() for run in runs]


@dataclass
class HistoryRun:
    """Medians in seconds: ``history[store][size][operation]`` and ``city[store][plans]``."""

    history: dict[str, dict[int, dict[str, float]]] = field(default_factory=dict)
    city: dict[str, dict[int, float]] = field(default_factory=dict)
    seed_seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _stores(pg_url: str | None) -> list[tuple[str, Callable[[], contextlib.AbstractContextManager[Store]]]]:
    numbers = itertools.count()

    @contextlib.contextmanager
    def memory() -> Iterator[Store]:
        yield MemoryStore()

    @contextlib.contextmanager
    def sqlite() -> Iterator[Store]:
        from jointinspect_sqlalchemy import SQLStore  # noqa: PLC0415 - optional, imported when used

        with tempfile.TemporaryDirectory() as tmp:
            store = SQLStore(f"sqlite:///{tmp}/history.db", create=True)
            try:
                yield store
            finally:
                store.close()

    @contextlib.contextmanager
    def postgresql() -> Iterator[Store]:
        assert pg_url is not None
        from jointinspect_sqlalchemy import SQLStore  # noqa: PLC0415 - optional, imported when used

        store = SQLStore(fresh_pg_database(pg_url, f"history_{os.getpid()}_{next(numbers)}"), create=True)
        try:
            yield store
        finally:
            store.close()

    out: list[tuple[str, Callable[[], contextlib.AbstractContextManager[Store]]]] = [
        ("memory", memory),
        ("SQLite", sqlite),
    ]
    if pg_url is not None:
        out.append(("PostgreSQL", postgresql))
    return out


def run(
    pg_url: str | None,
    sizes: tuple[int, ...] = SIZES,
    reps: int = 25,
    city: int = 1_000_000,
    city_stores: tuple[str, ...] = ("memory", "SQLite", "PostgreSQL"),
    stores: tuple[str, ...] = ("memory", "SQLite", "PostgreSQL"),
) -> HistoryRun:
    """Measure every store at every history size, then filing in an empty and a full city."""
    out = HistoryRun()
    if pg_url is None:
        out.notes.append("PostgreSQL not measured: no server (give --pg-url or install its binaries).")
    for name, factory in _stores(pg_url):
        if name not in stores:
            continue
        with contextlib.ExitStack() as stack:
            runs = []
            for size in sizes:
                store = stack.enter_context(factory())
                t0 = time.perf_counter()
                for enterprise in (ENT.credit_code, LIMITED.credit_code):
                    seed_history(store, enterprise, size)
                out.seed_seconds[f"{name} {size:,} visits x2"] = time.perf_counter() - t0
                runs.append(Lifecycle(store))
            out.history[name] = dict(zip(sizes, interleaved(runs, reps), strict=True))
        for size, figures in out.history[name].items():
            print(f"  history {name} {size:>6,}: " + ", ".join(f"{k} {v * 1e3:.2f} ms" for k, v in figures.items()))
        if name not in city_stores or city <= 0:
            continue
        with contextlib.ExitStack() as stack:
            runs = []
            for plans in (0, city):
                store = stack.enter_context(factory())
                t0 = time.perf_counter()
                seed_city(store, plans)
                if plans:
                    out.seed_seconds[f"{name} city {plans:,} plans"] = time.perf_counter() - t0
                    print(f"  seeded {plans:,} plans on {name} in {time.perf_counter() - t0:.1f} s", flush=True)
                runs.append(Lifecycle(store, only_filing=True))
            empty, full = interleaved(runs, reps)
            out.city[name] = {0: empty["file"], city: full["file"]}
        print(f"  city {name}: file {empty['file'] * 1e3:.2f} ms empty, {full['file'] * 1e3:.2f} ms full", flush=True)
    return out


# --------------------------------------------------------------------------- reporting


def table(result: HistoryRun) -> str:
    """The Markdown table: operation x store, one column per history size, and the ratio."""
    sizes = sorted({s for per in result.history.values() for s in per})
    head = "| operation | store | " + " | ".join(f"{s:,} visits" for s in sizes) + " | largest/0 | met (<= 1.3x)? |"
    lines = [head, "|" + "---|" * (len(sizes) + 4)]
    for op in OPERATIONS:
        for store, per in result.history.items():
            if not all(op in per[s] for s in sizes):
                continue
            cells = [f"{per[s][op] * 1e3:.2f} ms" for s in sizes]
            ratio = per[sizes[-1]][op] / per[sizes[0]][op]
            lines.append(f"| {op} | {store} | " + " | ".join(cells) + f" | {ratio:.2f}x | {_met(ratio)} |")
    if result.city:
        lines += [
            "",
            "| filing in a city of | store | empty | stored plans | full/empty | met (<= 1.3x)? |",
            "|---|---|---|---|---|---|",
        ]
        for store, per in result.city.items():
            empty, full = per[0], max(per)
            ratio = per[full] / empty
            cells = f"{empty * 1e3:.2f} ms | {per[full] * 1e3:.2f} ms | {ratio:.2f}x"
            lines.append(f"| {full:,} plans | {store} | {cells} | {_met(ratio)} |")
    return "\n".join(lines)


def _met(ratio: float) -> str:
    return "yes" if ratio <= TARGET else "**no**"


def plot(result: HistoryRun, path: Path) -> bool:
    """Time against history, one panel per store, one line per operation."""
    try:
        import matplotlib  # noqa: PLC0415 - optional, imported when used

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:
        return False
    stores = list(result.history)
    fig, axes = plt.subplots(1, len(stores), figsize=(5 * len(stores), 4), squeeze=False)
    for ax, store in zip(axes[0], stores, strict=True):
        per = result.history[store]
        sizes = sorted(per)
        for op in OPERATIONS:
            if all(op in per[s] for s in sizes):
                ax.plot(sizes, [per[s][op] * 1e3 for s in sizes], marker="o", label=op)
        ax.set_title(store)
        ax.set_xlabel("earlier visits of the enterprise")
        ax.set_ylabel("median ms per operation")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


#: What each operation reads since issue 15 (SQL; the memory store reads the same through
#: sorted in-memory indexes). Every operation also appends to the audit log (the one head
#: row) and queues notifications by key.
QUERIES = """
| operation | reads (port method: SQL, index) | bounded by |
|---|---|---|
| file plan | reference rows by key; `results.for_enterprise(e, items, now - lookback)`: `ix_ji_results_enterprise` range; ledger: reservations `id = ? OR (enterprise = ? AND at in span)`, `ix_ji_reservations_enterprise`; `inspections.open_for_enterprise(e, reaching)`: `status = 'planned' AND id IN (plans of e with window_end >= ?)`, `ix_ji_plans_reach` (covering) + primary key; `plans.for_inspections(open ids)`: `ix_ji_plans_inspection` | the sharing lookback, the rules' windows, plans still reaching the new one |
| approve plan | `plans.get` (primary key) twice, then as filing | as filing |
| issue code | `inspections.get` | one row |
| check in | `inspections.get` twice; inspector, enterprise, items by key; `visits.for_inspection`: `ix_ji_visits_inspection`; replay key by key | the visits of this inspection |
| check out | `inspections.get` twice; `visits.for_inspection` | the visits of this inspection |
| record result | inspection, inspector, item by key; `visits.for_inspection`; `results.first_since(e, item, now - lookback)`: `ORDER BY recorded_at, id LIMIT 1` on `ix_ji_results_enterprise`; `results.ever_failed(e, item)`: `LIMIT 1` on `ix_ji_results_outcome` | two index probes (was: every result of the item since 1970) |
| acknowledge result | `results.get` | one row |
| submit / accept / reject / refuse rectification | `rectifications.get` (refuse: the enterprise too) | one row |
| sweep overdue | `rectifications.overdue(now)`: `state = 'open' AND deadline < ?`, `ix_ji_rectifications_due` | the open rectifications past their deadline |
| rate | `inspections.get` twice; `feedback.get_evaluation` | one row each |
| complain | `inspections.get` | one row |
| listings (`inspections_of`, `rectifications_of`) | `for_enterprise(e, limit, offset)`, ordered by (time, id) | the page asked for (unbounded when no limit is given) |
| supervision report | `period.*(start, end)`: plans by `ix_ji_plans_filed`, inspections by `ix_ji_inspections_start` (and by primary key those the period's plans joined), check-ins by `ix_ji_visits_checked_in`, rectifications by `ix_ji_rectifications_opened`, ratings by `ix_ji_evaluations_at`, complaints by `ix_ji_complaints_at`, frequency warnings by `ix_ji_audit_action` | the period's records (was: every record of every enterprise, 17.4 s against 0.66 s for a 20,000-enterprise city on SQLite) |
| reconcile reservations (repair) | `inspections.for_enterprise(e)` and the ledger's `reservations(e)` | the enterprise's history: a maintenance step, not an operation |
"""  # noqa: E501 - Markdown table rows


def section(result: HistoryRun, plotted: bool) -> str:
    """The docs section between the markers (without them)."""
    parts = [
        "## Cost against history (issue 15)",
        "",
        "`benchmarks/history.py` (measurement 7): each engine operation on an enterprise with 0, 1,000 and",
        "10,000 earlier visits, median of the measured visits, and filing in a city full of stored plans",
        "against an empty city. Target: the largest figure at most 1.3x the smallest, on every store.",
        "",
        table(result),
        "",
    ]
    if plotted:
        parts += ["![Time per operation against the enterprise's history](img/history.png)", ""]
    if result.seed_seconds:
        parts += ["Seeding: " + "; ".join(f"{k} {v:.1f} s" for k, v in result.seed_seconds.items()) + ".", ""]
    parts += [f"- {n}" for n in result.notes]
    parts += [
        "",
        "History is seeded through the repositories: per earlier visit a plan, its completed inspection,",
        "a checked-out visit, a result (one in ten failed, with its accepted rectification), a rating and",
        "the ledger's reservation, spread over ten years that end seven months before the measured",
        "visits, i.e. outside the six-month sharing lookback and every frequency window: those reads",
        "return what lies inside them by contract (a plan is shown every same-item result of the",
        "lookback), so a denser recent past costs more, however old the rest is. The stores of one",
        "row are stepped visit by visit in turn so that machine noise hits each alike; seeded objects",
        "are frozen out of the garbage collector's sight (`gc.freeze`). The city is seeded with",
        "`SQLStore.import_plans` on SQL and through the plan repository on memory.",
        "",
        "### The query each operation makes",
        QUERIES.rstrip(),
    ]
    return "\n".join(parts).rstrip() + "\n"


def save(result: HistoryRun, path: Path) -> None:
    """Write the figures as JSON (to report them again without measuring)."""
    path.write_text(json.dumps(dataclasses.asdict(result), indent=1), encoding="utf-8")


def load(path: Path) -> HistoryRun:
    """Figures written by `save`."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return HistoryRun(
        history={store: {int(n): ops for n, ops in per.items()} for store, per in raw["history"].items()},
        city={store: {int(n): v for n, v in per.items()} for store, per in raw["city"].items()},
        seed_seconds=raw["seed_seconds"],
        notes=raw["notes"],
    )


def splice(path: Path, text: str) -> None:
    """Replace the marked history section of ``path`` (append it when there is none)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{MARK_START}\n{text}{MARK_END}\n"
    if MARK_START in old and MARK_END in old:
        head, rest = old.split(MARK_START, 1)
        new = head + block + rest.split(MARK_END, 1)[1].lstrip("\n")
    else:
        new = old.rstrip("\n") + "\n\n" + block
    path.write_text(new, encoding="utf-8")


def main() -> None:
    """Measure, print, plot and update docs/performance.md."""
    import argparse  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default=os.environ.get("JOINTINSPECT_BENCH_PG_URL"))
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--reps", type=int, default=25)
    parser.add_argument("--city", type=int, default=1_000_000)
    parser.add_argument("--city-stores", default="memory,SQLite,PostgreSQL")
    parser.add_argument("--stores", default="memory,SQLite,PostgreSQL")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--save", help="write the figures to this JSON file")
    parser.add_argument("--load", help="report figures saved by --save instead of measuring")
    args = parser.parse_args()
    sizes = tuple(int(s) for s in args.sizes.split(","))
    if args.load:
        _report(load(Path(args.load)), args.no_docs)
        return
    started = None
    pg_url = args.pg_url
    if pg_url is None and not args.no_postgres:
        from testsupport import servers as ts  # noqa: PLC0415 - optional, imported when used

        try:
            started = ts.start_postgres()
            pg_url = started.url
        except (ts.ServerBinariesMissing, ts.ServerStartError) as exc:
            print(f"note: PostgreSQL not measured: {exc}")
    try:
        result = run(
            pg_url, sizes, args.reps, args.city, tuple(args.city_stores.split(",")), tuple(args.stores.split(","))
        )
    finally:
        if started is not None:
            started.close()
    if args.save:
        save(result, Path(args.save))
    _report(result, args.no_docs)


def _report(result: HistoryRun, no_docs: bool) -> None:
    print("\n" + table(result))
    for note in result.notes:
        print("note:", note)
    if not no_docs:
        plotted = plot(result, ROOT / "docs" / "img" / "history.png")
        splice(ROOT / "docs" / "performance.md", section(result, plotted))
        print("wrote docs/performance.md" + (" and docs/img/history.png" if plotted else ""))


if __name__ == "__main__":
    main()
