"""Signed session tokens: who the caller is, as the platform's sign-in service vouches.

The platform's own sign-in (its single sign-on, the government service app, an enterprise's
e-licence login ...) authenticates the person and then issues one of these tokens with
`TokenIssuer.issue`; the web service only verifies it. A token is an ``itsdangerous``
URL-safe timed signature (HMAC-SHA256 under the service's secret, salt
``jointinspect-web.session``) of a small JSON object:

* ``kind``: ``officer``, ``inspector``, ``enterprise``, ``supervisor``, ``legal_office``
  or ``system`` (`jointinspect.auth.PrincipalKind`);
* ``department``: the officer's or inspector's department code;
* ``inspector``: the inspector's id;
* ``credit_code``: the enterprise's unified social credit code;
* ``user``: the person's login, recorded in the audit trail;
* ``roles``: extra roles (supervisors' approver roles).

The signature carries the instant it was made; a token older than ``max_age`` seconds
(default 8 hours, one working day) is refused. It travels as ``Authorization: Bearer <token>``
or in the ``ji_session`` cookie (HttpOnly, SameSite=Lax) for the HTML pages.
"""

from __future__ import annotations

from typing import Any

import attrs
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from jointinspect.auth import Principal, PrincipalKind
from jointinspect.errors import JointInspectError, ValidationError

SALT = "jointinspect-web.session"
COOKIE = "ji_session"
#: claim name -> `Principal` attribute.
_FIELDS = {"department": "department", "inspector": "inspector_id", "credit_code": "credit_code", "user": "user"}


def unauthenticated(reason: str, reason_zh: str) -> JointInspectError:
    """The error of a request without a valid token (HTTP 401)."""
    return JointInspectError("auth.unauthenticated", reason=reason, reason_zh=reason_zh)


@attrs.frozen
class TokenIssuer:
    """Issues and verifies session tokens with one secret.

    Attributes:
        secret: the HMAC key, shared by the sign-in service and the web service only.
        max_age: seconds a token stays valid after it was issued.
    """

    secret: str = attrs.field(repr=False)
    max_age: int = 8 * 3600

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt=SALT)

    def issue(self, principal: Principal) -> str:
        """A token for ``principal`` (what the platform's sign-in service calls)."""
        claims: dict[str, Any] = {"kind": principal.kind.value}
        for name, attribute in _FIELDS.items():
            value = getattr(principal, attribute)
            if value:
                claims[name] = value
        if principal.roles:
            claims["roles"] = sorted(principal.roles)
        return str(self._serializer().dumps(claims))

    def principal(self, token: str) -> Principal:
        """The principal a token names.

        Raises:
            JointInspectError: ``auth.unauthenticated`` for a bad signature, an expired token
                or claims that name no valid principal.
        """
        try:
            claims = self._serializer().loads(token, max_age=self.max_age)
        except SignatureExpired as exc:
            raise unauthenticated("the session token has expired", "会话令牌已过期") from exc
        except BadSignature as exc:
            raise unauthenticated("the session token is not valid", "会话令牌无效") from exc
        if not isinstance(claims, dict) or claims.get("kind") not in {k.value for k in PrincipalKind}:
            raise unauthenticated("the session token names no known kind of user", "会话令牌未指明有效的用户类型")
        try:
            return Principal(
                kind=PrincipalKind(claims["kind"]),
                **{attribute: claims[name] for name, attribute in _FIELDS.items() if name in claims},
                roles=frozenset(claims.get("roles", ())),
            )
        except (ValidationError, TypeError) as exc:
            raise unauthenticated("the session token's claims are not valid", "会话令牌的内容无效") from exc
