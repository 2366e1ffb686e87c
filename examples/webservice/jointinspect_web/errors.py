"""Errors as JSON: every `JointInspectError` becomes ``{"error": {"code", "message"}}`` with
the message in the caller's language and an HTTP status that says what kind of refusal it is.

Statuses: 401 without a valid session token, 403 `Forbidden`, 404 `NotFoundError`, 422 for
input that can never be accepted (`ValidationError`, a scanned code that does not verify
(`TokenError`), a body FastAPI cannot read: code ``input.invalid``), 503 when storage is
unavailable, and 409 for every other refusal (conflicts, illegal transitions, rejected
filings, blocked frequencies, refused check-ins). The library changes nothing when it raises.
"""

from __future__ import annotations

from typing import Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from jointinspect.errors import (
    ConcurrencyConflict,
    Forbidden,
    JointInspectError,
    NotFoundError,
    OperationalError,
    TokenError,
    ValidationError,
)

Lang = Literal["zh", "en"]


def language(request: Request) -> Lang:
    """The caller's language: ``?lang=en|zh`` first, then ``Accept-Language`` (the first of
    ``zh`` or ``en`` by preference), Chinese by default."""
    asked = request.query_params.get("lang", "").lower()
    if asked in ("zh", "en"):
        return "zh" if asked == "zh" else "en"
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in ("zh", "en") and quality > 0:
            ranked.append((-quality, n, primary))
    return "en" if ranked and min(ranked)[2] == "en" else "zh"


def status_of(error: JointInspectError) -> int:
    """The HTTP status of a library error."""
    if error.code == "auth.unauthenticated":
        return 401
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, ValidationError | TokenError):
        return 422
    if isinstance(error, OperationalError) and not isinstance(error, ConcurrencyConflict):
        return 503
    return 409


def error_body(error: JointInspectError, lang: Lang) -> dict[str, dict[str, str]]:
    """The JSON body of an error response."""
    return {"error": {"code": error.code, "message": error.message_zh if lang == "zh" else error.message_en}}


def install(app: FastAPI) -> None:
    """Register the handlers that turn library and request-validation errors into JSON."""

    async def library_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, JointInspectError)
        headers = {"WWW-Authenticate": "Bearer"} if exc.code == "auth.unauthenticated" else None
        return JSONResponse(error_body(exc, language(request)), status_code=status_of(exc), headers=headers)

    async def body_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg', '')}" for e in exc.errors()
        )
        where = "; ".join(".".join(str(p) for p in e.get("loc", ()) if p != "body") for e in exc.errors())
        error = ValidationError("input.invalid", reason=problems, reason_zh=f"请求内容不符合要求({where})")
        return JSONResponse(error_body(error, language(request)), status_code=422)

    app.add_exception_handler(JointInspectError, library_error)
    app.add_exception_handler(RequestValidationError, body_error)
