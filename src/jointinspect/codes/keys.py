"""Signing keys for codes: an in-memory key store with rotation, and an offline key ring.

`MemoryKeyStore` implements the `KeyStore` port. A city
that keeps its keys in an HSM or a secrets manager implements the same two methods.
`PublicKeyRing` is what an offline verifier (a phone, a gate terminal, another
city) holds: public keys only, exported with `MemoryKeyStore.public_keys`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from jointinspect.errors import JointInspectError, NotFoundError, ValidationError

#: Length of an Ed25519 seed (the private key, RFC 8032) and of a public key.
KEY_SIZE = 32
#: The environment variable `MemoryKeyStore.from_env` reads by default.
SEED_ENV = "JOINTINSPECT_SIGNING_SEED"

#: SHA-256 digests of seeds printed in the README, docs and examples (a test scans them):
#: anyone can read those, so a store built from one signs codes anyone can forge.
PUBLISHED_SEED_DIGESTS = frozenset(
    {
        "cec0c7491f18b231bac94c785cdf71ee8036f4f350ee8d2f99752de961e99ab5",  # README (before 0.2)
        "933c372e1bbb754291e561a981c6c8f4b2199b094ef57098b7260deb54d91ff8",  # examples/quickstart.py
    }
)


def check_seed(seed: object) -> bytes:
    """Return ``seed`` as bytes if it may become a signing key.

    Raises:
        ValidationError: ``keys.seed_weak`` for anything but 32 bytes, or 32 equal bytes;
            ``keys.seed_published`` for a seed printed in the docs or examples.
    """
    if not isinstance(seed, bytes | bytearray):
        raise ValidationError(
            "keys.seed_weak",
            reason=f"a seed is {KEY_SIZE} bytes, not {type(seed).__name__}",
            reason_zh=f"种子须为 {KEY_SIZE} 字节,实为 {type(seed).__name__}",
        )
    raw = bytes(seed)
    if len(raw) != KEY_SIZE:
        raise ValidationError(
            "keys.seed_weak",
            reason=f"a seed is {KEY_SIZE} bytes, got {len(raw)}",
            reason_zh=f"种子须为 {KEY_SIZE} 字节,实为 {len(raw)} 字节",
        )
    if len(set(raw)) == 1:
        raise ValidationError(
            "keys.seed_weak", reason="every byte of the seed is the same", reason_zh="种子的每个字节都相同"
        )
    if hashlib.sha256(raw).hexdigest() in PUBLISHED_SEED_DIGESTS:
        raise ValidationError("keys.seed_published")
    return raw


def parse_seed(text: str, source: str = "text") -> bytes:
    """Decode a seed written as 64 hex digits or as base64 (44 characters with padding).

    Raises:
        ValidationError: ``keys.source_invalid`` when it is neither; then as `check_seed`.
    """
    value = text.strip()
    try:
        if len(value) == 2 * KEY_SIZE:
            raw = bytes.fromhex(value)
        else:
            raw = base64.b64decode(value.replace("-", "+").replace("_", "/"), validate=True)
    except (ValueError, binascii.Error) as exc:
        raise ValidationError(
            "keys.source_invalid", source=source, reason="not hex or base64", reason_zh="既不是十六进制也不是 base64"
        ) from exc
    return check_seed(raw)


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

    One key is current (it signs new codes); older keys keep verifying until retired keys
    are revoked, so that codes issued before a rotation stay valid until they expire. A
    *retired* key verifies but never signs again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._private: dict[str, Ed25519PrivateKey] = {}
        self._revoked: set[str] = set()
        self._retired: set[str] = set()
        self._current: str | None = None

    @classmethod
    def from_seed(cls, seed: bytes, key_id: str | None = None) -> MemoryKeyStore:
        """Build a store whose one key is the Ed25519 key with this 32-byte seed.

        Raises:
            ValidationError: ``keys.seed_weak`` (not 32 bytes, not bytes at all, or all
                bytes equal) or ``keys.seed_published`` (printed in the docs).

        """
        store = cls()
        store.add(Ed25519PrivateKey.from_private_bytes(check_seed(seed)), key_id=key_id)
        return store

    @classmethod
    def from_text(cls, text: str, source: str = "text") -> MemoryKeyStore:
        """Build a store from key lines (the format of `from_file` and `from_env`).

        Each non-empty line not starting with ``#`` is ``SEED``, ``KEY_ID SEED`` or
        ``KEY_ID SEED retired``, the seed in hex or base64; ``;`` also separates lines.
        The last line not marked ``retired`` is the current key; retired keys verify only.

        Raises:
            ValidationError: ``keys.source_invalid`` for a malformed line or no key at all;
                ``keys.seed_weak`` / ``keys.seed_published`` for a refused seed.
        """
        store = cls()
        lines = [ln.strip() for ln in text.replace(";", "\n").splitlines()]
        entries = [ln.split() for ln in lines if ln and not ln.startswith("#")]
        if not entries:
            raise ValidationError("keys.source_invalid", source=source, reason="no key", reason_zh="没有密钥")
        for n, parts in enumerate(entries, start=1):
            retired = len(parts) == 3 and parts[2] == "retired"
            if not (len(parts) in (1, 2) or retired):
                raise ValidationError(
                    "keys.source_invalid",
                    source=source,
                    reason=f"key line {n} is malformed",
                    reason_zh=f"第 {n} 行密钥格式错误",
                )
            seed = parse_seed(parts[-2] if retired else parts[-1], source)
            kid = parts[0] if len(parts) > 1 else None
            added = store.add(Ed25519PrivateKey.from_private_bytes(seed), key_id=kid, current=not retired)
            if retired:
                store.retire(added)
        return store

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> MemoryKeyStore:
        """Load keys from a file: key lines as in `from_text`, or exactly 32 raw bytes.

        Keep the file readable by the service account only (``chmod 600``).

        Raises:
            ValidationError: ``keys.source_invalid`` when the file cannot be read or parsed.
        """
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ValidationError(
                "keys.source_invalid", source=str(path), reason=exc.strerror or "unreadable", reason_zh="无法读取"
            ) from exc
        if len(data) == KEY_SIZE:  # text forms are longer (64 hex, 44 base64 characters)
            return cls.from_seed(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                "keys.source_invalid", source=str(path), reason="not text", reason_zh="不是文本"
            ) from exc
        return cls.from_text(text, source=str(path))

    @classmethod
    def from_env(cls, name: str = SEED_ENV, environ: Mapping[str, str] | None = None) -> MemoryKeyStore:
        """Load keys from the environment variable ``name`` (key lines as in `from_text`).

        Raises:
            ValidationError: ``keys.source_invalid`` when the variable is unset or malformed.
        """
        value = (os.environ if environ is None else environ).get(name)
        if not value:
            raise ValidationError(
                "keys.source_invalid", source=f"${name}", reason="the variable is not set", reason_zh="该环境变量未设置"
            )
        return cls.from_text(value, source=f"${name}")

    @classmethod
    def generated(cls) -> MemoryKeyStore:
        """A store with one fresh random key (demos; codes die with the process)."""
        store = cls()
        store.generate()
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
            raise ValidationError(
                "input.invalid", reason="a key id is non-empty printable text", reason_zh="密钥编号须为非空的可打印文字"
            )
        with self._lock:
            if kid in self._revoked:
                raise ValidationError("keys.revoked", key_id=kid)
            if current and kid in self._retired:
                raise ValidationError("keys.retired", key_id=kid)
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

    def retire(self, key_id: str) -> None:
        """Stop signing with ``key_id`` for good; codes it signed still verify until they
        expire (then `revoke` it). Retiring the current key leaves no signing key until
        the next `rotate`.

        Raises:
            NotFoundError: when ``key_id`` is not a live key of this store.
        """
        with self._lock:
            if key_id not in self._private:
                raise NotFoundError("not_found", kind="key", key=key_id)
            self._retired.add(key_id)
            if self._current == key_id:
                self._current = None

    @property
    def retired_key_ids(self) -> frozenset[str]:
        """Ids of keys that verify but never sign."""
        with self._lock:
            return frozenset(self._retired)

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
                raise ValidationError(
                    "input.invalid", reason=f"key {kid!r} is not hex", reason_zh=f"密钥 {kid!r} 不是十六进制文字"
                ) from exc
            if len(raw) != KEY_SIZE:
                raise ValidationError(
                    "input.invalid",
                    reason=f"key {kid!r} is not {KEY_SIZE} bytes",
                    reason_zh=f"密钥 {kid!r} 不是 {KEY_SIZE} 字节",
                )
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
