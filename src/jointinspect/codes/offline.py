"""Offline check-in records (Shenzhen, issue 12): made and signed on the inspector's device.

During an emergency or an outage the inspector inspects first. The device records the
check-in — inspection, inspector, time, position, the enterprise code scanned at the gate
(a signed token that can be verified later), and optionally the time of leaving — and signs
it with the device's Ed25519 key, registered beforehand with
`jointinspect.Engine.register_device_key`. Any change to the record after signing breaks
the signature, so its original time and position can be trusted when it is filled in.

The signed bytes are ``jointinspect-offline-v1`` and a newline, then the record as compact
JSON with sorted keys (UTF-8; instants as ISO 8601 UTC with microseconds; coordinates as
JSON numbers). A device written in another language reproduces them with its JSON library.
"""

from __future__ import annotations

import binascii
import hashlib
import json
from typing import Any

import attrs
import pendulum
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jointinspect import validation as v
from jointinspect.errors import ValidationError
from jointinspect.model.reference import GeoPoint
from jointinspect.timeutil import utc, utc_or_none

__all__ = ["OfflineRecord", "SignedOfflineRecord", "public_key_hex", "sign_offline", "verify_offline"]

DOMAIN = b"jointinspect-offline-v1\n"


def _inspection(value: object) -> str:
    return v.identifier(value, "inspection_id")


def _inspector(value: object) -> str:
    return v.identifier(value, "inspector")


def _position(value: object) -> GeoPoint:
    return v.instance_of(value, "position", GeoPoint)


def _optional_code(value: object) -> str | None:
    return None if value is None else v.text(value, "enterprise_code", required=True)


def _at(value: object) -> pendulum.DateTime:
    return utc(v.instant(value, "at"))


def _left_at(value: object) -> pendulum.DateTime | None:
    return utc_or_none(v.optional_instant(value, "left_at"))


@attrs.frozen
class OfflineRecord:
    """What the device records offline (and signs)."""

    inspection_id: str = attrs.field(converter=_inspection)
    inspector: str = attrs.field(converter=_inspector)
    at: pendulum.DateTime = attrs.field(converter=_at)
    position: GeoPoint = attrs.field(converter=_position)
    #: the enterprise code (企业码) scanned at the gate, as read; ``None`` when not scanned.
    enterprise_code: str | None = attrs.field(default=None, converter=_optional_code)
    #: when the inspector left, if the device recorded it.
    left_at: pendulum.DateTime | None = attrs.field(default=None, converter=_left_at)

    def __attrs_post_init__(self) -> None:
        if self.left_at is not None and self.left_at < self.at:
            raise ValidationError("input.invalid", reason="left_at is before at", reason_zh="离开时间早于到场时间")

    def payload(self) -> bytes:
        """The exact bytes the device signs."""
        body: dict[str, Any] = {
            "inspection_id": self.inspection_id,
            "inspector": self.inspector,
            "at": self.at.isoformat(),
            "lat": self.position.lat,
            "lon": self.position.lon,
            "crs": self.position.crs.value,
            "enterprise_code": self.enterprise_code,
            "left_at": None if self.left_at is None else self.left_at.isoformat(),
        }
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return DOMAIN + text.encode("utf-8")


def _signature(value: object) -> str:
    text = v.text(value, "signature", required=True)
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = b""
    if len(raw) != 64:
        raise ValidationError(
            "input.invalid",
            reason="signature must be 128 hex digits (Ed25519)",
            reason_zh="签名须为 128 位十六进制数字(Ed25519)",
        )
    return text.lower()


def _record(value: object) -> OfflineRecord:
    return v.instance_of(value, "record", OfflineRecord)


@attrs.frozen
class SignedOfflineRecord:
    """An offline record with the device's Ed25519 signature (hex)."""

    record: OfflineRecord = attrs.field(converter=_record)
    signature: str = attrs.field(converter=_signature)

    @property
    def digest(self) -> str:
        """SHA-256 of the signed bytes and the signature: the record's id once filled in."""
        return hashlib.sha256(self.record.payload() + bytes.fromhex(self.signature)).hexdigest()


def sign_offline(record: OfflineRecord, private_key: Ed25519PrivateKey) -> SignedOfflineRecord:
    """Sign ``record`` with the device key (what the device does)."""
    return SignedOfflineRecord(record, private_key.sign(record.payload()).hex())


def public_key_hex(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The 32-byte raw public key as hex (what `register_device_key` takes)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes_raw().hex()


def load_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from 64 hex digits.

    Raises:
        ValidationError: ``input.invalid`` for anything else.
    """
    try:
        raw = bytes.fromhex(text)
        if len(raw) != 32:
            raise ValueError(len(raw))
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ValidationError(
            "input.invalid",
            reason="a device key is 64 hex digits (an Ed25519 public key)",
            reason_zh="设备密钥须为 64 位十六进制数字(Ed25519 公钥)",
        ) from exc


def verify_offline(signed: SignedOfflineRecord, public_key: Ed25519PublicKey) -> bool:
    """Whether the signature is the device key's over the record as it is now."""
    try:
        public_key.verify(bytes.fromhex(signed.signature), signed.record.payload())
    except InvalidSignature:
        return False
    return True
