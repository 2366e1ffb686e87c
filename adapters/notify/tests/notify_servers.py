"""Real servers on loopback for the notifier tests: a scripted HTTP server and an SMTP server."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from jointinspect_notify.receiver import WebhookReceiver

from jointinspect.clock import FixedClock
from jointinspect.errors import WebhookRejected

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
SECRET = "whsec-test-secret"


@attrs.define
class Hit:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@attrs.define
class HttpServer:
    """A scripted HTTP endpoint.

    ``script`` holds one action per coming request ("ok", "500", "400", "429", "slow" = answer
    after the client's read timeout, "drop" = close without answering); when it is empty the
    answer is "ok". With ``receiver`` set, every request is verified first (a webhook
    integrator); ``accepted`` keeps the keys applied, ``absorbed`` the replays answered 200.
    ``answer`` makes the body of an "ok" answer (robots answer ``{"errcode": 0}``).
    """

    url: str = ""
    script: list[str] = attrs.Factory(list)
    hits: list[Hit] = attrs.Factory(list)
    receiver: WebhookReceiver | None = None
    accepted: list[str] = attrs.Factory(list)
    absorbed: int = 0
    refused: int = 0
    answer: Callable[[Hit], dict[str, Any]] | None = None
    slow_seconds: float = 0.6
    lock: threading.Lock = attrs.Factory(threading.Lock)


def _handler(state: HttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def _reply(self, status: int, doc: dict[str, Any]) -> None:
            data = json.dumps(doc).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up waiting (the "slow" action)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            hit = Hit(self.path, {k: v for k, v in self.headers.items()}, body)
            with state.lock:
                state.hits.append(hit)
                action = state.script.pop(0) if state.script else "ok"
            if action == "drop":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if action in ("500", "400", "429"):
                self._reply(int(action), {"error": action})
                return
            if state.receiver is not None:
                try:
                    doc = state.receiver.verify(body, hit.headers)
                except WebhookRejected as exc:
                    with state.lock:
                        if exc.code == "webhook.replayed":
                            state.absorbed += 1
                        else:
                            state.refused += 1
                    self._reply(200 if exc.code == "webhook.replayed" else 401, {"code": exc.code})
                    return
                with state.lock:
                    state.accepted.append(doc["key"])
            if action == "slow":
                time.sleep(state.slow_seconds)  # processed, but the answer comes after the client gave up
            self._reply(200, state.answer(hit) if state.answer else {"ok": True})

    return Handler


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    state = HttpServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def verifying(state: HttpServer, clock: FixedClock) -> HttpServer:
    """Make ``state`` an integrator that verifies and deduplicates."""
    state.receiver = WebhookReceiver(SECRET, clock=clock)
    return state


@attrs.define
class Mailbox:
    """What the SMTP server received; ``script`` answers DATA ("ok", "451", "550")."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[bytes] = attrs.Factory(list)
    envelopes: list[tuple[str, list[str]]] = attrs.Factory(list)
    script: list[str] = attrs.Factory(list)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        action = self.script.pop(0) if self.script else "ok"
        if action == "451":
            return "451 Try again later"
        if action == "550":
            return "550 Mailbox unavailable"
        self.messages.append(bytes(envelope.original_content or envelope.content))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    box = Mailbox(port=_free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def self_signed(directory: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context trusting it) for a certificate naming 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * 30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


@pytest.fixture
def tls_smtp_server(tmp_path: Path) -> Iterator[tuple[Mailbox, ssl.SSLContext]]:
    """An SMTP server that refuses mail before STARTTLS; yields it and a client TLS context."""
    server_ctx, client_ctx = self_signed(tmp_path)
    box = Mailbox(port=_free_port())
    controller = Controller(box, hostname=box.host, port=box.port, tls_context=server_ctx, require_starttls=True)
    controller.start()
    try:
        yield box, client_ctx
    finally:
        controller.stop()
