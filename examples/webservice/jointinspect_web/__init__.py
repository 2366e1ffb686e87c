"""The reference web service of jointinspect (issue 13): FastAPI around one embedded Engine.

``python -m jointinspect_web --demo`` serves a demo city; `create_app` builds the
application for your own `WebService` (engine, token issuer, inbox). See docs/web-service.md.
"""

from __future__ import annotations

from jointinspect_web.app import build_service, create_app, demo_app
from jointinspect_web.service import Inbox, WebService
from jointinspect_web.tokens import TokenIssuer

__all__ = ["Inbox", "TokenIssuer", "WebService", "build_service", "create_app", "demo_app"]
