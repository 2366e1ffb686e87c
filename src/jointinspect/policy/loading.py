"""Loading a policy from plain data or a TOML file, refusing it as a whole with a
`PolicyError` that names every wrong field, in English and Chinese."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import cattrs

from jointinspect.errors import JointInspectError, PolicyError
from jointinspect.policy.city import Policy
from jointinspect.policy.converter import CONVERTER


def load_policy(data: Mapping[str, Any]) -> Policy:
    """Build a `Policy` from plain data (missing keys take the defaults).

    Raises:
        PolicyError: naming every field that is wrong (unknown keys included).
    """
    if not isinstance(data, Mapping):
        raise PolicyError(
            reason=f"a policy is a table of settings, got {type(data).__name__}",
            reason_zh=f"策略须为设置表,实为 {type(data).__name__}",
        )
    try:
        return CONVERTER.structure(dict(data), Policy)
    except PolicyError:
        raise
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
        coded = _coded(exc)
        if coded is not None:
            raise coded from exc
        raise PolicyError(reason=_explain(exc), reason_zh=_explain_zh(exc)) from exc
    except RecursionError as exc:  # absurdly nested input
        raise PolicyError(reason="the policy is nested too deeply", reason_zh="策略嵌套层级过深") from exc


def load_policy_file(path: str | Path) -> Policy:
    """Load a policy from a TOML file.

    Raises:
        PolicyError: if the file is not valid TOML or not a valid policy.
    """
    if not isinstance(path, str | Path) or (isinstance(path, str) and ("\x00" in path or not path)):
        raise PolicyError(
            reason=f"a policy file path is text or a Path, got {type(path).__name__}",
            reason_zh=f"策略文件路径须为文字或路径对象,实为 {type(path).__name__}",
        )
    try:
        raw = Path(path).read_bytes()
        if len(raw) > MAX_POLICY_FILE_BYTES:
            raise PolicyError(
                reason=f"{path}: larger than {MAX_POLICY_FILE_BYTES} bytes",
                reason_zh=f"{path}:文件大于 {MAX_POLICY_FILE_BYTES} 字节",
            )
        data = tomllib.loads(raw.decode("utf-8"))
    except PolicyError:
        raise
    except UnicodeDecodeError as exc:
        raise PolicyError(
            reason=f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})",
            reason_zh=f"{path}:不是 UTF-8 文字(第 {exc.start} 字节)",
        ) from exc
    except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(reason=f"{path}: {exc}", reason_zh=f"{path}:不是有效的 TOML 文件") from exc
    except RecursionError as exc:
        raise PolicyError(reason=f"{path}: nested too deeply", reason_zh=f"{path}:嵌套层级过深") from exc
    return load_policy(data)


#: Largest policy file read (a city's policy is a few kilobytes).
MAX_POLICY_FILE_BYTES = 1_000_000


def _format_exception(exc: BaseException, tp: type | None) -> str:
    # Our own validators already say what is wrong; cattrs would only say "invalid value".
    if isinstance(exc, PolicyError):
        return str(exc.details.get("reason", exc))
    if isinstance(exc, JointInspectError):
        return exc.message_en
    if isinstance(exc, TypeError) and str(exc).startswith("expected "):
        return f"invalid value for type, {exc}"
    return cattrs.v.format_exception(exc, tp)


def _coded(exc: BaseException) -> PolicyError | None:
    """A `PolicyError` with its own code (one that names its field) inside ``exc``, if any."""
    if isinstance(exc, PolicyError) and exc.code != PolicyError.default_code:
        return exc
    inner: list[BaseException] = list(getattr(exc, "exceptions", ()))
    if exc.__cause__ is not None:
        inner.append(exc.__cause__)
    for sub in inner:
        found = _coded(sub)
        if found is not None:
            return found
    return None


def _format_exception_zh(exc: BaseException, tp: type | None) -> str:
    # Our validators give their Chinese; anything else cattrs found is a type or value mismatch.
    if isinstance(exc, PolicyError):
        return str(exc.details.get("reason_zh", "取值无效"))
    if isinstance(exc, JointInspectError):
        return exc.message_zh
    if isinstance(exc, KeyError):
        return "缺少必填项"
    return "类型或取值无效"


def _explain_zh(exc: BaseException) -> str:
    """The Chinese of `_explain`: where the errors sit, in a Chinese sentence."""
    if isinstance(exc, cattrs.BaseValidationError):
        parts = cattrs.transform_error(exc, format_exception=_format_exception_zh)
        return ";".join(f"{where}:{what}" for what, _, where in (p.rpartition(" @ ") for p in parts))
    cause = exc.__cause__ or exc
    if isinstance(cause, PolicyError):
        return str(cause.details.get("reason_zh", "策略配置的取值无效"))
    return "策略配置的取值无效"


def _explain(exc: BaseException) -> str:
    if isinstance(exc, cattrs.BaseValidationError):
        # cattrs notes say where in the input each error sits ("@ $.frequency[0].limit").
        parts = cattrs.transform_error(exc, format_exception=_format_exception)
        return "; ".join(parts)
    cause = exc.__cause__ or exc
    if isinstance(cause, PolicyError):
        return str(cause.details.get("reason", cause))
    return str(exc)
