"""Key hardening: refused seeds, keys from files and the environment, retirement, code lifetime."""

from __future__ import annotations

import ast
import base64
import hashlib
import re
from pathlib import Path

import pendulum
import pytest

from jointinspect.codes import encode, inspection_claims, verify
from jointinspect.codes.keys import PUBLISHED_SEED_DIGESTS, MemoryKeyStore, check_seed
from jointinspect.codes.token import check_lifetime, enterprise_claims
from jointinspect.errors import JointInspectError, NotFoundError, PolicyError, TokenError, ValidationError
from jointinspect.policy.schema import MAX_CODE_LIFETIME_DAYS, Policy, load_policy

ROOT = Path(__file__).resolve().parents[1]
GOOD = bytes(range(100, 132))
T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


@pytest.mark.parametrize(
    ("seed", "code"),
    [
        (None, "keys.seed_weak"),
        ("a" * 32, "keys.seed_weak"),
        (b"", "keys.seed_weak"),
        (b"x" * 31, "keys.seed_weak"),
        (GOOD + b"!", "keys.seed_weak"),
        (b"\x00" * 32, "keys.seed_weak"),
        (b"\xff" * 32, "keys.seed_weak"),
        (b"32 bytes of secret seed material", "keys.seed_published"),
        (b"jointinspect-demo-key-32-bytes!!", "keys.seed_published"),
    ],
)
def test_weak_and_published_seeds_are_refused(seed: object, code: str) -> None:
    with pytest.raises(ValidationError) as err:
        MemoryKeyStore.from_seed(seed)  # type: ignore[arg-type]
    assert err.value.code == code


def _documented_seeds() -> list[tuple[str, bytes]]:
    """Every bytes literal of 32 or more bytes in the README, docs and examples."""
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "examples").glob("*.py"))]
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"""\bb(["'])(?:\\.|(?!\1).)*\1""", text):
            try:
                value = ast.literal_eval(match.group(0))
            except (ValueError, SyntaxError):
                continue
            if isinstance(value, bytes) and len(value) >= 32:
                found.append((str(path.relative_to(ROOT)), value))
    return found


def test_every_seed_printed_in_the_docs_is_refused() -> None:
    seeds = _documented_seeds()
    for where, seed in seeds:
        assert hashlib.sha256(seed[:32]).hexdigest() in PUBLISHED_SEED_DIGESTS or len(set(seed)) == 1, where
        with pytest.raises(ValidationError):
            check_seed(seed)
    # The deny list covers the seeds this project ever printed, even after the docs moved on.
    assert len(PUBLISHED_SEED_DIGESTS) >= 2


def test_from_text_file_and_env(tmp_path: Path) -> None:
    one, two = bytes(range(1, 33)), bytes(range(2, 34))
    text = f"# keys\nold {one.hex()} retired\n new {base64.b64encode(two).decode()}\n"
    store = MemoryKeyStore.from_text(text)
    assert store.current_key_id == "new"
    assert store.retired_key_ids == {"old"}
    assert store.public_key("old") is not None  # retired keys verify
    path = tmp_path / "keys.txt"
    path.write_text(text, encoding="utf-8")
    assert MemoryKeyStore.from_file(path).public_keys() == store.public_keys()
    raw = tmp_path / "seed.bin"
    raw.write_bytes(two)
    assert list(MemoryKeyStore.from_file(raw).public_keys().values()) == list(
        MemoryKeyStore.from_seed(two).public_keys().values()
    )
    env = {"JOINTINSPECT_SIGNING_SEED": f"old {one.hex()} retired; new {two.hex()}"}
    assert MemoryKeyStore.from_env(environ=env).public_keys() == store.public_keys()
    for bad in ({}, {"JOINTINSPECT_SIGNING_SEED": "zz"}, {"JOINTINSPECT_SIGNING_SEED": "a b c d"}):
        with pytest.raises(ValidationError) as err:
            MemoryKeyStore.from_env(environ=bad)
        assert err.value.code == "keys.source_invalid"
    with pytest.raises(ValidationError) as weak:
        MemoryKeyStore.from_env(environ={"JOINTINSPECT_SIGNING_SEED": "00" * 32})
    assert weak.value.code == "keys.seed_weak"
    with pytest.raises(ValidationError):
        MemoryKeyStore.from_file(tmp_path / "missing")


