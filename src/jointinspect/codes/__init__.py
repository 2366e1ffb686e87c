"""Signed codes: the inspection code (检查码) and the enterprise code (企业码).

The token format is specified in ``docs/token-spec.md`` (version 1) with test vectors in
``tests/vectors/tokens.json``; any system holding the public keys can verify a code offline.
"""

from jointinspect.codes.keys import (
    MemoryKeyStore,
    PublicKeyRing,
    key_id_for,
    raw_public_key,
)
from jointinspect.codes.qr import make_qr, qr_png, qr_svg, qr_version
from jointinspect.codes.token import (
    PREFIX,
    SIGNING_DOMAIN,
    VERSION,
    CodeClaims,
    CodeKind,
    PublicKeySource,
    decode,
    encode,
    enterprise_claims,
    inspection_claims,
    new_token_id,
    payload_bytes,
    signing_input,
    verify,
)

__all__ = [
    "PREFIX",
    "SIGNING_DOMAIN",
    "VERSION",
    "CodeClaims",
    "CodeKind",
    "MemoryKeyStore",
    "PublicKeyRing",
    "PublicKeySource",
    "decode",
    "encode",
    "enterprise_claims",
    "inspection_claims",
    "key_id_for",
    "make_qr",
    "new_token_id",
    "payload_bytes",
    "qr_png",
    "qr_svg",
    "qr_version",
    "raw_public_key",
    "signing_input",
    "verify",
]
