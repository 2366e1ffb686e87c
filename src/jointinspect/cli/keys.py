"""``keys rotate`` and ``keys retire``: change the signing keys of ``$JOINTINSPECT_SIGNING_SEED``.

The keys are key lines (`jointinspect.codes.keys.MemoryKeyStore.from_text`): ``KEY_ID SEED``,
``KEY_ID SEED retired``; the last line not marked retired is the current key. With
``--file PATH`` the command rewrites that file (owner-only permissions) and prints no seed;
without it, it reads ``$JOINTINSPECT_SIGNING_SEED`` and prints its new value (a secret: set it
where the service reads it, and clear the terminal).

* ``rotate``: add a fresh random key as the current one; older keys still verify, so codes
  signed before the rotation stay valid until they expire.
* ``retire KEY_ID``: the key never signs again but still verifies the codes it signed;
  ``--remove`` drops it instead (its codes stop verifying: do it once they have expired).
  The current key cannot be retired: rotate first.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jointinspect.cli._run import _Run
from jointinspect.codes.keys import SEED_ENV, MemoryKeyStore, check_seed, key_id_for, parse_seed
from jointinspect.errors import NotFoundError, ValidationError

#: One key line: (key id, seed text, retired).
_Line = tuple[str, str, bool]


def _load(run: _Run) -> tuple[list[_Line], str]:
    """The key lines of ``--file`` or of the environment, each with its id; and the source."""
    if run.args.file:
        path = Path(run.args.file)
        source = str(path)
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    else:
        source = f"${SEED_ENV}"
        text = os.environ.get(SEED_ENV, "")
    lines: list[_Line] = []
    if text.strip():
        MemoryKeyStore.from_text(text, source=source)  # refuses malformed lines and weak seeds
        for raw in text.replace(";", "\n").splitlines():
            parts = raw.split()
            if not parts or parts[0].startswith("#"):
                continue
            retired = len(parts) == 3
            seed = parts[1] if len(parts) > 1 else parts[0]
            key_id = parts[0] if len(parts) > 1 else key_id_for(Ed25519PrivateKey.from_private_bytes(parse_seed(seed)))
            lines.append((key_id, seed, retired))
    elif not run.args.file and run.args.what != "rotate":
        raise ValidationError(
            "keys.source_invalid", source=source, reason="the variable is not set", reason_zh="该环境变量未设置"
        )
    return lines, source


def _current(lines: list[_Line]) -> str | None:
    live = [key_id for key_id, _, retired in lines if not retired]
    return live[-1] if live else None


def _save(run: _Run, lines: list[_Line], source: str, text: str, data: dict[str, Any]) -> int:
    """Write the lines to ``--file`` (owner-only) or print the variable's new value."""
    body = "\n".join(f"{k} {s} retired" if r else f"{k} {s}" for k, s, r in lines)
    data["keys"] = [{"key_id": k, "state": "retired" if r else "verifying"} for k, _, r in lines]
    data["current"] = _current(lines)
    if run.args.file:
        path = Path(run.args.file)
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        path.write_text(body + "\n", encoding="utf-8")
        data["file"] = source
        run.emit(data, f"{text}; keys in {source}")
    else:
        value = body.replace("\n", ";")
        data["env"], data["value"] = SEED_ENV, value
        run.emit(data, f"{text}\n{SEED_ENV}='{value}'")
    return 0


def _rotate(run: _Run) -> int:
    lines, source = _load(run)
    seed = check_seed(secrets.token_bytes(32))
    key_id = key_id_for(Ed25519PrivateKey.from_private_bytes(seed))
    lines.append((key_id, seed.hex(), False))
    return _save(run, lines, source, f"new signing key {key_id}", {"rotated": key_id})


def _retire(run: _Run) -> int:
    lines, source = _load(run)
    key_id = run.args.key_id
    if key_id not in [k for k, _, _ in lines]:
        raise NotFoundError("not_found", kind="key", key=key_id)
    if key_id == _current(lines):
        raise ValidationError("keys.retire_current", key_id=key_id)
    if run.args.remove:
        lines = [line for line in lines if line[0] != key_id]
        return _save(run, lines, source, f"key {key_id} removed", {"removed": key_id})
    lines = [(k, s, r or k == key_id) for k, s, r in lines]
    return _save(run, lines, source, f"key {key_id} retired", {"retired": key_id})


def register(keys: Any) -> None:
    """Add ``rotate`` and ``retire`` to the ``keys`` subcommands."""
    rotate = keys.add_parser("rotate", help="add a fresh current signing key; older keys still verify")
    rotate.add_argument("--file", help=f"key file to rewrite (default: print the new ${SEED_ENV})")
    rotate.set_defaults(func=_rotate)
    retire = keys.add_parser("retire", help="stop signing with a key (it still verifies); --remove drops it")
    retire.add_argument("key_id")
    retire.add_argument("--file", help=f"key file to rewrite (default: print the new ${SEED_ENV})")
    retire.add_argument("--remove", action="store_true", help="drop the key: codes it signed stop verifying")
    retire.set_defaults(func=_retire)
