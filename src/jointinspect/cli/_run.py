"""What every command shares: the parsed invocation, the principal, the engine, output."""

from __future__ import annotations

import argparse
import importlib
import json
import os
from typing import Any, TextIO

import attrs

from jointinspect import validation as v
from jointinspect.auth import Principal
from jointinspect.clock import FixedClock, SystemClock
from jointinspect.codes.keys import SEED_ENV, MemoryKeyStore
from jointinspect.engine import Engine
from jointinspect.policy import Policy, load_policy_file
from jointinspect.ports import Clock

STORE_ENV = "JOINTINSPECT_STORE"
_SQL = ("sqlite", "postgresql", "mysql", "mariadb")


class UsageError(Exception):
    """A command line that cannot run (exit code 2)."""


def _rich() -> Any | None:
    try:
        return importlib.import_module("rich")
    except ImportError:
        return None


def _principal(spec: str | None) -> Principal:
    """``system[:name]``, ``officer:DEPT``, ``supervisor``, ``legal_office:DEPT`` or ``inspector:ID:DEPT``."""
    if not spec:
        return Principal.system("cli")
    kind, _, rest = spec.partition(":")
    if kind == "system":
        return Principal.system(rest or "cli")
    if kind == "officer" and rest:
        return Principal.officer(rest)
    if kind == "supervisor":
        return Principal.supervisor(user=rest or None)
    if kind == "legal_office" and rest:
        return Principal.legal_office(rest)
    if kind == "inspector" and rest.count(":") == 1:
        ident, dept = rest.split(":")
        return Principal.inspector(ident, department=dept)
    raise UsageError(
        f"--as {spec!r}: expected system, officer:DEPT, supervisor, legal_office:DEPT or inspector:ID:DEPT"
    )


class _LineNotifier:
    """Writes each delivered notification as one JSON line (the CLI's ``deliver`` target)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def send(self, notification: Any) -> None:
        """Write one notification."""
        self.out.write(json.dumps(attrs.asdict(notification), default=str, ensure_ascii=False) + "\n")
        self.out.flush()


@attrs.define
class _Run:
    """One invocation: parsed options and the output helpers."""

    args: argparse.Namespace

    @property
    def lang(self) -> str:
        return str(self.args.lang)

    def engine(self, notifier: Any = None) -> Engine:
        from jointinspect.stores import open_store  # noqa: PLC0415 - the SQL adapter loads only when asked for

        url = self.store_url()
        policy = load_policy_file(self.args.policy) if self.args.policy else Policy()
        keys = MemoryKeyStore.from_env() if os.environ.get(SEED_ENV) else None
        clock: Clock = SystemClock()
        if self.args.now:
            # a gate or a replay tested at a chosen instant; validated like any instant
            clock = FixedClock(v.instant(self.args.now, "--now"))
        return Engine(
            store=open_store(url), policy=policy, clock=clock, keys=keys, notifier=notifier, auto_deliver=False
        )

    def store_url(self) -> str:
        url = self.args.store or os.environ.get(STORE_ENV)
        if not url:
            raise UsageError(f"no store: give --store URL or set {STORE_ENV}")
        return str(url)

    @property
    def by(self) -> Principal:
        return _principal(self.args.principal)

    def emit(self, data: dict[str, Any], text: str) -> None:
        if self.args.json:
            print(json.dumps(data, ensure_ascii=False, default=str))
        else:
            print(text)
