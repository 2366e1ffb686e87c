"""32 workers racing for one enterprise under the Wuhu rules, on a single server and a cluster."""

from __future__ import annotations

import threading
from collections import Counter

import pendulum
from jointinspect_redis import RedisLedger
from redis_support import unique_prefix

from jointinspect.model.plan import InspectionKind
from jointinspect.policy import wuhu_rules
from jointinspect.rules.frequency import LedgerDecision, RuleCheck
from jointinspect.testing.ledger import ENTERPRISE, T0, visit

WORKERS = 32


def wuhu_checks(kind: InspectionKind) -> list[RuleCheck]:
    return [
        RuleCheck(
            r.name,
            r.action,
            r.limit,
            r.scope,
            r.counts,
            window=pendulum.duration(days=r.window_days or 0),
        )
        for r in wuhu_rules()
        if kind in r.applies_to
    ]


def test_one_planned_code_per_window_and_each_warning_once(any_client) -> None:
    ledger = RedisLedger(any_client, prefix=unique_prefix())
    kinds = [InspectionKind.ROUTINE if i % 2 else InspectionKind.COMPLAINT for i in range(WORKERS)]
    barrier = threading.Barrier(WORKERS)
    decisions: list[LedgerDecision | None] = [None] * WORKERS

    def work(i: int) -> None:
        barrier.wait(timeout=30)
        request = visit(f"w{i:02}", T0.add(minutes=i), kind=kinds[i], department=f"D-{i}")
        decisions[i] = ledger.check_and_reserve(request, wuhu_checks(kinds[i]), T0)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all(d is not None for d in decisions)
    allowed = [d for d in decisions if d is not None and d.allowed]
    planned = [d for d in allowed if d.reservation and d.reservation.kind is InspectionKind.ROUTINE]
    assert len(planned) == 1  # exactly one planned code per 7 days
    assert len(allowed) == 1 + WORKERS // 2  # triggered visits are never blocked
    assert len(ledger.reservations(ENTERPRISE)) == len(allowed)
    # Serialised by the script, the k-th recorded visit sees k visits in the window, so the
    # warnings of the recorded visits are exactly k = limit+1 .. n, each once.
    n = len(allowed)
    for rule, limit in (("more_than_2_in_7_days", 2), ("more_than_3_in_30_days", 3)):
        counts = Counter(h.count for d in allowed for h in d.warnings if h.rule == rule)
        assert counts == Counter(range(limit + 1, n + 1)), rule
    triggered = [h.count for d in allowed for h in d.warnings if h.rule == "triggered_within_7_days"]
    assert len(set(triggered)) == len(triggered) >= WORKERS // 2 - 1
