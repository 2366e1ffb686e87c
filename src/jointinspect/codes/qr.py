"""QR rendering of codes (SVG for web pages and print, PNG for phones), with segno.

A version-1 token uses only the QR alphanumeric character set (``A-Z``, ``0-9``), so the
symbol is encoded in alphanumeric mode: 5.5 bits per character instead of 8 in byte mode,
which keeps the symbol small enough to scan from a phone held at arm's length.
"""

from __future__ import annotations

import io
from typing import Any

import segno

#: Characters QR alphanumeric mode can carry (ISO/IEC 18004, table 5).
_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def make_qr(token: str) -> Any:
    """Build the segno QR code for ``token``: error level at least M, never Micro QR.

    segno raises the error level above M when that costs no extra size (``boost_error``):
    more damage tolerance for a code printed at a dusty gate, for free.
    """
    mode = "alphanumeric" if token and set(token) <= _ALPHANUMERIC else None
    return segno.make(token, error="m", mode=mode, micro=False, boost_error=True)


def qr_version(token: str) -> int:
    """Return the QR version (1-40; the symbol is ``17 + 4 * version`` modules wide)."""
    return int(make_qr(token).version)


def qr_svg(token: str, scale: int = 4, border: int = 4) -> str:
    """Render the QR code of ``token`` as a standalone SVG document (text)."""
    out = io.BytesIO()
    make_qr(token).save(out, kind="svg", scale=scale, border=border, xmldecl=True)
    return out.getvalue().decode("utf-8")


def qr_png(token: str, scale: int = 4, border: int = 4) -> bytes:
    """Render the QR code of ``token`` as PNG bytes; ``scale`` pixels per module."""
    out = io.BytesIO()
    make_qr(token).save(out, kind="png", scale=scale, border=border)
    return out.getvalue()
