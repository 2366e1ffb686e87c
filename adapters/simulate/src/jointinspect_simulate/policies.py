"""Policies to replay under: a preset name or a TOML file, with ``key=value`` settings.

A setting is a dotted path into the policy's tables with a TOML value
(``matching.min_common_hours=4``, ``filing.unit="working"``). One shorthand answers the
question the simulator is for: ``merge.allowance_days=N`` gives every planned kind
(routine, random, special) an allowance of ``N`` days either way
(``matching.allowances``). The result goes through `load_policy`, so a wrong setting is
refused as a `PolicyError` naming the field.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jointinspect.errors import PolicyError
from jointinspect.policy.presets import PRESETS
from jointinspect.policy.schema import PLANNED_KINDS, Policy, load_policy

__all__ = ["label", "resolve"]


def _base(spec: str) -> dict[str, Any]:
    if spec in ("default", ""):
        return {}
    if spec in PRESETS:
        return copy.deepcopy(dict(PRESETS[spec]))
    path = Path(spec)
    if not path.is_file():
        raise PolicyError(
            reason=f"{spec!r} is neither a preset ({', '.join(sorted(PRESETS))}) nor a policy file",
            reason_zh=f"{spec!r} 既不是预设({', '.join(sorted(PRESETS))}),也不是策略文件",
        )
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PolicyError(reason=f"{spec}: not valid TOML", reason_zh=f"{spec}:不是有效的 TOML") from exc


def _value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text  # a bare word: text


def _apply(data: dict[str, Any], setting: str) -> None:
    key, sep, text = setting.partition("=")
    if not sep or not key.strip():
        raise PolicyError(
            reason=f"setting {setting!r}: expected key=value", reason_zh=f"设置 {setting!r}:应为 键=值 的形式"
        )
    key, value = key.strip(), _value(text.strip())
    if key == "merge.allowance_days":
        matching = data.setdefault("matching", {})
        matching["allowances"] = {k.value: {"days": value} for k in sorted(PLANNED_KINDS)}
        return
    *path, last = key.split(".")
    table = data
    for part in path:
        nxt = table.setdefault(part, {})
        if not isinstance(nxt, dict):
            raise PolicyError(
                reason=f"setting {key!r}: {part!r} is not a table", reason_zh=f"设置 {key!r}:{part!r} 不是表"
            )
        table = nxt
    table[last] = value


def resolve(spec: str, settings: Sequence[str] = ()) -> Policy:
    """The policy ``spec`` names (``default``, a preset, or a TOML file) with ``settings``.

    Raises:
        PolicyError: an unknown preset or file, a malformed setting, or an invalid policy.
    """
    data = _base(spec)
    for setting in settings:
        _apply(data, setting)
    return load_policy(data)


def label(spec: str, settings: Sequence[str] = ()) -> str:
    """How an outcome is named: the preset or file stem, then its settings."""
    name = spec if spec in PRESETS or spec in ("default", "") else Path(spec).stem
    return " ".join([name or "default", *settings])
