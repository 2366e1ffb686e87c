"""WeCom and DingTalk robots against a loopback server that checks their documented JSON shapes
and DingTalk's signed URL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from typing import Any

import pendulum
import pytest
from jointinspect_notify import DingTalkRobot, RetryPolicy, WeComRobot
from notify_servers import T0, Hit, HttpServer

from jointinspect.clock import FixedClock
from jointinspect.errors import DeliveryRejected
from jointinspect.model.notification import Notification, Role

DING_SECRET = "SECtest0123456789"


def note(key: str = "complaint.filed:C1") -> Notification:
    return Notification(
        key,
        "complaint.filed",
        Role.SUPERVISOR,
        "judicial",
        "C1",
        T0,
        {"inspection": "I1", "enterprise": "E1", "reason": "no_scan", "text": "未出示执法证"},
    )


def no_sleep(_: float) -> None:
    return


FAST = RetryPolicy(attempts=3, sleep=no_sleep)


def shape_of_wecom(doc: dict[str, Any]) -> list[str]:
    """Problems with a WeCom group-robot message (text or markdown)."""
    kind = doc.get("msgtype")
    if kind == "text":
        text = doc.get("text", {})
        ok = set(doc) == {"msgtype", "text"} and set(text) <= {"content", "mentioned_list", "mentioned_mobile_list"}
        ok = ok and isinstance(text.get("content"), str) and len(text["content"].encode()) <= 2048
        return [] if ok else [f"bad text message {doc}"]
    if kind == "markdown":
        md = doc.get("markdown", {})
        ok = set(doc) == {"msgtype", "markdown"} and set(md) == {"content"} and isinstance(md["content"], str)
        return [] if ok and len(md["content"].encode()) <= 4096 else [f"bad markdown message {doc}"]
    return [f"unknown msgtype {kind!r}"]


def shape_of_dingtalk(doc: dict[str, Any]) -> list[str]:
    """Problems with a DingTalk robot message (text or markdown, with its ``at`` block)."""
    at = doc.get("at", {})
    if set(at) - {"atMobiles", "atUserIds", "isAtAll"} or not isinstance(at.get("isAtAll", False), bool):
        return [f"bad at block {at}"]
    kind = doc.get("msgtype")
    if kind == "text":
        ok = set(doc) <= {"msgtype", "text", "at"} and set(doc["text"]) == {"content"}
        return [] if ok else [f"bad text message {doc}"]
    if kind == "markdown":
        md = doc.get("markdown", {})
        ok = set(doc) <= {"msgtype", "markdown", "at"} and set(md) == {"title", "text"}
        return [] if ok else [f"bad markdown message {doc}"]
    return [f"unknown msgtype {kind!r}"]


def dingtalk_answer(clock: FixedClock, script: list[int]) -> Any:
    """A DingTalk endpoint: checks the signed URL independently, then answers from ``script``."""

    def answer(hit: Hit) -> dict[str, Any]:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(hit.path).query)
        stamp = query["timestamp"][0]
        digest = hmac.new(DING_SECRET.encode(), f"{stamp}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
        if query["sign"][0] != base64.b64encode(digest).decode() or int(stamp) != int(clock.now().timestamp() * 1000):
            return {"errcode": 310000, "errmsg": "sign not match"}
        if problems := shape_of_dingtalk(hit.json()):
            return {"errcode": 40035, "errmsg": "; ".join(problems)}
        code = script.pop(0) if script else 0
        return {"errcode": code, "errmsg": "ok" if code == 0 else "refused"}

    return answer


def wecom_answer(script: list[int]) -> Any:
    def answer(hit: Hit) -> dict[str, Any]:
        if problems := shape_of_wecom(hit.json()):
            return {"errcode": 40008, "errmsg": "; ".join(problems)}
        code = script.pop(0) if script else 0
        return {"errcode": code, "errmsg": "ok" if code == 0 else "refused"}

    return answer


@pytest.mark.parametrize("msgtype", ["text", "markdown"])
def test_wecom_messages_have_the_documented_shape(http_server: HttpServer, msgtype: str) -> None:
    http_server.answer = wecom_answer([])
    robot = WeComRobot(http_server.url + "?key=abc", msgtype=msgtype, retry=FAST, mentions=lambda n: ["13800000000"])
    robot.send(note())
    doc = http_server.hits[0].json()
    assert shape_of_wecom(doc) == [] and robot.stats.sent == 1
    if msgtype == "text":
        assert doc["text"]["mentioned_mobile_list"] == ["13800000000"]
        assert "未扫码进入" in doc["text"]["content"]
    else:
        assert doc["markdown"]["content"].startswith("### 企业投诉")


@pytest.mark.parametrize("msgtype", ["text", "markdown"])
def test_dingtalk_signs_the_url_and_sends_the_documented_shape(
    http_server: HttpServer, clock: FixedClock, msgtype: str
) -> None:
    http_server.answer = dingtalk_answer(clock, [])
    robot = DingTalkRobot(
        http_server.url + "?access_token=tok",
        secret=DING_SECRET,
        clock=clock,
        msgtype=msgtype,
        lang="en",
        retry=FAST,
        mentions=lambda n: ["13900000000"],
    )
    robot.send(note())
    hit = http_server.hits[0]
    assert "access_token=tok&timestamp=" in hit.path
    doc = hit.json()
    assert doc["at"] == {"atMobiles": ["13900000000"], "isAtAll": False}
    assert robot.stats.sent == 1 and robot.stats.rejected == 0
    if msgtype == "markdown":
        assert doc["markdown"]["title"].startswith("Complaint from")


def test_dingtalk_with_a_wrong_secret_is_refused_for_good(http_server: HttpServer, clock: FixedClock) -> None:
    http_server.answer = dingtalk_answer(clock, [])
    robot = DingTalkRobot(http_server.url + "?access_token=t", secret="SECwrong", clock=clock, retry=FAST)
    with pytest.raises(DeliveryRejected) as caught:
        robot.send(note())
    assert "310000" in caught.value.details["reason"] and len(http_server.hits) == 1


def test_robot_rate_limits_are_retried(http_server: HttpServer, clock: FixedClock) -> None:
    http_server.answer = wecom_answer([45009, 0])
    wecom = WeComRobot(http_server.url, retry=FAST)
    wecom.send(note())
    assert wecom.stats.retried == 1 and wecom.stats.sent == 1
    http_server.answer = dingtalk_answer(clock, [130101, 0])
    clock.set(T0 + pendulum.duration(minutes=1))  # the signature follows the clock on every attempt
    ding = DingTalkRobot(http_server.url + "?access_token=t", secret=DING_SECRET, clock=clock, retry=FAST)
    ding.send(note("complaint.filed:C2"))
    assert ding.stats.retried == 1 and ding.stats.sent == 1


def test_a_robot_posts_each_key_once(http_server: HttpServer) -> None:
    http_server.answer = wecom_answer([])
    robot = WeComRobot(http_server.url, retry=FAST)
    robot.send(note())
    robot.send(note())
    assert len(http_server.hits) == 1 and robot.stats.duplicates == 1
