"""Measurement 4: check-in validation against a bare Ed25519 verify of the same token.

Full validation = :func:`jointinspect.codes.token.verify` (parse, key lookup, signature,
kind, validity times) + :func:`jointinspect.rules.checkin.check_presence` (assignment,
certificate, scope, window, geodesic geofence) + ``MemoryReplayGuard.consume``. The
baseline decodes the same token text, cuts off the signature and verifies it with
``Ed25519PublicKey.verify``, and nothing else. The two are interleaved call by call so
machine noise hits both alike; medians are compared.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from dataclasses import dataclass

import pendulum

from jointinspect.codes import MemoryKeyStore
from jointinspect.codes.token import (
    CodeKind,
    _parse,
    _split,
    encode,
    inspection_claims,
    signing_input,
    verify,
)
from jointinspect.memory import MemoryReplayGuard
from jointinspect.model import Enterprise, GeoPoint, Inspection, Inspector, Window
from jointinspect.policy.schema import CheckInPolicy
from jointinspect.rules.checkin import check_presence

T0 = pendulum.datetime(2026, 5, 11, 1, tz="UTC")


@dataclass
class CheckinRun:
    full_us: float
    bare_us: float
    n: int

    @property
    def ratio(self) -> float:
        return self.full_us / self.bare_us


def run(n: int = 3000) -> CheckinRun:
    keys = MemoryKeyStore.from_seed(bytes(range(32)))
    key_id, private = keys.signing_key()
    site = GeoPoint(37.4638, 121.4479)
    from benchmarks.filing import credit_code  # noqa: PLC0415 - optional, imported when used

    ent = Enterprise(credit_code=credit_code(42), name="烟台示范企业", site=site)
    window = Window(T0, T0.add(hours=8))
    insp = Inspection(
        id="insp-1",
        enterprise=ent.credit_code,
        lead_department="D00",
        plan_ids=["p1", "p2"],
        departments=["D00", "D01"],
        items=["D00-00", "D01-00"],
        inspectors=["D00-I00", "D01-I00"],
        window=window,
        kind="routine",
        created_at=T0.subtract(days=10),
    )
    inspector = Inspector(
        id="D00-I00",
        name="执法员",
        department="D00",
        certificate_no="37000000",
        fields={"field00"},
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2030, 12, 31),
    )
    policy = CheckInPolicy()
    guard = MemoryReplayGuard()
    at = T0.add(minutes=20)
    position = GeoPoint(37.4640, 121.4482)
    tokens = [
        encode(
            inspection_claims(
                key_id=key_id,
                token_id=f"T{k:015d}",
                issued_at=T0.subtract(days=1),
                expires_at=T0.add(days=1),
                inspection_id=insp.id,
                enterprise=ent.credit_code,
                window=window,
            ),
            private,
        )
        for k in range(n)
    ]
    # The baseline is what any verifier of the same token must do at the least: decode the
    # text to bytes, cut off the 64-byte signature, verify it over the domain-separated
    # payload. No claims are parsed and nothing else is checked.
    public = keys.public_key(key_id)
    assert public is not None
    for t in tokens[:3]:  # the cut below is the same as the full parser's
        _, payload, signature = _parse(_split(t))
        assert (payload, signature) == (_split(t)[:-64], _split(t)[-64:])

    full, bare = [], []
    clock = time.perf_counter
    for k in range(n):
        t0 = clock()
        body = _split(tokens[k])
        public.verify(body[-64:], signing_input(body[:-64]))
        t1 = clock()
        claims = verify(tokens[k], keys, at, policy.tolerance, expected_kind=CodeKind.INSPECTION)
        check_presence(
            inspection=insp,
            inspector=inspector,
            enterprise=ent,
            item_fields={"D00-00": "field00"},
            position=position,
            at=at,
            policy=policy,
            zone="Asia/Shanghai",
        )
        ok = guard.consume(f"{claims.token_id}:{inspector.id}", claims.expires_at.add(days=1), at)
        t2 = clock()
        assert ok
        bare.append(t1 - t0)
        full.append(t2 - t1)
    return CheckinRun(statistics.median(full) * 1e6, statistics.median(bare) * 1e6, n)


def profile(n: int = 2000) -> str:
    """pyinstrument text profile of the full validation (for the write-up)."""
    from pyinstrument import Profiler  # noqa: PLC0415 - optional, imported when used

    p = Profiler(interval=0.0002)
    p.start()
    run(n)
    p.stop()
    return str(p.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    r = run()
    print(f"full {r.full_us:.1f} us, bare {r.bare_us:.1f} us, ratio {r.ratio:.2f}")
