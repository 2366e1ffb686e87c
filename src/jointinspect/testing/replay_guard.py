"""The contract suite for replay guards (one-time keys remembered until they expire), for
any adapter.

Subclass in your adapter's tests and provide a fresh, empty guard per call::

    class TestMyGuard(ReplayGuardContract):
        def make_guard(self) -> object:
            return MyGuard(...)

`jointinspect.testing.ledger` re-exports `ReplayGuardContract` beside the ledger suite.
"""

from __future__ import annotations

from typing import Any

import pendulum

from jointinspect.testing._storm import STORM, T0, storm

__all__ = ["ReplayGuardContract"]


class ReplayGuardContract:
    """What every `ReplayGuard` must do.

    Subclasses implement `make_guard`; override `consume` if the guard takes
    ``now`` differently (the default passes it as the third argument). A key is remembered
    until its ``expires_at`` as judged by ``now``: consuming again at or after it succeeds.
    """

    def make_guard(self) -> Any:
        """Return a fresh guard that remembers no key."""
        raise NotImplementedError

    def consume(self, guard: Any, key: str, expires_at: pendulum.DateTime, now: pendulum.DateTime) -> bool:
        """Call the guard (hook for guards with another signature)."""
        return bool(guard.consume(key, expires_at, now))

    def test_first_consume_wins_replay_refused(self) -> None:
        """Contract: first consume wins replay refused."""
        guard = self.make_guard()
        until = T0.add(hours=1)
        assert self.consume(guard, "code-1/i-1", until, T0) is True
        assert self.consume(guard, "code-1/i-1", until, T0) is False
        assert self.consume(guard, "code-1/i-1", until, T0.add(minutes=59)) is False

    def test_keys_are_independent(self) -> None:
        """Contract: keys are independent."""
        guard = self.make_guard()
        until = T0.add(hours=1)
        assert self.consume(guard, "code-1/i-1", until, T0)
        assert self.consume(guard, "code-1/i-2", until, T0)
        assert self.consume(guard, "code-2/i-1", until, T0)
        assert not self.consume(guard, "code-1/i-2", until, T0)

    def test_expiry_honoured(self) -> None:
        """Contract: expiry honoured."""
        guard = self.make_guard()
        until = T0.add(minutes=1)
        assert self.consume(guard, "k", until, T0)
        assert not self.consume(guard, "k", until, until.subtract(microseconds=1))
        # forgotten at its expiry; consumed again with a new one
        assert self.consume(guard, "k", T0.add(minutes=2), until)
        assert not self.consume(guard, "k", T0.add(minutes=2), T0.add(seconds=90))

    def test_storm_exactly_one_wins(self) -> None:
        """Contract: storm exactly one wins."""
        guard = self.make_guard()
        until = T0.add(hours=1)
        results = storm(STORM, lambda i: self.consume(guard, "storm-key", until, T0))
        assert results.count(True) == 1
