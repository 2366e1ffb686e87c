"""The notifiers pass the notifier contract suite against real loopback servers."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator

import httpx
import pytest
from jointinspect_notify import EmailNotifier, RetryPolicy, RoutingNotifier, WebhookNotifier, load_routing
from notify_servers import SECRET, HttpServer, Mailbox, verifying

from jointinspect.clock import FixedClock
from jointinspect.ports import Notifier
from jointinspect.relay import CollectingNotifier
from jointinspect.testing.notifier import NotifierContract

ONCE = RetryPolicy(attempts=1, sleep=lambda _: None)


class TestWebhookNotifier(NotifierContract):
    @pytest.fixture
    def notifier(self, http_server: HttpServer, clock: FixedClock) -> Iterator[Notifier]:
        self.server = verifying(http_server, clock)
        hook = WebhookNotifier(http_server.url, SECRET, retry=ONCE, clock=clock, timeout=httpx.Timeout(2.0))
        yield hook
        hook.close()

    def delivered(self) -> list[str]:
        return list(self.server.accepted)

    def break_next(self, sends: int) -> None:
        self.server.script[:0] = ["500"] * sends


class TestEmailNotifier(NotifierContract):
    @pytest.fixture
    def notifier(self, smtp_server: Mailbox) -> Iterator[Notifier]:
        self.box = smtp_server
        yield EmailNotifier(
            smtp_server.host,
            smtp_server.port,
            sender="notice@city.example",
            recipients=lambda role, who: [f"{role.value}@city.example"],
            starttls=False,
            retry=ONCE,
        )

    def delivered(self) -> list[str]:
        messages = [email.message_from_bytes(m, policy=email.policy.default) for m in self.box.messages]
        return [str(m["X-JointInspect-Key"]) for m in messages]

    def break_next(self, sends: int) -> None:
        self.box.script[:0] = ["451"] * sends


class TestRoutingNotifier(NotifierContract):
    def make_notifier(self) -> Notifier:
        self.inbox = CollectingNotifier()
        config = load_routing({"fallback": ["inbox"], "routes": [{"kinds": ["plan.*"], "channels": ["inbox"]}]})
        return RoutingNotifier(config, {"inbox": self.inbox})

    def delivered(self) -> list[str]:
        return list(self.inbox.received)
