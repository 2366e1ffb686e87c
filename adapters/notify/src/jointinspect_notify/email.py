"""E-mail over SMTP: one message per notification, plain text and HTML alternatives.

Recipients come from a callable ``(role, recipient id) -> addresses``: the city decides
who reads a department's or the judicial office's mail. The ``Message-ID`` is derived from
the notification key, so a mail system or archive that deduplicates by it sees a re-send
as the same message; this object also keeps a sent-key memory.
"""

from __future__ import annotations

import hashlib
import html
import smtplib
import ssl
from collections.abc import Callable, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from jointinspect.errors import DeliveryFailed, DeliveryRejected
from jointinspect.model.notification import Notification, Role
from jointinspect.notices import Lang, NameLookup, RenderedNotice, render
from jointinspect_notify._common import DeliveryStats, MemorySentKeys, RetryPolicy, SentKeys, run_with_retries

#: (role, recipient id) -> e-mail addresses; empty when the recipient has none.
Recipients = Callable[[Role, str], Sequence[str]]


def message_id(key: str, domain: str) -> str:
    """A ``Message-ID`` that is the same for every send of ``key``."""
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{domain}>"


def html_body(text: RenderedNotice) -> str:
    """The HTML alternative: the subject as a heading, each paragraph escaped."""
    paragraphs = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.body.split("\n\n") if p)
    lang = "zh-CN" if text.lang == "zh" else "en"
    return f'<!DOCTYPE html><html lang="{lang}"><body><h2>{html.escape(text.subject)}</h2>{paragraphs}</body></html>'


class EmailNotifier:
    """A :class:`jointinspect.ports.Notifier` sending e-mail through one SMTP server.

    A connection is opened per message (notifications are few; a pool would hold idle
    connections the server drops). SMTP 4xx and connection failures are transient and
    retried; 5xx answers and a recipient without address are permanent (`DeliveryRejected`).

    Args:
        host: the SMTP server.
        port: its port (submission, 587, with STARTTLS by default).
        sender: the From address.
        recipients: who receives a notification.
        starttls: upgrade with STARTTLS before authenticating (turn off only on loopback).
        tls_context: the TLS context (system trust by default).
        username: SMTP user, when the server wants authentication.
        password: SMTP password.
        lang: language of the message.
        names: names for codes in the message.
        zone: time zone of the times in the message.
        timeout: socket timeout in seconds.
        retry: the backoff policy.
        sent: the sent-key memory.
    """

    channel = "email"

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        sender: str,
        recipients: Recipients,
        starttls: bool = True,
        tls_context: ssl.SSLContext | None = None,
        username: str | None = None,
        password: str | None = None,
        lang: Lang = "zh",
        names: NameLookup | None = None,
        zone: str = "Asia/Shanghai",
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sent: SentKeys | None = None,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self._recipients = recipients
        self._starttls, self._tls = starttls, tls_context
        self._login = (username, password) if username is not None and password is not None else None
        self._lang, self._names, self._zone = lang, names, zone
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._sent = sent or MemorySentKeys()
        self.stats = DeliveryStats()

    def build(self, notification: Notification, to: Sequence[str]) -> EmailMessage:
        """The message for ``notification``: multipart/alternative, text then HTML."""
        text = render(notification, self._lang, names=self._names, zone=self._zone)
        msg = EmailMessage()
        msg["Subject"] = text.subject
        msg["From"] = self.sender
        msg["To"] = ", ".join(to)
        msg["Date"] = format_datetime(notification.at)
        msg["Message-ID"] = message_id(notification.key, Address(addr_spec=self.sender).domain or "jointinspect")
        msg["X-JointInspect-Key"] = notification.key
        msg["X-JointInspect-Kind"] = notification.kind
        msg.set_content(text.body)
        msg.add_alternative(html_body(text), subtype="html")
        return msg

    def send(self, notification: Notification) -> None:
        """Mail ``notification`` to its recipients once per key."""
        key = notification.key
        if self._sent.seen(key):
            self.stats.duplicates += 1
            return
        to = list(self._recipients(notification.role, notification.recipient))
        if not to:
            self.stats.rejected += 1
            raise DeliveryRejected(
                key=key, channel=self.channel, reason=f"no address for {notification.role}:{notification.recipient}"
            )
        msg = self.build(notification, to)
        run_with_retries(self._retry, self.stats, lambda: self._deliver(key, msg, to))
        self._sent.remember(key)

    def _deliver(self, key: str, msg: EmailMessage, to: Sequence[str]) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self._timeout) as smtp:
                if self._starttls:
                    smtp.starttls(context=self._tls or ssl.create_default_context())
                if self._login:
                    smtp.login(*self._login)
                refused = smtp.send_message(msg, from_addr=self.sender, to_addrs=list(to))
        except smtplib.SMTPResponseException as exc:
            error = DeliveryRejected if 500 <= exc.smtp_code < 600 else DeliveryFailed
            raise error(key=key, channel=self.channel, reason=f"SMTP {exc.smtp_code}") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryRejected(key=key, channel=self.channel, reason=f"refused {sorted(exc.recipients)}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(key=key, channel=self.channel, reason=f"{type(exc).__name__}: {exc}") from exc
        if refused:
            # Some recipients took it: a retry would mail them twice, so the rest is reported, not retried.
            raise DeliveryRejected(key=key, channel=self.channel, reason=f"refused {sorted(refused)}")
