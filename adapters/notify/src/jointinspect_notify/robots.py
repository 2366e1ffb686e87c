r"""Group-robot notifiers for WeCom (企业微信) and DingTalk (钉钉).

Both take a robot's webhook URL and post one JSON message per notification:

- WeCom: ``POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...`` with
  ``{"msgtype": "text", "text": {"content": ..., "mentioned_mobile_list": [...]}}`` or
  ``{"msgtype": "markdown", "markdown": {"content": ...}}``.
- DingTalk: ``POST https://oapi.dingtalk.com/robot/send?access_token=...`` with
  ``{"msgtype": "text", "text": {"content": ...}, "at": {"atMobiles": [...], "isAtAll": false}}``
  or ``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}, "at": {...}}``. With a
  signing secret (加签, ``SEC...``) the URL gains ``timestamp`` (milliseconds) and ``sign`` =
  url-encoded base64 of HMAC-SHA256, keyed by the secret, over ``timestamp + "\n" + secret``.

Both answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}``; a non-zero ``errcode`` is a
refusal, transient for their rate limits (WeCom 45009, DingTalk 130101), permanent otherwise.
A group robot cannot deduplicate: the sent-key memory absorbs the relay's re-sends within a
process, so a duplicate is possible only after a crash between posting and marking delivered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any, Literal

import httpx

from jointinspect.clock import SystemClock
from jointinspect.errors import DeliveryFailed, DeliveryRejected
from jointinspect.model.notification import Notification
from jointinspect.notices import Lang, NameLookup, RenderedNotice, render
from jointinspect.ports import Clock
from jointinspect_notify._common import (
    DEFAULT_TIMEOUT,
    DeliveryStats,
    MemorySentKeys,
    RetryPolicy,
    SentKeys,
    post,
    run_with_retries,
)

MsgType = Literal["text", "markdown"]
#: (notification) -> mobile numbers to @-mention in the group.
Mentions = Callable[[Notification], Sequence[str]]

WECOM_RATE_LIMITED = frozenset({45009})
DINGTALK_RATE_LIMITED = frozenset({130101})


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign`` parameter (already url-encoded)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def _markdown(text: RenderedNotice) -> str:
    return f"### {text.subject}\n\n" + "\n\n".join(line for line in text.body.split("\n") if line)


class _Robot:
    """Shared behaviour: render, build the JSON, post with retries, check ``errcode``."""

    channel = "robot"
    rate_limited: frozenset[int] = frozenset()

    def __init__(
        self,
        url: str,
        *,
        msgtype: MsgType = "text",
        lang: Lang = "zh",
        names: NameLookup | None = None,
        zone: str = "Asia/Shanghai",
        mentions: Mentions | None = None,
        client: httpx.Client | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sent: SentKeys | None = None,
    ) -> None:
        self.url = url
        self.msgtype: MsgType = msgtype
        self._lang, self._names, self._zone = lang, names, zone
        self._mentions = mentions
        self._own = client is None
        self._client = client or httpx.Client(timeout=timeout)
        self._retry = retry or RetryPolicy()
        self._sent = sent or MemorySentKeys()
        self.stats = DeliveryStats()

    def message(self, notification: Notification) -> dict[str, Any]:
        """The JSON message for ``notification``."""
        raise NotImplementedError

    def _url(self) -> str:
        return self.url

    def send(self, notification: Notification) -> None:
        """Post ``notification`` to the group once per key."""
        if self._sent.seen(notification.key):
            self.stats.duplicates += 1
            return
        content = json.dumps(self.message(notification), ensure_ascii=False).encode("utf-8")
        key = notification.key

        def attempt() -> None:
            headers = {"Content-Type": "application/json; charset=utf-8"}
            response = post(self._client, self._url(), content, headers, channel=self.channel, key=key)
            try:
                answer = response.json()
                code = int(answer.get("errcode", -1))
            except (ValueError, AttributeError, TypeError) as exc:
                raise DeliveryFailed(key=key, channel=self.channel, reason="unreadable answer") from exc
            if code in self.rate_limited:
                raise DeliveryFailed(key=key, channel=self.channel, reason=f"errcode {code} (rate limit)")
            if code != 0:
                reason = f"errcode {code}: {answer.get('errmsg', '')}"
                raise DeliveryRejected(key=key, channel=self.channel, reason=reason)

        run_with_retries(self._retry, self.stats, attempt)
        self._sent.remember(key)

    def _mobiles(self, notification: Notification) -> list[str]:
        return list(self._mentions(notification)) if self._mentions else []

    def close(self) -> None:
        """Close the HTTP client if this object made it."""
        if self._own:
            self._client.close()


class WeComRobot(_Robot):
    """A :class:`jointinspect.ports.Notifier` posting to a WeCom (企业微信) group robot.

    Args:
        url: the robot's webhook URL (``.../cgi-bin/webhook/send?key=...``).
        msgtype: ``"text"`` (the short text, with @-mentions) or ``"markdown"`` (subject and body).
        lang: language of the message.
        names: names for codes in the message.
        zone: time zone of the times in the message.
        mentions: mobile numbers to @-mention (text messages only; WeCom markdown cannot).
        client: a ready ``httpx.Client`` (left open); by default one is made (closed by ``close``).
        timeout: connect / read / write timeouts when the client is made here.
        retry: the backoff policy.
        sent: the sent-key memory.
    """

    channel = "wecom"
    rate_limited = WECOM_RATE_LIMITED

    def message(self, notification: Notification) -> dict[str, Any]:
        """WeCom's ``text`` or ``markdown`` message."""
        text = render(notification, self._lang, names=self._names, zone=self._zone)
        if self.msgtype == "markdown":
            return {"msgtype": "markdown", "markdown": {"content": _markdown(text)}}
        body: dict[str, Any] = {"content": text.short}
        if mobiles := self._mobiles(notification):
            body["mentioned_mobile_list"] = mobiles
        return {"msgtype": "text", "text": body}


class DingTalkRobot(_Robot):
    """A :class:`jointinspect.ports.Notifier` posting to a DingTalk (钉钉) group robot.

    Takes the arguments of `WeComRobot`, and:

    Args:
        url: the robot's webhook URL (``.../robot/send?access_token=...``).
        secret: the signing secret (``SEC...``) when the robot uses 加签; the URL is then
            signed on every attempt with the clock's time.
        clock: the source of the signing timestamp.
        **kw: as for `WeComRobot`.
    """

    channel = "dingtalk"
    rate_limited = DINGTALK_RATE_LIMITED

    def __init__(self, url: str, *, secret: str | None = None, clock: Clock | None = None, **kw: Any) -> None:
        super().__init__(url, **kw)
        self._secret = secret
        self._clock = clock or SystemClock()

    def _url(self) -> str:
        if not self._secret:
            return self.url
        stamp = int(self._clock.now().timestamp() * 1000)
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}timestamp={stamp}&sign={dingtalk_sign(self._secret, stamp)}"

    def message(self, notification: Notification) -> dict[str, Any]:
        """DingTalk's ``text`` or ``markdown`` message with its ``at`` block."""
        text = render(notification, self._lang, names=self._names, zone=self._zone)
        mobiles = self._mobiles(notification)
        at = {"atMobiles": mobiles, "isAtAll": False}
        if self.msgtype == "markdown":
            mention = "".join(f" @{m}" for m in mobiles)
            content = {"title": text.subject, "text": _markdown(text) + mention}
            return {"msgtype": "markdown", "markdown": content, "at": at}
        return {"msgtype": "text", "text": {"content": text.short}, "at": at}
