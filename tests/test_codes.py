"""Signed codes: format, test vectors, key store, QR rendering.

The vectors in tests/vectors/tokens.json are re-derived here from their seeds and claims;
run ``.venv/bin/python tests/test_codes.py --write`` to regenerate the file after a
deliberate format change (then update docs/token-spec.md, which quotes them).
"""

from __future__ import annotations

import base64
import json
import struct
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pendulum
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect.codes import (
    CodeClaims,
    CodeKind,
    MemoryKeyStore,
    PublicKeyRing,
    decode,
    encode,
    enterprise_claims,
    inspection_claims,
    key_id_for,
    new_token_id,
    payload_bytes,
    qr_png,
    qr_svg,
    qr_version,
    raw_public_key,
    signing_input,
    verify,
)
from jointinspect.errors import (
    MESSAGES,
    JointInspectError,
    NotFoundError,
    TokenError,
    ValidationError,
    display_fields,
)

VECTORS = Path(__file__).parent / "vectors" / "tokens.json"
SEED_A = bytes(range(32))
SEED_B = bytes([0x42] * 32)
CREDIT = "91350100M000100Y43"
OTHER_CREDIT = "91110000802100433B"


def t(text: str) -> pendulum.DateTime:
    value = pendulum.parse(text)
    assert isinstance(value, pendulum.DateTime)
    return value.in_timezone("UTC")


def iso(value: pendulum.DateTime) -> str:
    return value.in_timezone("UTC").format("YYYY-MM-DD[T]HH:mm:ss[Z]")


