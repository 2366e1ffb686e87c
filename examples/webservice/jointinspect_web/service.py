"""The service's state: one embedded Engine, the token issuer, and the supervising office's inbox."""

from __future__ import annotations

import threading

import attrs
import pendulum
from fastapi import Request

from jointinspect import Engine
from jointinspect.auth import Principal
from jointinspect.model.notification import Notification, Role
from jointinspect_web.tokens import COOKIE, TokenIssuer, unauthenticated


class Inbox:
    """The notifier the engine relays its outbox to: keeps every notification, by key.

    A real platform routes them to e-mail, SMS or robots (``jointinspect_notify``) and keeps
    its own inbox table; this example keeps them in memory to show the supervising office
    its warnings and the plans waiting for approval.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: dict[str, Notification] = {}

    def send(self, notification: Notification) -> None:
        """Keep ``notification`` unless its key was seen (a re-send has no effect)."""
        with self._lock:
            self._received.setdefault(notification.key, notification)

    def for_role(self, role: Role) -> list[Notification]:
        """The notifications addressed to ``role``, newest first."""
        with self._lock:
            kept = [n for n in self._received.values() if n.role is role]
        return sorted(kept, key=lambda n: (n.at, n.key), reverse=True)


@attrs.define
class WebService:
    """What the routes use.

    Attributes:
        engine: the embedded engine (its ``notifier`` is ``inbox``).
        tokens: verifies the callers' session tokens.
        inbox: notifications relayed by the engine.
        demo: the demo city's personas (label -> principal) when started with ``--demo``.
    """

    engine: Engine
    tokens: TokenIssuer
    inbox: Inbox
    demo: dict[str, Principal] = attrs.field(factory=dict)

    @property
    def zone(self) -> str:
        """The city's time zone (its policy's)."""
        return self.engine.policy.zone

    def now(self) -> pendulum.DateTime:
        """The engine's 'now'."""
        return self.engine.clock.now()


def service_of(request: Request) -> WebService:
    """The service the app was created with."""
    service: WebService = request.app.state.service
    return service


def token_of(request: Request) -> str | None:
    """The session token: ``Authorization: Bearer`` first, then the ``ji_session`` cookie."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.cookies.get(COOKIE) or None


def principal_of(request: Request) -> Principal:
    """The caller (a FastAPI dependency).

    Raises:
        JointInspectError: ``auth.unauthenticated`` without a valid token (HTTP 401).
    """
    token = token_of(request)
    if token is None:
        raise unauthenticated("no session token (Authorization: Bearer, or the ji_session cookie)", "缺少会话令牌")
    return service_of(request).tokens.principal(token)
