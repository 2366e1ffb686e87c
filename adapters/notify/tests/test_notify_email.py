"""The e-mail notifier against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import email
import email.policy
import ssl
from email.message import EmailMessage

import pytest
from jointinspect_notify import EmailNotifier, RetryPolicy
from notify_servers import T0, Mailbox

from jointinspect.errors import DeliveryFailed, DeliveryRejected
from jointinspect.model.notification import Notification, Role

ADDRESSES = {("department", "SCJG"): ["scjg@city.example"], ("supervisor", "judicial"): ["sfj@city.example"]}


def note(key: str = "rectification.overdue:R1:department") -> Notification:
    return Notification(
        key,
        "rectification.overdue",
        Role.DEPARTMENT,
        "SCJG",
        "R1",
        T0,
        {"enterprise": "E1", "deadline": "2026-03-20T08:00:00+00:00"},
    )


def mailer(box: Mailbox, lang: str = "zh", attempts: int = 3) -> EmailNotifier:
    return EmailNotifier(
        box.host,
        box.port,
        sender="notice@jointinspect.example",
        recipients=lambda role, who: ADDRESSES.get((role.value, who), []),
        starttls=False,  # loopback only
        lang="zh" if lang == "zh" else "en",
        retry=RetryPolicy(attempts=attempts, sleep=lambda _: None),
    )


def received(box: Mailbox) -> list[EmailMessage]:
    return [email.message_from_bytes(m, policy=email.policy.default) for m in box.messages]  # type: ignore[misc]


def test_mail_is_multipart_alternative_with_text_and_html(smtp_server: Mailbox) -> None:
    sender = mailer(smtp_server)
    sender.send(note())
    (msg,) = received(smtp_server)
    assert smtp_server.envelopes == [("notice@jointinspect.example", ["scjg@city.example"])]
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["Subject"] == "整改逾期:E1"
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    assert "2026-03-20 16:00" in plain.get_content()  # the deadline in Asia/Shanghai
    assert "<h2>整改逾期:E1</h2>" in html.get_content()
    assert msg["X-JointInspect-Key"] == note().key
    assert msg["Message-ID"] == sender.build(note(), ["x@y"])["Message-ID"]  # stable per key


def test_english_mail(smtp_server: Mailbox) -> None:
    mailer(smtp_server, "en").send(note())
    (msg,) = received(smtp_server)
    assert msg["Subject"] == "Rectification overdue: E1"


def test_temporary_refusal_is_retried_permanent_is_not(smtp_server: Mailbox) -> None:
    smtp_server.script = ["451"]
    sender = mailer(smtp_server)
    sender.send(note())
    assert len(smtp_server.messages) == 1 and sender.stats.retried == 1
    smtp_server.script = ["550"]
    with pytest.raises(DeliveryRejected):
        sender.send(note("other-key"))
    assert sender.stats.rejected == 1 and sender.stats.retried == 1


def test_a_recipient_without_address_is_rejected(smtp_server: Mailbox) -> None:
    orphan = Notification("k", "plan.approved", Role.DEPARTMENT, "NOBODY", "P1", T0)
    with pytest.raises(DeliveryRejected) as caught:
        mailer(smtp_server).send(orphan)
    assert "NOBODY" in caught.value.details["reason"] and smtp_server.messages == []


def test_no_server_is_transient() -> None:
    box = Mailbox(port=9)
    with pytest.raises(DeliveryFailed) as caught:
        mailer(box, attempts=2).send(note())
    assert caught.value.retryable


def test_each_key_is_mailed_once(smtp_server: Mailbox) -> None:
    sender = mailer(smtp_server)
    sender.send(note())
    sender.send(note())
    assert len(smtp_server.messages) == 1 and sender.stats.duplicates == 1


def test_starttls_is_used_and_the_certificate_checked(tls_smtp_server: tuple[Mailbox, ssl.SSLContext]) -> None:
    box, client_tls = tls_smtp_server
    common = {
        "sender": "notice@jointinspect.example",
        "recipients": lambda role, who: ["scjg@city.example"],
        "retry": RetryPolicy(attempts=1, sleep=lambda _: None),
    }
    # Without STARTTLS the server refuses the mail (530): permanent, and nothing is received.
    with pytest.raises(DeliveryRejected):
        EmailNotifier(box.host, box.port, starttls=False, **common).send(note("k-plain"))  # type: ignore[arg-type]
    # An untrusted certificate fails the handshake: transient, nothing is received.
    with pytest.raises(DeliveryFailed):
        EmailNotifier(box.host, box.port, **common).send(note("k-untrusted"))  # type: ignore[arg-type]
    assert box.messages == []
    EmailNotifier(box.host, box.port, tls_context=client_tls, **common).send(note("k-tls"))  # type: ignore[arg-type]
    (msg,) = received(box)
    assert msg["X-JointInspect-Key"] == "k-tls"