def key(seed: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(seed)


# --- the vectors ---------------------------------------------------------------------------


def claims_to_json(c: CodeClaims) -> dict[str, Any]:
    return {
        "version": c.version,
        "kind": c.kind.value,
        "key_id": c.key_id,
        "token_id": c.token_id,
        "issued_at": iso(c.issued_at),
        "expires_at": iso(c.expires_at),
        "subject": c.subject,
        "enterprise": c.enterprise,
        "window": None if c.window is None else [iso(c.window[0]), iso(c.window[1])],
    }


def claims_from_json(d: dict[str, Any]) -> CodeClaims:
    window = d["window"]
    return CodeClaims(
        d["version"],
        d["kind"],
        d["key_id"],
        d["token_id"],
        t(d["issued_at"]),
        t(d["expires_at"]),
        d["subject"],
        d["enterprise"],
        None if window is None else (t(window[0]), t(window[1])),
    )


def _text(body: bytes, version: str = "1") -> str:
    return "JI" + version + base64.b32encode(body).decode().rstrip("=")


def _signed(payload: bytes, seed: bytes) -> str:
    """A token over hand-made payload bytes (to build structurally invalid vectors)."""
    return _text(payload + key(seed).sign(signing_input(payload)))


def _body(token: str) -> bytes:
    text = token[3:]
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _flip(token: str, index: int) -> str:
    body = bytearray(_body(token))
    body[index] ^= 0x01
    return _text(bytes(body))


def build_vectors() -> dict[str, Any]:
    kid_a, kid_b = key_id_for(key(SEED_A)), key_id_for(key(SEED_B))
    valid_claims = {
        "inspection_with_window": inspection_claims(
            key_id=kid_a,
            token_id="K7Q2M4XZ8P3RT6VW",
            issued_at=t("2024-05-06T01:00:00Z"),
            expires_at=t("2024-05-11T10:00:00Z"),
            inspection_id="INS-2024-000123",
            enterprise=CREDIT,
            window=(t("2024-05-10T01:00:00Z"), t("2024-05-10T09:00:00Z")),
        ),
        "inspection_utf8_no_window": inspection_claims(
            key_id=kid_a,
            token_id="7GQ4ZJ2B",
            issued_at=t("2025-01-02T00:00:00Z"),
            expires_at=t("2025-01-03T00:00:00Z"),
            inspection_id="联合检查-0001",
            enterprise=OTHER_CREDIT,
        ),
        "enterprise": enterprise_claims(
            key_id=kid_a,
            token_id="ENT000000000001",
            issued_at=t("2024-01-01T00:00:00Z"),
            expires_at=t("2025-01-01T00:00:00Z"),
            enterprise=CREDIT,
        ),
    }
    valid = []
    tokens = {}
    for name, claims in valid_claims.items():
        token = encode(claims, key(SEED_A))
        tokens[name] = token
        payload = payload_bytes(claims)
        valid.append(
            {
                "name": name,
                "seed_hex": SEED_A.hex(),
                "public_key_hex": raw_public_key(key(SEED_A).public_key()).hex(),
                "claims": claims_to_json(claims),
                "payload_hex": payload.hex(),
                "signature_hex": _body(token)[len(payload) :].hex(),
                "token": token,
                "qr_version_m": qr_version(token),
            }
        )

    insp = tokens["inspection_with_window"]
    ins_claims = valid_claims["inspection_with_window"]
    ins_payload = payload_bytes(ins_claims)
    ent = tokens["enterprise"]
    inside = "2024-05-10T02:00:00Z"
    # Hand-made payloads, each signed correctly so that only the structure is wrong.
    bad_kind = bytes([3]) + ins_payload[1:]
    bad_flags = ins_payload[:1] + bytes([0x03]) + ins_payload[2:]
    reversed_times = ins_payload[:2] + ins_payload[6:10] + ins_payload[2:6] + ins_payload[10:]
    ent_payload = payload_bytes(valid_claims["enterprise"])
    ent_with_window = ent_payload[:1] + bytes([1]) + ent_payload[2:10] + ins_payload[10:18] + ent_payload[10:]
    # The token id "K7Q2M4XZ8P3RT6VW" starts after the key id; break its first byte.
    tid_at = 18 + 1 + len(kid_a) + 1
    bad_utf8 = ins_payload[:tid_at] + b"\xc0" + ins_payload[tid_at + 1 :]
    wrong_key = encode(ins_claims, key(SEED_B))  # claims key A, signed by key B
    unknown_key = encode(
        inspection_claims(
            key_id=kid_b,
            token_id=ins_claims.token_id,
            issued_at=ins_claims.issued_at,
            expires_at=ins_claims.expires_at,
            inspection_id=ins_claims.subject,
            enterprise=ins_claims.enterprise,
            window=ins_claims.window,
        ),
        key(SEED_B),
    )
    last = insp[-1]
    # The last character carries unused low bits when the body is not a multiple of 5 bytes.
    assert len(_body(insp)) % 5 != 0
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    non_canonical = insp[:-1] + alphabet[alphabet.index(last) ^ 1]

    def case(
        name: str,
        token: str,
        error: str | None,
        now: str = inside,
        tolerance: int = 0,
        expected_kind: str | None = None,
    ) -> dict[str, Any]:
        return {
            "name": name,
            "token": token,
            "now": now,
            "tolerance_seconds": tolerance,
            "expected_kind": expected_kind,
            "error": error,
        }

    cases = [
        case("valid_inside_window", insp, None),
        case("valid_enterprise_as_enterprise", ent, None, expected_kind="enterprise"),
        case("valid_late_within_tolerance", insp, None, now="2024-05-11T10:00:59Z", tolerance=60),
        case("valid_early_within_tolerance", insp, None, now="2024-05-06T00:59:00Z", tolerance=60),
        # a bit of the inspection id ("INS-2024-000123" becomes "INS-3024-000123")
        case("tampered_payload_byte", _flip(insp, ins_payload.index(b"INS-") + 4), "token.bad_signature"),
        case("tampered_signature_byte", _flip(insp, len(ins_payload) + 10), "token.bad_signature"),
        case("wrong_key", wrong_key, "token.bad_signature"),
        case("unknown_key", unknown_key, "token.unknown_key"),
        case("truncated", _text(_body(insp)[:-5]), "token.malformed"),
        case("truncated_text", insp[:-8], "token.malformed"),
        case("truncated_in_payload", _text(ins_payload[:20]), "token.malformed"),
        case("trailing_bytes", _text(_body(insp) + b"\x00"), "token.malformed"),
        case("bad_version", "JI2" + insp[3:], "token.unsupported_version"),
        case("bad_prefix", "XX1" + insp[3:], "token.malformed"),
        case("lowercase", insp[:3] + insp[3:].lower(), "token.malformed"),
        case("padded", insp + "=" * (-len(insp[3:]) % 8), "token.malformed"),
        case("non_canonical_base32", non_canonical, "token.malformed"),
        case("unknown_kind", _signed(bad_kind, SEED_A), "token.malformed"),
        case("unknown_flags", _signed(bad_flags, SEED_A), "token.malformed"),
        case("expiry_before_issue", _signed(reversed_times, SEED_A), "token.malformed"),
        case("enterprise_with_window", _signed(ent_with_window, SEED_A), "token.malformed"),
        case("invalid_utf8", _signed(bad_utf8, SEED_A), "token.malformed"),
        case("expired", insp, "token.expired", now="2024-05-11T10:00:00Z"),
        case("expired_beyond_tolerance", insp, "token.expired", now="2024-05-11T10:01:00Z", tolerance=60),
        case("not_yet_valid", insp, "token.not_yet_valid", now="2024-05-06T00:59:59Z"),
        case("wrong_kind", ent, "token.wrong_kind", now="2024-05-10T02:00:00Z", expected_kind="inspection"),
    ]
    return {
        "format": "jointinspect code",
        "version": 1,
        "spec": "docs/token-spec.md",
        "keys": [
            {
                "key_id": kid_a,
                "seed_hex": SEED_A.hex(),
                "public_key_hex": raw_public_key(key(SEED_A).public_key()).hex(),
                "trusted": True,
            },
            {
                "key_id": kid_b,
                "seed_hex": SEED_B.hex(),
                "public_key_hex": raw_public_key(key(SEED_B).public_key()).hex(),
                "trusted": False,
            },
        ],
        "valid": valid,
        "verify": cases,
    }


def load_vectors() -> dict[str, Any]:
    return json.loads(VECTORS.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_vector_file_is_reproduced_exactly() -> None:
    # Ed25519 is deterministic: the same seed and claims give the same token, byte for byte.
    assert load_vectors() == build_vectors()


def trusted_ring(vectors: dict[str, Any]) -> PublicKeyRing:
    keys = vectors["keys"]
    return PublicKeyRing({k["key_id"]: k["public_key_hex"] for k in keys if k["trusted"]})


@pytest.mark.parametrize("vector", load_vectors()["valid"], ids=lambda v: v["name"])
def test_valid_vectors_decode_and_verify(vector: dict[str, Any]) -> None:
    claims = claims_from_json(vector["claims"])
    assert encode(claims, key(bytes.fromhex(vector["seed_hex"]))) == vector["token"]
    assert payload_bytes(claims).hex() == vector["payload_hex"]
    assert decode(vector["token"]) == claims
    ring = trusted_ring(load_vectors())
    assert verify(vector["token"], ring, claims.issued_at) == claims


@pytest.mark.parametrize("case", load_vectors()["verify"], ids=lambda v: v["name"])
def test_verify_cases(case: dict[str, Any]) -> None:
    ring = trusted_ring(load_vectors())
    kind = None if case["expected_kind"] is None else CodeKind(case["expected_kind"])

    def call() -> CodeClaims:
        tolerance = pendulum.duration(seconds=case["tolerance_seconds"])
        return verify(case["token"], ring, t(case["now"]), tolerance, expected_kind=kind)

    if case["error"] is None:
        assert call().token_id
        return
    with pytest.raises(TokenError) as info:
        call()
    assert info.value.code == case["error"]
    assert case["error"] in MESSAGES
    # the details fill the catalogued templates exactly (no fallback rendering)
    en, zh = MESSAGES[info.value.code]
    assert info.value.message_en == en.format(**display_fields(info.value.details, zh=False))
    assert info.value.message_zh == zh.format(**display_fields(info.value.details, zh=True))


def _independent_parse(token: str) -> tuple[dict[str, Any], bytes, bytes]:
    """A second reader written from docs/token-spec.md alone, to check the spec matches."""
    assert token.startswith("JI1")
    text = token[3:]
    body = base64.b32decode(text + "=" * (-len(text) % 8))
    kind, flags = body[0], body[1]
    issued, expires = struct.unpack(">II", body[2:10])
    pos = 10
    window = None
    if flags & 1:
        window = list(struct.unpack(">II", body[10:18]))
        pos = 18
    strings = []
    for _ in range(4 if kind == 1 else 3):
        n = body[pos]
        strings.append(body[pos + 1 : pos + 1 + n].decode("utf-8"))
        pos += 1 + n
    fields = {
        "kind": {1: "inspection", 2: "enterprise"}[kind],
        "issued": issued,
        "expires": expires,
        "window": window,
        "key_id": strings[0],
        "token_id": strings[1],
        "subject": strings[2],
        "enterprise": strings[3] if kind == 1 else strings[2],
    }
    assert len(body) - pos == 64
    return fields, body[:pos], body[pos:]


@pytest.mark.parametrize("vector", load_vectors()["valid"], ids=lambda v: v["name"])
def test_spec_reader_agrees(vector: dict[str, Any]) -> None:
    fields, payload, signature = _independent_parse(vector["token"])
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(vector["public_key_hex"]))
    public.verify(signature, b"jointinspect/code/v1\x00" + payload)
    with pytest.raises(InvalidSignature):
        public.verify(signature, payload)  # the domain string is part of the signed message
    c = vector["claims"]
    assert fields["kind"] == c["kind"]
    assert fields["key_id"] == c["key_id"]
    assert fields["token_id"] == c["token_id"]
    assert fields["subject"] == c["subject"]
    assert fields["enterprise"] == c["enterprise"]
    assert fields["issued"] == t(c["issued_at"]).int_timestamp
    assert fields["expires"] == t(c["expires_at"]).int_timestamp
    if c["window"] is None:
        assert fields["window"] is None
    else:
        assert fields["window"] == [t(w).int_timestamp for w in c["window"]]
    assert payload.hex() == vector["payload_hex"]
    assert signature.hex() == vector["signature_hex"]


def test_spec_document_quotes_the_vectors() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "token-spec.md").read_text(encoding="utf-8")
    vectors = load_vectors()
    for v in vectors["valid"]:
        assert v["token"] in doc
    for k in vectors["keys"]:
        assert k["seed_hex"] in doc and k["public_key_hex"] in doc and k["key_id"] in doc
    first = vectors["valid"][0]
    # the field-by-field breakdown adds up to the payload
    block = doc.split("Payload, field by field:")[1].split("```")[1]
    hex_parts = [line.split("  ")[0].replace(" ", "") for line in block.strip().splitlines()]
    assert "".join(hex_parts) == first["payload_hex"]
    signature = doc.split("\nSignature:\n")[1].split("```")[1]
    assert signature.replace("\n", "").strip() == first["signature_hex"]


