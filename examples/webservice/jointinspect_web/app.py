"""Build the FastAPI application around one embedded Engine."""

from __future__ import annotations

import secrets
import time
import urllib.parse

import pendulum
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from jointinspect import Engine, FixedClock, MemoryKeyStore, SystemClock, open_store
from jointinspect.ports import Clock, KeyStore
from jointinspect_web import api, errors, pages
from jointinspect_web.demo import build_demo
from jointinspect_web.service import Inbox, WebService
from jointinspect_web.tokens import COOKIE, TokenIssuer

DESCRIPTION = """The reference web service of jointinspect (issue 13): one embedded Engine behind
a JSON API for departments, inspectors, enterprises and the supervising office.

Every request carries a session token issued by the platform's sign-in service
(`Authorization: Bearer <token>` or the `ji_session` cookie): a signed, timed JSON object
naming the principal (kind, department, inspector id, credit code, user). Errors are
`{"error": {"code": "...", "message": "..."}}` with the message in the requested language
(`?lang=en|zh` or `Accept-Language`, Chinese by default): 401 no or bad token, 403 forbidden,
404 not found, 409 refused (conflict, illegal transition, rejected filing), 422 invalid input
(`input.invalid`, or a scanned code that does not verify); a refused request changes nothing."""


class RunningClock:
    """Time that starts at a given instant and runs at the wall clock's pace (the demo's)."""

    def __init__(self, start: pendulum.DateTime) -> None:
        self._start, self._origin = start, time.monotonic()

    def now(self) -> pendulum.DateTime:
        """The start instant plus the time elapsed since."""
        return self._start.add(seconds=time.monotonic() - self._origin)


def create_app(service: WebService) -> FastAPI:
    """The application serving ``service``: the JSON API, the two pages, and (for a demo)
    sign-in links for its personas."""
    app = FastAPI(title="jointinspect reference web service", version="1.0", description=DESCRIPTION)
    app.state.service = service
    errors.install(app)
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> str:
        links = "".join(
            f'<li><a href="/demo/login/{urllib.parse.quote(label)}">{label}</a></li>' for label in service.demo
        )
        return (
            '<!doctype html><html lang="zh"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>jointinspect</title></head>'
            f'<body><h1>jointinspect</h1><p><a href="/docs">API</a></p><ul>{links}</ul></body></html>'
        )

    @app.get("/demo/login/{label}", include_in_schema=False)
    def demo_login(label: str, request: Request) -> RedirectResponse:
        # Demo only: stands in for the platform's sign-in service, issuing the persona's token.
        principal = service.demo.get(label)
        if principal is None:
            return RedirectResponse("/", status_code=303)
        target = request.app.state.landing.get(label, "/")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, service.tokens.issue(principal), httponly=True, samesite="lax")
        return response

    app.state.landing = {}
    return app


def build_service(
    store_url: str = "sqlite:///jointinspect-web.db",
    *,
    secret: str | None = None,
    keys: KeyStore | None = None,
    clock: Clock | None = None,
) -> WebService:
    """A service over the store at ``store_url`` (SQLite by default; ``postgresql+psycopg://``
    for PostgreSQL). ``secret`` signs the session tokens (a random one when omitted: tokens
    then die with the process)."""
    inbox = Inbox()
    store = open_store(store_url, create=True) if store_url.startswith("sqlite") else open_store(store_url)
    engine = Engine(
        store=store,
        clock=clock or SystemClock(),
        keys=keys or MemoryKeyStore.generated(),
        notifier=inbox,
    )
    return WebService(engine, TokenIssuer(secret or secrets.token_urlsafe(32)), inbox)


def demo_app(store_url: str, *, secret: str | None = None, clock: FixedClock | None = None) -> tuple[FastAPI, str]:
    """A service with the demo city played on an empty store; returns the app and the path
    of the enterprise page for the joint visit's code. With ``clock`` (tests) time stays
    where the demo left it; without, it runs on from there."""
    fixed = clock or FixedClock(pendulum.now("UTC"))
    service = build_service(store_url, secret=secret, keys=MemoryKeyStore.generated(), clock=fixed)
    made = build_demo(service.engine, fixed)
    if clock is None:
        service.engine.clock = RunningClock(fixed.now())
    service.demo.update(made.personas)
    app = create_app(service)
    scan = "/scan?" + urllib.parse.urlencode({"code": made.joint_code})
    app.state.landing.update({"enterprise": scan, "supervisor": "/dashboard?start=2026-11-01&end=2026-11-30"})
    app.state.demo = made
    return app, scan
