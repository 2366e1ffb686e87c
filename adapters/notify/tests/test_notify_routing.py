"""Routing configuration (data, TOML, typed errors) and the delivery semantics of the router.

Channels here are in-process notifiers: the router's logic has no network of its own; the
relay test drives it over real servers."""

from __future__ import annotations

from typing import Any

import pytest
from jointinspect_notify import DeadLetters, RoutingNotifier, load_routing, load_routing_toml
from jointinspect_notify.routing import Require, RoutingConfig
from notify_servers import T0

from jointinspect.errors import DeliveryFailed, DeliveryRejected, NotifyConfigError
from jointinspect.model.notification import Notification, Role
from jointinspect.relay import CollectingNotifier

TOML = """
[notify]
fallback = ["webhook"]

[[notify.routes]]
kinds = ["approval.requested", "frequency.*"]
roles = ["supervisor"]
channels = ["dingtalk", "email"]
require = "any"

[[notify.routes]]
kinds = ["rectification.*"]
channels = ["email", "sms"]
"""


def note(kind: str = "approval.requested", role: Role = Role.SUPERVISOR, key: str = "k1") -> Notification:
    return Notification(key, kind, role, "judicial", "P1", T0)


class Flaky:
    """A channel that raises ``errors`` in turn, then delivers (deduplicating by key)."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.delivered: list[str] = []
        self.calls = 0

    def send(self, notification: Notification) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        if notification.key not in self.delivered:
            self.delivered.append(notification.key)


def transient() -> DeliveryFailed:
    return DeliveryFailed(key="k", channel="c", reason="down")


def permanent() -> DeliveryRejected:
    return DeliveryRejected(key="k", channel="c", reason="no address")


def test_toml_table_loads_and_routes() -> None:
    config = load_routing_toml(TOML, table="notify")
    assert config.fallback == ("webhook",)
    first = config.routes[0]
    assert first.roles == (Role.SUPERVISOR,) and first.require is Require.ANY
    assert config.route_for(note("frequency.warning")).channels == ("dingtalk", "email")
    assert config.route_for(note("frequency.warning", Role.DISCIPLINE)).channels == ("webhook",)
    assert config.route_for(note("rectification.overdue", Role.DEPARTMENT)).channels == ("email", "sms")
    assert config.route_for(note("plan.filed")).channels == ("webhook",)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"routes": []}, "fallback"),
        ({"fallback": []}, "fallback"),
        ({"fallback": ["x"], "routes": [{"channels": []}]}, "channels"),
        ({"fallback": ["x"], "routes": [{"channels": ["a"], "roles": ["mayor"]}]}, "mayor"),
        ({"fallback": ["x"], "routes": [{"channels": ["a"], "require": "most"}]}, "most"),
        ({"fallback": ["x"], "routes": [{"channels": ["a"], "kinds": ["plan.filled"]}]}, "plan.filled"),
        ({"fallback": ["x"], "colour": "red"}, "colour"),
        ({"fallback": "x"}, "fallback"),
    ],
)
def test_bad_configuration_is_a_typed_error(data: dict[str, Any], needle: str) -> None:
    with pytest.raises(NotifyConfigError) as caught:
        load_routing(data)
    assert caught.value.code == "notify.config_invalid"
    assert needle in caught.value.details["reason"]


def test_bad_toml_and_missing_table() -> None:
    with pytest.raises(NotifyConfigError):
        load_routing_toml("fallback = [", table=None)
    with pytest.raises(NotifyConfigError):
        load_routing_toml(TOML, table="other")


def test_unknown_channel_names_are_refused() -> None:
    with pytest.raises(NotifyConfigError) as caught:
        RoutingNotifier(load_routing_toml(TOML, "notify"), {"webhook": CollectingNotifier()})
    assert "dingtalk" in caught.value.details["reason"]


def router(config: RoutingConfig, **channels: Any) -> RoutingNotifier:
    return RoutingNotifier(config, channels)


ALL = load_routing({"fallback": ["fb"], "routes": [{"kinds": ["*"], "channels": ["a", "b"]}]})
ANY = load_routing({"fallback": ["fb"], "routes": [{"kinds": ["*"], "channels": ["a", "b"], "require": "any"}]})


def test_require_all_retries_only_the_failed_channel() -> None:
    a, b, fb = Flaky(), Flaky(transient()), Flaky()
    r = router(ALL, a=a, b=b, fb=fb)
    with pytest.raises(DeliveryFailed):
        r.send(note())
    assert a.delivered == ["k1"] and b.delivered == []
    r.send(note())  # the relay's next round
    assert a.calls == 1 and b.delivered == ["k1"] and fb.calls == 0


def test_require_any_is_met_by_one_channel() -> None:
    a, b, fb = Flaky(transient()), Flaky(), Flaky()
    router(ANY, a=a, b=b, fb=fb).send(note())
    assert b.delivered == ["k1"] and a.delivered == [] and fb.calls == 0


def test_permanent_refusals_go_to_the_fallback() -> None:
    a, b, fb = Flaky(permanent()), Flaky(), Flaky()
    router(ALL, a=a, b=b, fb=fb).send(note())
    assert fb.delivered == ["k1"] and b.delivered == ["k1"]


def test_transient_and_permanent_together_wait_for_the_relay() -> None:
    a, b, fb = Flaky(permanent()), Flaky(transient()), Flaky()
    with pytest.raises(DeliveryFailed):
        router(ALL, a=a, b=b, fb=fb).send(note())
    assert fb.calls == 0


def test_when_the_fallback_also_refuses_dead_letters_settle_it() -> None:
    a, b, fb = Flaky(permanent()), Flaky(permanent()), Flaky(permanent())
    dead = DeadLetters(router(ALL, a=a, b=b, fb=fb))
    dead.send(note())  # settled: the relay may mark it delivered
    assert [n.key for n, _ in dead.rejected] == ["k1"]
    with pytest.raises(DeliveryFailed):
        DeadLetters(router(ALL, a=Flaky(transient()), b=Flaky(), fb=Flaky())).send(note(key="k2"))


def test_unrouted_kinds_use_the_fallback() -> None:
    config = load_routing({"fallback": ["fb"], "routes": [{"kinds": ["plan.*"], "channels": ["a"]}]})
    a, fb = Flaky(), Flaky()
    router(config, a=a, fb=fb).send(note("complaint.filed"))
    assert fb.delivered == ["k1"] and a.calls == 0