# --- properties ----------------------------------------------------------------------------

STORE = MemoryKeyStore.from_seed(SEED_A)
KID, PRIVATE = STORE.signing_key()
_times = st.integers(min_value=0, max_value=2**32 - 10)
# hypothesis text never contains surrogates, so every drawn string is encodable UTF-8.
_text_field = st.text(min_size=1, max_size=40)


@st.composite
def any_claims(draw: st.DrawFn) -> CodeClaims:
    kind = draw(st.sampled_from(CodeKind))
    issued = draw(_times)
    expires = draw(st.integers(min_value=issued + 1, max_value=2**32 - 1))
    subject = draw(_text_field)
    enterprise = subject if kind is CodeKind.ENTERPRISE else draw(_text_field)
    window = None
    if kind is CodeKind.INSPECTION and draw(st.booleans()):
        start = draw(st.integers(min_value=0, max_value=2**32 - 2))
        end = draw(st.integers(min_value=start + 1, max_value=2**32 - 1))
        window = (pendulum.from_timestamp(start), pendulum.from_timestamp(end))
    return CodeClaims(
        1,
        kind,
        KID,
        draw(_text_field),
        pendulum.from_timestamp(issued),
        pendulum.from_timestamp(expires),
        subject,
        enterprise,
        window,
    )


