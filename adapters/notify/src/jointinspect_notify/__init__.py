"""Notifiers that reach people: signed webhooks, e-mail, WeCom and DingTalk group robots,
and a router sending each kind and role to the channels a city configures.

Every notifier implements :class:`jointinspect.ports.Notifier` with at-least-once, keyed
delivery: a second ``send`` of a key it delivered is a no-op, and the key travels with the
message (``Idempotency-Key``, ``Message-ID``) so that the receiving side can deduplicate.
Texts come from the catalogue in :mod:`jointinspect.notices`.
"""

from jointinspect_notify._common import DeliveryStats, MemorySentKeys, RetryPolicy, SentKeys
from jointinspect_notify.email import EmailNotifier
from jointinspect_notify.receiver import WebhookReceiver
from jointinspect_notify.robots import DingTalkRobot, WeComRobot
from jointinspect_notify.routing import DeadLetters, RoutingConfig, RoutingNotifier, load_routing, load_routing_toml
from jointinspect_notify.webhook import WebhookNotifier

__all__ = [
    "DeadLetters",
    "DeliveryStats",
    "DingTalkRobot",
    "EmailNotifier",
    "MemorySentKeys",
    "RetryPolicy",
    "RoutingConfig",
    "RoutingNotifier",
    "SentKeys",
    "WeComRobot",
    "WebhookNotifier",
    "WebhookReceiver",
    "load_routing",
    "load_routing_toml",
]
