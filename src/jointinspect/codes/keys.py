"""Signing keys for codes: an in-memory key store with rotation, and an offline key ring.

`MemoryKeyStore` implements the `KeyStore` port. A city
that keeps its keys in an HSM or a secrets manager implements the same two methods.
`PublicKeyRing` is what an offline verifier (a phone, a gate terminal, another
city) holds: public keys only, exported with `MemoryKeyStore.public_keys`.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Mapping

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from jointinspect.errors import JointInspectError, NotFoundError, ValidationError

#: Length of an Ed25519 seed (the private key, RFC 8032) and of a public key.
KEY_SIZE = 32


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    """Return the 32 raw bytes of a public key (RFC 8032 encoding)."""
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id_for(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """Return the default key id: the first 8 bytes of SHA-256 of the raw public key, hex.

    Derived rather than chosen, so that every party computes the same id from the key.
    """
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return hashlib.sha256(raw_public_key(public)).digest()[:8].hex()


class MemoryKeyStore:
    """Ed25519 signing keys held in memory; thread-safe.

    One key is current (it signs new codes); older keys keep verifying until revoked, so
    that codes issued before a rotation stay valid until they expire.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._private: dict[str, Ed25519PrivateKey] = {}
        self._revoked: set[str] = set()
        self._current: str | None = None

    @classmethod
    def from_seed(cls, seed: bytes, key_id: str | None = None) -> MemoryKeyStore:
        """Build a store whose one key is the Ed25519 key with this 32-byte seed (tests, demos).

        Raises:
            ValidationError: ``input.invalid`` when ``seed`` is not 32 bytes.

        """
        if len(seed) != KEY_SIZE:
            raise ValidationError("input.invalid", reason=f"a key seed is {KEY_SIZE} bytes, got {len(seed)}")
        store = cls()
        store.add(Ed25519PrivateKey.from_private_bytes(seed), key_id=key_id)
        return store

    def add(self, private_key: Ed25519PrivateKey, *, key_id: str | None = None, current: bool = True) -> str:
        """Add a key (loaded from configuration, say) and return its id.

        With ``current`` (the default) it becomes the signing key. Adding the same key
        under the same id again changes nothing else.

        Raises:
            ValidationError: ``reference.duplicate`` when the id names a different key,
                ``keys.revoked`` when the id was revoked.

        """
        kid = key_id or key_id_for(private_key)
        if not kid or not kid.isprintable():
            raise ValidationError("input.invalid", reason="a key id is non-empty printable text")
        with self._lock:
            if kid in self._revoked:
                raise ValidationError("keys.revoked", key_id=kid)
            known = self._private.get(kid)
            if known is not None and raw_public_key(known.public_key()) != raw_public_key(private_key.public_key()):
                raise ValidationError("reference.duplicate", kind="key", key=kid)
            self._private[kid] = private_key
            if current:
                self._current = kid
        return kid

    def generate(self, key_id: str | None = None) -> str:
        """Create a fresh random key, make it current and return its id."""
        return self.add(Ed25519PrivateKey.generate(), key_id=key_id)

    def rotate(self) -> str:
        """Start signing with a new key; the old public keys still verify. Returns its id."""
        return self.generate()

    def revoke(self, key_id: str) -> None:
        """Stop trusting ``key_id``: codes it signed no longer verify.

        Revoking the current key leaves the store without a signing key until the next
        `rotate`.

        Raises:
            NotFoundError: when ``key_id`` is not a live key of this store.

        """
        with self._lock:
            if key_id not in self._private:
                raise NotFoundError("not_found", kind="key", key=key_id)
            del self._private[key_id]
            self._revoked.add(key_id)
            if self._current == key_id:
                self._current = None

    @property
    def current_key_id(self) -> str | None:
        """The id of the key that signs new codes, if any."""
        with self._lock:
            return self._current

    def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        """Return the current key id and private key.

        Raises:
            JointInspectError: ``keys.no_signing_key`` when none is current.

        """
        with self._lock:
            if self._current is None:
                raise JointInspectError("keys.no_signing_key")
            return self._current, self._private[self._current]

    def public_key(self, key_id: str) -> Ed25519PublicKey | None:
        """Return the public key for ``key_id``, or ``None`` if unknown or revoked."""
        with self._lock:
            private = self._private.get(key_id)
        return None if private is None else private.public_key()

    def public_keys(self) -> dict[str, bytes]:
        """Every live key id with its raw 32-byte public key, for offline verifiers."""
        with self._lock:
            items = list(self._private.items())
        return {kid: raw_public_key(key.public_key()) for kid, key in items}


class PublicKeyRing(Mapping[str, bytes]):
    """Verify-only keys: key id -> raw 32-byte Ed25519 public key.

    What a gate terminal or another city loads (from `MemoryKeyStore.public_keys`,
    or hex strings in a configuration file) to verify codes offline with
    `jointinspect.codes.verify`.
    """

    def __init__(self, keys: Mapping[str, bytes | str]) -> None:
        self._keys: dict[str, Ed25519PublicKey] = {}
        self._raw: dict[str, bytes] = {}
        for kid, value in keys.items():
            try:
                raw = bytes.fromhex(value) if isinstance(value, str) else bytes(value)
            except ValueError as exc:
                raise ValidationError("input.invalid", reason=f"key {kid!r} is not hex") from exc
            if len(raw) != KEY_SIZE:
                raise ValidationError("input.invalid", reason=f"key {kid!r} is not {KEY_SIZE} bytes")
            self._keys[kid] = Ed25519PublicKey.from_public_bytes(raw)
            self._raw[kid] = raw

    def public_key(self, key_id: str) -> Ed25519PublicKey | None:
        """Return the public key for ``key_id``, or ``None``."""
        return self._keys.get(key_id)

    def __getitem__(self, key_id: str) -> bytes:
        return self._raw[key_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)