@settings(max_examples=150, deadline=None)
@given(any_claims())
def test_round_trip(claims: CodeClaims) -> None:
    token = encode(claims, PRIVATE)
    assert token.startswith("JI1")
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567JI1")
    assert decode(token) == claims
    # Any lifetime the format can carry round-trips; the lifetime bound is tested separately.
    assert verify(token, STORE, claims.issued_at, max_lifetime=None) == claims


@settings(max_examples=150, deadline=None)
@given(any_claims(), st.data())
def test_any_single_bit_flip_is_refused(claims: CodeClaims, data: st.DataObject) -> None:
    token = encode(claims, PRIVATE)
    body = bytearray(_body(token))
    index = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=7))
    body[index] ^= 1 << bit
    with pytest.raises(TokenError) as info:
        verify(_text(bytes(body)), STORE, claims.issued_at)
    assert info.value.code in {"token.malformed", "token.bad_signature", "token.unknown_key"}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_decode_refuses_garbage_with_catalogued_code(text: str) -> None:
    try:
        decode(text)
    except TokenError as exc:
        assert exc.code in {"token.malformed", "token.unsupported_version"}


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_decode_of_random_base32_never_crashes(body: bytes) -> None:
    try:
        decode(_text(body))
    except TokenError as exc:
        assert exc.code == "token.malformed"


