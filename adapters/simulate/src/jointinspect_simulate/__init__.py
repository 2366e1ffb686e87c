"""The policy simulator: replay a history of plans under one or more policies (issue 13).

Install with the ``simulate`` extra (numpy; pyarrow for Parquet histories). Every outcome
comes from the library's rules in their column forms (`jointinspect.rules.replay`,
`jointinspect.rules.batch`), which tests prove equal to the pure rules::

    from jointinspect_simulate import read_history, resolve, simulate, to_json

    history = read_history("plans.parquet")
    outcomes = simulate(history, {"now": resolve("yantai"),
                                  "3 days": resolve("yantai", ["merge.allowance_days=3"])})
    print(to_json(outcomes))

See docs/simulator.md.
"""

from __future__ import annotations

from jointinspect_simulate.history import COLUMNS, History, read_csv, read_history, read_parquet
from jointinspect_simulate.output import FIGURES, to_csv, to_json
from jointinspect_simulate.policies import label, resolve
from jointinspect_simulate.replay import BUCKETS, Outcome, Progress, simulate, simulate_one

__all__ = [
    "BUCKETS",
    "COLUMNS",
    "FIGURES",
    "History",
    "Outcome",
    "Progress",
    "label",
    "read_csv",
    "read_history",
    "read_parquet",
    "resolve",
    "simulate",
    "simulate_one",
    "to_csv",
    "to_json",
]