def test_retired_keys_verify_but_never_sign() -> None:
    store = MemoryKeyStore.from_seed(GOOD, key_id="k1")
    kid, private = store.signing_key()
    claims = inspection_claims(
        key_id=kid, token_id="T1", issued_at=T0, expires_at=T0.add(days=2), inspection_id="i1", enterprise="E1"
    )
    token = encode(claims, private)
    store.retire("k1")
    assert store.current_key_id is None
    with pytest.raises(JointInspectError, match=r"keys\.no_signing_key"):
        store.signing_key()
    assert verify(token, store, T0.add(hours=1)) == claims
    with pytest.raises(ValidationError) as err:
        store.add(private, key_id="k1")
    assert err.value.code == "keys.retired"
    new = store.rotate()
    assert store.signing_key()[0] == new != "k1"
    with pytest.raises(NotFoundError):
        store.retire("nope")
    fresh = MemoryKeyStore.generated()
    assert fresh.current_key_id is not None and fresh.public_keys() != store.public_keys()


def _token(days: float, store: MemoryKeyStore, enterprise: str = "E1") -> str:
    kid, private = store.signing_key()
    claims = inspection_claims(
        key_id=kid,
        token_id="T1",
        issued_at=T0,
        expires_at=T0.add(seconds=int(days * 86400)),
        inspection_id="i1",
        enterprise=enterprise,
    )
    return encode(claims, private)


def test_a_signed_code_living_too_long_is_refused() -> None:
    store = MemoryKeyStore.from_seed(GOOD)
    policy = Policy()
    ok = _token(policy.codes.max_lifetime_days, store)
    assert verify(ok, store, T0.add(days=1), max_lifetime=policy.codes.max_lifetime).subject == "i1"
    too_long = _token(policy.codes.max_lifetime_days + 1, store)
    with pytest.raises(TokenError) as err:
        verify(too_long, store, T0.add(days=1), max_lifetime=policy.codes.max_lifetime)
    assert err.value.code == "token.lifetime_exceeded"
    # "expires in 2106": refused even with no bound passed, by the hard upper bound.
    kid, private = store.signing_key()
    forever = enterprise_claims(
        key_id=kid, token_id="T2", issued_at=T0, expires_at=pendulum.datetime(2106, 1, 1, tz="UTC"), enterprise="E1"
    )
    with pytest.raises(TokenError) as err2:
        verify(encode(forever, private), store, T0.add(days=1))
    assert err2.value.code == "token.lifetime_exceeded"
    with pytest.raises(TokenError):
        check_lifetime(forever, policy.codes.max_lifetime)  # at issue


def test_lifetime_policy_is_bounded() -> None:
    assert load_policy({"codes": {"max_lifetime_days": 30}, "checkin": {"enterprise_code_days": 30}})
    for bad in (0, MAX_CODE_LIFETIME_DAYS + 1):
        with pytest.raises(PolicyError):
            load_policy({"codes": {"max_lifetime_days": bad}})
    with pytest.raises(PolicyError):  # the standing enterprise code must fit the bound
        load_policy({"codes": {"max_lifetime_days": 30}})


def test_an_inspection_code_for_another_enterprise_is_refused() -> None:
    store = MemoryKeyStore.from_seed(GOOD)
    token = _token(1, store, enterprise="E-OTHER")
    with pytest.raises(TokenError) as err:
        verify(token, store, T0.add(hours=1), expected_enterprise="E1")
    assert err.value.code == "token.enterprise_mismatch"
    assert verify(token, store, T0.add(hours=1), expected_enterprise="E-OTHER").enterprise == "E-OTHER"


def test_a_generated_key_is_random() -> None:
    assert MemoryKeyStore.generated().public_keys() != MemoryKeyStore.generated().public_keys()