def test_claims_are_truncated_to_seconds_and_validated() -> None:
    c = enterprise_claims(
        key_id="k",
        token_id="x",
        issued_at=t("2024-01-01T00:00:00.900Z"),
        expires_at=t("2024-01-02T00:00:00Z"),
        enterprise=CREDIT,
    )
    assert c.issued_at == t("2024-01-01T00:00:00Z")
    issued, expires = c.issued_at, c.expires_at
    with pytest.raises(ValidationError):
        CodeClaims(1, CodeKind.ENTERPRISE, "k", "x", issued, expires, CREDIT, OTHER_CREDIT)
    with pytest.raises(ValidationError):
        CodeClaims(1, CodeKind.INSPECTION, "k", "x", c.expires_at, c.issued_at, "i", CREDIT)
    with pytest.raises(ValidationError):
        CodeClaims(1, CodeKind.INSPECTION, "k", "", c.issued_at, c.expires_at, "i", CREDIT)
    with pytest.raises(ValidationError):
        CodeClaims(1, CodeKind.INSPECTION, "k", "x" * 256, c.issued_at, c.expires_at, "i", CREDIT)
    with pytest.raises(ValidationError):
        CodeClaims(1, CodeKind.INSPECTION, "k", "x", t("2107-01-01T00:00:00Z"), t("2108-01-01T00:00:00Z"), "i", CREDIT)
    with pytest.raises(ValidationError) as naive:
        naive_issue = pendulum.naive(2024, 1, 1)
        CodeClaims(1, CodeKind.INSPECTION, "k", "x", naive_issue, expires, "i", CREDIT)
    assert naive.value.code == "time.naive"
    with pytest.raises(TokenError) as version:
        v2 = CodeClaims(2, CodeKind.ENTERPRISE, "k", "x", issued, expires, CREDIT, CREDIT)
        encode(v2, PRIVATE)
    assert version.value.code == "token.unsupported_version"


def test_window_may_be_the_inspection_window() -> None:
    from jointinspect.model import Window

    w = Window(t("2024-05-10T01:00:00.250Z"), t("2024-05-10T09:00:00Z"))
    c = inspection_claims(
        key_id="k",
        token_id="x",
        issued_at=t("2024-05-06T01:00:00Z"),
        expires_at=t("2024-05-11T10:00:00Z"),
        inspection_id="INS-1",
        enterprise=CREDIT,
        window=w,
    )
    assert c.window == (t("2024-05-10T01:00:00Z"), t("2024-05-10T09:00:00Z"))
    assert decode(encode(c, PRIVATE)).window == c.window


def test_new_token_ids_are_short_and_distinct() -> None:
    ids = {new_token_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 16 for i in ids)


# --- key store -----------------------------------------------------------------------------


def _ins(kid: str) -> CodeClaims:
    return inspection_claims(
        key_id=kid,
        token_id="T1",
        issued_at=t("2024-05-06T01:00:00Z"),
        expires_at=t("2024-05-11T10:00:00Z"),
        inspection_id="INS-1",
        enterprise=CREDIT,
    )


