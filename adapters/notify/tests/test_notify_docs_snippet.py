"""The Node.js verification snippet in docs/notifications.md verifies what the notifier signs."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from jointinspect_notify.webhook import encode_body, signature_header
from notify_servers import SECRET, T0

from jointinspect.model.notification import Notification, Role

DOC = Path(__file__).parents[3] / "docs" / "notifications.md"
DRIVER = """
const [body, signature, key, secret, now] = process.argv.slice(1)  // node -e: argv[0] is node itself;
const headers = {"x-jointinspect-signature": signature, "idempotency-key": key};
const seen = new Set();
const raw = Buffer.from(body, "base64");
const first = verify(raw, headers, secret, seen, 300, Number(now));
const again = verify(raw, headers, secret, seen, 300, Number(now));
let stale = "accepted";
try { verify(raw, headers, secret, new Set(), 300, Number(now) + 301); } catch (e) { stale = e.message; }
let forged = "accepted";
try { verify(Buffer.concat([raw, Buffer.from(" ")]), headers, secret, new Set(), 300, Number(now)); }
catch (e) { forged = e.message; }
console.log(JSON.stringify({key: first.key, again, forged, stale}));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_snippet_verifies_a_signed_body() -> None:
    snippet = re.search(r"```javascript\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert snippet is not None
    note = Notification("k-1", "plan.approved", Role.DEPARTMENT, "SCJG", "P1", T0)
    body = encode_body(note)  # Chinese text inside: the snippet must hash the raw bytes
    stamp = int(T0.timestamp())
    args = [
        base64.b64encode(body).decode(),
        signature_header(SECRET.encode(), stamp, body),
        note.key,
        SECRET,
        str(stamp),
    ]
    out = subprocess.run(
        ["node", "-e", snippet.group(1) + DRIVER, "--", *args], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == {
        "key": "k-1",
        "again": None,
        "forged": "bad signature",
        "stale": "stale timestamp",
    }
