"""The signed code format (检查码 / 企业码), version 1.

A code is a compact Ed25519-signed token that fits a small QR code in alphanumeric mode
and that anyone holding the issuer's public keys can verify offline: a phone, a gate
terminal, another city's system. The byte layout, signing input, text encoding and the
order of verification steps are specified in ``docs/token-spec.md``; this module is the
reference implementation and ``tests/vectors/tokens.json`` holds the test vectors.

Three entry points:

* `encode` signs `CodeClaims` into a token string;
* `decode` parses a token without checking its signature (what the enterprise's
  phone shows before it has keys, and the first step of `verify`);
* `verify` parses, checks the key, the signature, the kind and the validity period.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import secrets
import struct
import time
from typing import Protocol

import attrs
import pendulum
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jointinspect.errors import TokenError, ValidationError
from jointinspect.model.plan import Window
from jointinspect.policy.schema import MAX_CODE_LIFETIME_DAYS
from jointinspect.timeutil import shifted, utc

#: The format version this module reads and writes.
VERSION = 1
#: Text prefix: "JI" (jointinspect) followed by the version as one decimal digit.
PREFIX = "JI"
#: Domain-separation string prepended to the payload before signing, so that a signature
#: made for a code can never be replayed as a signature of anything else made with the
#: same key (and a version-1 signature never validates a future version).
SIGNING_DOMAIN = b"jointinspect/code/v1\x00"
SIGNATURE_SIZE = 64
#: Longest UTF-8 encoding of a string field (its length is one byte on the wire).
MAX_STRING_BYTES = 255
#: Times are unsigned 32-bit seconds since the Unix epoch: 1970-01-01 to 2106-02-07.
MAX_TIME = 2**32 - 1

_KIND_BYTES = {"inspection": 1, "enterprise": 2}
_FLAG_WINDOW = 0x01
_BASE32_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


class CodeKind(enum.StrEnum):
    """What a code stands for."""

    INSPECTION = "inspection"  # 检查码: one (joint) inspection, shown by the inspectors
    ENTERPRISE = "enterprise"  # 企业码: posted at the enterprise's gate, scanned at entry


def _to_second(value: dt.datetime) -> pendulum.DateTime:
    # The wire carries whole seconds; truncating here makes decode(encode(c)) == c.
    if type(value) is pendulum.DateTime and value.tzinfo is pendulum.UTC and not value.microsecond:
        return value  # already canonical: the common case when decoding
    return utc(value).replace(microsecond=0)


def _window(
    value: tuple[dt.datetime, dt.datetime] | Window | None,
) -> tuple[pendulum.DateTime, pendulum.DateTime] | None:
    if value is None:
        return None
    start, end = (value.start, value.end) if isinstance(value, Window) else value
    return (_to_second(start), _to_second(end))


def _check_string(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value:
        raise ValidationError(
            "input.invalid",
            reason=f"{attribute.name} must be a non-empty string",
            reason_zh=f"{attribute.name} 须为非空字符串",
        )
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError as exc:  # lone surrogates cannot be encoded
        raise ValidationError(
            "input.invalid", reason=f"{attribute.name} is not valid text", reason_zh=f"{attribute.name} 不是有效文字"
        ) from exc
    if size > MAX_STRING_BYTES:
        raise ValidationError(
            "input.invalid",
            reason=f"{attribute.name} is {size} bytes in UTF-8; at most {MAX_STRING_BYTES}",
            reason_zh=f"{attribute.name} 的 UTF-8 编码为 {size} 字节,至多 {MAX_STRING_BYTES} 字节",
        )


def _check_time(name: str, value: pendulum.DateTime) -> None:
    seconds = _seconds(value)
    if not 0 <= seconds <= MAX_TIME:
        raise ValidationError(
            "input.invalid",
            reason=f"{name} {value.isoformat()} is outside 1970-01-01..2106-02-07",
            reason_zh=f"{name} {value.isoformat()} 超出 1970-01-01 至 2106-02-07 的范围",
        )


@attrs.frozen
class CodeClaims:
    """What a code says, all of it covered by the signature.

    Attributes:
        version: format version (``1``).
        kind: inspection code or enterprise code.
        key_id: id of the signing key, so verifiers pick the right public key after rotation.
        token_id: random id unique per issued code (the replay guard's key).
        issued_at: when the code was issued (UTC, whole seconds).
        expires_at: when it stops being valid (UTC, whole seconds, after ``issued_at``).
        subject: the inspection id (inspection codes) or the credit code (enterprise codes).
        enterprise: the enterprise's credit code; equals ``subject`` for enterprise codes.
        window: the inspection window (inspection codes only; optional) so that a gate
            terminal can check the time offline; a ``(start, end)`` pair or a
            `Window` may be given.

    """

    version: int
    kind: CodeKind = attrs.field(converter=CodeKind)
    key_id: str = attrs.field(validator=_check_string)
    token_id: str = attrs.field(validator=_check_string)
    issued_at: pendulum.DateTime = attrs.field(converter=_to_second)
    expires_at: pendulum.DateTime = attrs.field(converter=_to_second)
    subject: str = attrs.field(validator=_check_string)
    enterprise: str = attrs.field(validator=_check_string)
    window: tuple[pendulum.DateTime, pendulum.DateTime] | None = attrs.field(default=None, converter=_window)

    def __attrs_post_init__(self) -> None:
        _check_time("issued_at", self.issued_at)
        _check_time("expires_at", self.expires_at)
        if not self.issued_at < self.expires_at:
            raise ValidationError(
                "input.invalid", reason="expires_at must be after issued_at", reason_zh="失效时间须晚于签发时间"
            )
        if self.window is not None:
            _check_time("window start", self.window[0])
            _check_time("window end", self.window[1])
            if not self.window[0] < self.window[1]:
                raise ValidationError(
                    "input.invalid", reason="window start must be before its end", reason_zh="时间窗的开始须早于结束"
                )
        if self.kind is CodeKind.ENTERPRISE:
            if self.subject != self.enterprise:
                raise ValidationError(
                    "input.invalid",
                    reason="an enterprise code's subject is its enterprise",
                    reason_zh="企业码的主体须为该企业本身",
                )
            if self.window is not None:
                raise ValidationError(
                    "input.invalid", reason="an enterprise code has no window", reason_zh="企业码没有时间窗"
                )


def inspection_claims(
    *,
    key_id: str,
    token_id: str,
    issued_at: dt.datetime,
    expires_at: dt.datetime,
    inspection_id: str,
    enterprise: str,
    window: tuple[dt.datetime, dt.datetime] | Window | None = None,
) -> CodeClaims:
    """Build the claims of an inspection code (检查码) for one (joint) inspection.

    ``window`` may be the inspection's `Window`; it is carried
    in whole seconds (the start rounded down, and so is the end).
    """
    return CodeClaims(
        VERSION,
        CodeKind.INSPECTION,
        key_id,
        token_id,
        issued_at,
        expires_at,
        inspection_id,
        enterprise,
        window,
    )


def enterprise_claims(
    *,
    key_id: str,
    token_id: str,
    issued_at: dt.datetime,
    expires_at: dt.datetime,
    enterprise: str,
) -> CodeClaims:
    """Build the claims of a standing enterprise code (企业码) posted at the gate."""
    return CodeClaims(
        VERSION,
        CodeKind.ENTERPRISE,
        key_id,
        token_id,
        issued_at,
        expires_at,
        enterprise,
        enterprise,
    )


def new_token_id() -> str:
    """Return a fresh random token id: 80 random bits as 16 base32 characters.

    Short on purpose (every byte grows the QR code); 80 bits make a collision between
    codes of one issuer negligible.
    """
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


#: The lifetime bound `verify` applies unless told otherwise: the policy's upper bound.
DEFAULT_MAX_LIFETIME = dt.timedelta(days=MAX_CODE_LIFETIME_DAYS)


def check_lifetime(claims: CodeClaims, max_lifetime: dt.timedelta) -> None:
    """Refuse claims valid longer than ``max_lifetime`` (at issue and at verification).

    Raises:
        TokenError: ``token.lifetime_exceeded``, even for a correctly signed code.
    """
    span = claims.expires_at - claims.issued_at
    if span > max_lifetime:
        raise TokenError(
            "token.lifetime_exceeded",
            days=round(span.total_seconds() / 86400, 1),
            max_days=round(max_lifetime.total_seconds() / 86400, 1),
        )


class PublicKeySource(Protocol):
    """Where `verify` finds public keys.

    A `KeyStore` is one; so is
    `PublicKeyRing` in an offline verifier.
    """

    def public_key(self, key_id: str) -> Ed25519PublicKey | None:
        """Return the public key for ``key_id``, or ``None`` if unknown or revoked."""
        ...


# --- binary form -------------------------------------------------------------------------


def _seconds(value: pendulum.DateTime) -> int:
    # Whole-second aware instants below 2**53 s: the float timestamp is exact.
    return int(value.timestamp())


def _from_seconds(value: int) -> pendulum.DateTime:
    # Direct construction: ~1 us against ~5 us for pendulum.from_timestamp (hot on check-in).
    return pendulum.DateTime(*time.gmtime(value)[:6], tzinfo=pendulum.UTC)


# RFC 4648 base32 digits -> Python's int() base-32 digits, so decoding runs in C.
_TO_INT32 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHIJKLMNOPQRSTUV")


def _b32decode_canonical(text: str) -> bytes:
    """Decode unpadded base32; refuse impossible lengths and non-zero unused bits, so that
    exactly one text encodes each byte string."""
    nbits = 5 * len(text)
    nbytes, spare = divmod(nbits, 8)
    if spare >= 5:  # a whole character that carries no byte: not a base32 length
        raise TokenError(
            "token.malformed", reason="body has an impossible base32 length", reason_zh="码体长度不可能是 base32 编码"
        )
    value = int(text.translate(_TO_INT32), 32)
    if value & ((1 << spare) - 1):
        raise TokenError("token.malformed", reason="non-canonical base32", reason_zh="base32 编码不规范")
    return (value >> spare).to_bytes(nbytes, "big")


def _put_string(out: bytearray, value: str) -> None:
    raw = value.encode("utf-8")
    out.append(len(raw))
    out += raw


def payload_bytes(claims: CodeClaims) -> bytes:
    """Return the signed payload of ``claims`` (layout in docs/token-spec.md, section 2).

    Raises:
        TokenError: ``token.unsupported_version`` when ``claims.version`` is not 1.

    """
    if claims.version != VERSION:
        raise TokenError("token.unsupported_version", version=claims.version)
    out = bytearray()
    out.append(_KIND_BYTES[claims.kind.value])
    out.append(_FLAG_WINDOW if claims.window is not None else 0)
    out += struct.pack(">II", _seconds(claims.issued_at), _seconds(claims.expires_at))
    if claims.window is not None:
        out += struct.pack(">II", _seconds(claims.window[0]), _seconds(claims.window[1]))
    _put_string(out, claims.key_id)
    _put_string(out, claims.token_id)
    _put_string(out, claims.subject)
    if claims.kind is CodeKind.INSPECTION:
        # An enterprise code's enterprise equals its subject: not repeated on the wire.
        _put_string(out, claims.enterprise)
    return bytes(out)


def signing_input(payload: bytes) -> bytes:
    """Return the exact bytes that are signed: the domain string, then the payload."""
    return SIGNING_DOMAIN + payload


def _text(body: bytes) -> str:
    return f"{PREFIX}{VERSION}" + base64.b32encode(body).decode("ascii").rstrip("=")


def encode(claims: CodeClaims, private_key: Ed25519PrivateKey) -> str:
    """Sign ``claims`` with ``private_key`` and return the token text (``JI1...``).

    The caller must pass the private key that ``claims.key_id`` names (what
    `signing_key` returns together).
    """
    payload = payload_bytes(claims)
    signature = private_key.sign(signing_input(payload))
    return _text(payload + signature)


class _Reader:
    """A cursor over the payload that reports what was cut short."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int, what: str) -> bytes:
        if self.pos + size > len(self.data):
            raise TokenError("token.malformed", reason=f"truncated in {what}", reason_zh=f"在 {what} 处被截断")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def u8(self, what: str) -> int:
        return self.take(1, what)[0]

    def u32(self, what: str) -> int:
        value: int = struct.unpack(">I", self.take(4, what))[0]
        return value

    def string(self, what: str) -> str:
        raw = self.take(self.u8(what), what)
        try:
            # Strict decoding refuses overlong forms and surrogates: one text, one encoding.
            return raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError as exc:
            raise TokenError(
                "token.malformed", reason=f"{what} is not valid UTF-8", reason_zh=f"{what} 不是有效的 UTF-8 文本"
            ) from exc


def _split(token: str) -> bytes:
    """Text layer: prefix, version digit, canonical unpadded upper-case base32."""
    if not isinstance(token, str):
        raise TokenError("token.malformed", reason="a code is text", reason_zh="码应为文本")
    if not token.startswith(PREFIX):
        raise TokenError("token.malformed", reason=f"does not start with {PREFIX!r}", reason_zh=f"未以 {PREFIX!r} 开头")
    version_char = token[len(PREFIX) : len(PREFIX) + 1]
    if version_char not in set("123456789"):
        raise TokenError("token.malformed", reason="no version digit after the prefix", reason_zh="前缀后缺少版本号")
    if int(version_char) != VERSION:
        raise TokenError("token.unsupported_version", version=int(version_char))
    text = token[len(PREFIX) + 1 :]
    if not text or not set(text) <= _BASE32_ALPHABET:
        raise TokenError(
            "token.malformed",
            reason="body is not upper-case base32 (A-Z, 2-7)",
            reason_zh="码体不是大写 base32(A-Z、2-7)",
        )
    return _b32decode_canonical(text)


_KINDS_BY_BYTE = {v: CodeKind(k) for k, v in _KIND_BYTES.items()}


def _parse(body: bytes) -> tuple[CodeClaims, bytes, bytes]:
    """Binary layer: the claims, the payload bytes and the signature."""
    reader = _Reader(body)
    kind_byte = reader.u8("kind")
    if kind_byte not in _KINDS_BY_BYTE:
        raise TokenError("token.malformed", reason=f"unknown kind {kind_byte}", reason_zh=f"未知的码类型 {kind_byte}")
    kind = _KINDS_BY_BYTE[kind_byte]
    flags = reader.u8("flags")
    if flags & ~_FLAG_WINDOW:
        raise TokenError(
            "token.malformed", reason=f"unknown flags 0x{flags:02x}", reason_zh=f"未知的标志位 0x{flags:02x}"
        )
    issued = reader.u32("issued_at")
    expires = reader.u32("expires_at")
    window: tuple[pendulum.DateTime, pendulum.DateTime] | None = None
    if flags & _FLAG_WINDOW:
        window = (_from_seconds(reader.u32("window")), _from_seconds(reader.u32("window")))
    key_id = reader.string("key_id")
    token_id = reader.string("token_id")
    subject = reader.string("subject")
    enterprise = reader.string("enterprise") if kind is CodeKind.INSPECTION else subject
    payload = body[: reader.pos]
    signature = body[reader.pos :]
    if len(signature) < SIGNATURE_SIZE:
        raise TokenError("token.malformed", reason="truncated in signature", reason_zh="签名被截断")
    if len(signature) > SIGNATURE_SIZE:
        raise TokenError("token.malformed", reason="trailing bytes after the signature", reason_zh="签名后有多余字节")
    try:
        claims = CodeClaims(
            VERSION,
            kind,
            key_id,
            token_id,
            _from_seconds(issued),
            _from_seconds(expires),
            subject,
            enterprise,
            window,
        )
    except ValidationError as exc:
        raise TokenError(
            "token.malformed",
            reason=str(exc.details.get("reason", exc)),
            reason_zh=str(exc.details.get("reason_zh", exc.message_zh)),
        ) from exc
    return claims, payload, signature


def decode(token: str) -> CodeClaims:
    """Parse ``token`` without checking its signature.

    Use it to show what a code is for (inspection, enterprise, window, validity) before
    verification; never trust the result for a decision without `verify`.

    Raises:
        TokenError: ``token.malformed`` (with a ``reason``) or ``token.unsupported_version``.

    """
    return _parse(_split(token))[0]


def verify(
    token: str,
    keys: PublicKeySource,
    now: dt.datetime,
    tolerance: pendulum.Duration | None = None,
    *,
    expected_kind: CodeKind | None = None,
    max_lifetime: dt.timedelta | None = DEFAULT_MAX_LIFETIME,
    expected_enterprise: str | None = None,
) -> CodeClaims:
    """Check ``token`` completely and return its claims.

    Steps, in this order (the first failure is raised): structure and version, known key,
    signature, kind (when ``expected_kind`` is given), lifetime (``expires_at - issued_at``
    at most ``max_lifetime``; pass the policy's ``codes.max_lifetime``, ``None`` disables),
    enterprise (when ``expected_enterprise`` is given, e.g. the inspection's enterprise),
    ``issued_at - tolerance <= now``, ``now < expires_at + tolerance``. ``tolerance``
    absorbs clock skew between the issuer and the device that verifies.

    Raises:
        TokenError: ``token.malformed``, ``token.unsupported_version``,
            ``token.unknown_key``, ``token.bad_signature``, ``token.wrong_kind``,
            ``token.lifetime_exceeded``, ``token.enterprise_mismatch``,
            ``token.not_yet_valid`` or ``token.expired``.

    """
    claims, payload, signature = _parse(_split(token))
    public_key = keys.public_key(claims.key_id)
    if public_key is None:
        raise TokenError("token.unknown_key", key_id=claims.key_id)
    try:
        public_key.verify(signature, signing_input(payload))
    except InvalidSignature as exc:
        raise TokenError("token.bad_signature") from exc
    if expected_kind is not None and claims.kind is not CodeKind(expected_kind):
        raise TokenError("token.wrong_kind", expected=CodeKind(expected_kind).value, actual=claims.kind.value)
    if max_lifetime is not None:
        check_lifetime(claims, max_lifetime)
    if expected_enterprise is not None and claims.enterprise != expected_enterprise:
        raise TokenError("token.enterprise_mismatch", actual=claims.enterprise, expected=expected_enterprise)
    instant = utc(now)
    slack = tolerance if tolerance is not None else dt.timedelta()
    if not shifted(claims.issued_at, -slack) <= instant:
        raise TokenError("token.not_yet_valid", issued_at=claims.issued_at.isoformat())
    if not instant < shifted(claims.expires_at, slack):
        raise TokenError("token.expired", expires_at=claims.expires_at.isoformat())
    return claims