def test_rotation_keeps_old_codes_valid_and_revocation_ends_them() -> None:
    store = MemoryKeyStore()
    with pytest.raises(JointInspectError) as none:
        store.signing_key()
    assert none.value.code == "keys.no_signing_key"
    first = store.generate()
    kid, private = store.signing_key()
    assert kid == first == key_id_for(private)
    old = encode(_ins(kid), private)
    second = store.rotate()
    assert second != first and store.current_key_id == second
    new_kid, new_private = store.signing_key()
    new = encode(_ins(new_kid), new_private)
    now = t("2024-05-07T00:00:00Z")
    assert verify(old, store, now).key_id == first
    assert verify(new, store, now).key_id == second
    # an offline verifier holding only the exported public keys agrees
    ring = PublicKeyRing(store.public_keys())
    assert set(ring) == {first, second} and all(len(v) == 32 for v in ring.values())
    assert verify(old, ring, now) == verify(old, store, now)
    store.revoke(first)
    with pytest.raises(TokenError) as revoked:
        verify(old, store, now)
    assert revoked.value.code == "token.unknown_key"
    assert verify(new, store, now).key_id == second
    assert set(store.public_keys()) == {second}
    with pytest.raises(NotFoundError):
        store.revoke(first)
    with pytest.raises(ValidationError) as again:
        store.add(private)
    assert again.value.code == "keys.revoked"
    store.revoke(second)
    with pytest.raises(JointInspectError):
        store.signing_key()


def test_from_seed_is_deterministic_and_checked() -> None:
    a, b = MemoryKeyStore.from_seed(SEED_A), MemoryKeyStore.from_seed(SEED_A)
    assert a.public_keys() == b.public_keys()
    assert a.current_key_id == load_vectors()["keys"][0]["key_id"]
    with pytest.raises(ValidationError):
        MemoryKeyStore.from_seed(b"short")
    seed_c = bytes(range(32, 64))  # SEED_B (32 equal bytes) is refused by from_seed
    named = MemoryKeyStore.from_seed(seed_c, key_id="city-2024")
    assert named.current_key_id == "city-2024"
    with pytest.raises(ValidationError) as dup:
        named.add(key(SEED_A), key_id="city-2024")
    assert dup.value.code == "reference.duplicate"
    named.add(key(seed_c), key_id="city-2024")  # same key again: idempotent


def test_add_without_making_current() -> None:
    store = MemoryKeyStore.from_seed(SEED_A)
    before = store.current_key_id
    kid = store.add(key(SEED_B), current=False)
    assert store.current_key_id == before
    assert store.public_key(kid) is not None


def test_public_key_ring_rejects_bad_keys() -> None:
    with pytest.raises(ValidationError):
        PublicKeyRing({"k": "zz"})
    with pytest.raises(ValidationError):
        PublicKeyRing({"k": b"\x00" * 31})


def test_key_store_is_thread_safe_under_concurrent_rotation() -> None:
    store = MemoryKeyStore.from_seed(SEED_A)
    errors: list[BaseException] = []
    issued: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            for _ in range(20):
                store.rotate()
                kid, private = store.signing_key()
                token = encode(_ins(kid), private)
                verify(token, store, t("2024-05-07T00:00:00Z"))
                with lock:
                    issued.append(kid)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert len(store.public_keys()) == 1 + 8 * 20
    assert set(issued) <= set(store.public_keys())


# --- QR ------------------------------------------------------------------------------------


def test_qr_png_and_svg() -> None:
    token = load_vectors()["valid"][0]["token"]
    png = qr_png(token)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    bigger = qr_png(token, scale=8)
    assert len(bigger) > 0 and bigger != png
    svg = qr_svg(token)
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag.endswith("svg")


def test_qr_is_small_and_alphanumeric() -> None:
    from jointinspect.codes import make_qr

    vectors = load_vectors()["valid"]
    for v in vectors:
        qr = make_qr(v["token"])
        assert qr.mode == "alphanumeric"
        assert qr.error in {"M", "Q", "H"}
        assert qr.version == v["qr_version_m"]
    # A typical inspection code (16-character token id, 15-character inspection id, key id
    # from the key store) fits version 9 (53 x 53 modules) at level M.
    assert vectors[0]["qr_version_m"] <= 9
    # a typical standing enterprise code is smaller still
    assert vectors[2]["qr_version_m"] <= 8


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        VECTORS.parent.mkdir(parents=True, exist_ok=True)
        VECTORS.write_text(json.dumps(build_vectors(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {VECTORS}")
