"""The services the core calls outside storage: the clock, signing keys, the notifier,
the replay guard, where audit anchors go, and a city's own authorizers.

Part of `jointinspect.ports`; its docstring states the rules every repository keeps.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import pendulum
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jointinspect.audit import Anchor
from jointinspect.auth import AuthContext, Principal
from jointinspect.model.notification import Notification


@runtime_checkable
class Clock(Protocol):
    """The source of 'now'. Injected everywhere so that no rule reads the wall clock."""

    def now(self) -> pendulum.DateTime:
        """The current instant, aware, in UTC."""
        ...


class KeyStore(Protocol):
    """Signing keys for codes. Old public keys stay available after rotation."""

    def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        """The current key id and private key used to sign new codes; raise
        `jointinspect.errors.JointInspectError` ``keys.no_signing_key`` when none is current."""
        ...

    def public_key(self, key_id: str) -> Ed25519PublicKey | None:
        """The public key for ``key_id``, or ``None`` if unknown or revoked. Keys rotated out
        (or retired) still answer here: codes they signed verify until they expire."""
        ...


class Notifier(Protocol):
    """Delivers notifications (SMS, message bus, in-app...).

    Delivery is at least once: an implementation must treat a second ``send`` with the same
    ``notification.key`` as a no-op (the receiving side applies each key once, even when the
    relay re-sends after a crash). It accepts every kind in
    `jointinspect.notices.CATALOGUE`. To have a notification retried, ``send`` raises (any
    exception): the outbox row stays pending and is offered again after a backoff
    (`jointinspect.testing.notifier.NotifierContract`).
    """

    def send(self, notification: Notification) -> None:
        """Deliver one notification; raise to have it retried later."""
        ...


class ReplayGuard(Protocol):
    """Remembers one-time keys (code id + inspector) until they expire."""

    def consume(self, key: str, expires_at: pendulum.DateTime, now: pendulum.DateTime) -> bool:
        """Atomically mark ``key`` used until ``expires_at``; ``True`` the first time,
        ``False`` while it is still in use (``now < expires_at``). ``now`` is the injected
        clock's instant (a server-side TTL is ``expires_at - now``); from ``expires_at`` on
        the key may be used again. Keys are independent of each other; among racing calls
        with one key exactly one gets ``True``. The bundled stores' guards join the unit of
        work open in the calling thread, so a rolled-back check-in leaves its key unused."""
        ...

    def prune(self, before: pendulum.DateTime) -> int:
        """Forget keys that expired at or before ``before`` (a maintenance step; a key
        whose expiry passed may be used again anyway); keys still live are kept. Returns
        how many were removed (0 when none)."""
        ...


@runtime_checkable
class AnchorSink(Protocol):
    """Where signed audit anchors (`jointinspect.audit.make_anchor`) go: somewhere the
    database's administrators cannot rewrite (another system, a notary, a message to the
    supervising office). The integrator chooses; the engine's default is the notifier."""

    def publish(self, anchor: Anchor) -> None:
        """Keep ``anchor``; raise to have it offered again later."""
        ...


class Authorizer(Protocol):
    """A municipality's own authorization checks, run after the built-in matrix
    (`jointinspect.auth.authorize`); deny wins: any authorizer that raises refuses."""

    def authorize(self, operation: str, principal: Principal, context: AuthContext) -> None:
        """Return to allow; raise `jointinspect.errors.Forbidden` to refuse."""
        ...
