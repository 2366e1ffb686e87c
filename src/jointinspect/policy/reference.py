"""The policy reference, generated from the schema: every key with its meaning, unit, default,
bounds and the city whose rule it encodes, in English and in Chinese.

docs/policy-reference.md and docs/policy-reference.zh.md are `render` of this module
(``python scripts/gen_policy_reference.py`` writes them; tests/test_policy_reference.py fails
when they differ), so the reference cannot drift from the code. Meanings, units and sources come
from each field's attrs metadata (``zh``, ``unit``, ``source``, optional ``en``), bounds from its
validator (`jointinspect.policy.bounds`), defaults from the field's default.
"""

from __future__ import annotations

import datetime as dt
import enum
import typing
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from jointinspect.policy import city, schema, system
from jointinspect.policy.bounds import bounds_of

#: The metadata keys every policy field must carry (tests/test_policy_reference.py).
REQUIRED_METADATA = ("zh", "unit", "source")

_UNIT_ZH = {
    "day": "天",
    "hour": "小时",
    "minute": "分钟",
    "second": "秒",
    "month": "月",
    "metre": "米",
    "person": "人",
    "visit": "次",
    "entry": "条",
    "operation": "次操作",
    "date": "日期",
    "day of month": "日(每月)",
}

_SOURCE_ZH = {
    "Yantai": "烟台",
    "Wuhu": "芜湖",
    "Dezhou": "德州",
    "Yucheng": "禹城(德州)",
    "Haigang": "秦皇岛海港区",
    "X city": "X 市",
    "Nanchang": "南昌",
    "Laizhou": "莱州",
    "Chengdu": "成都",
    "Xianning": "咸宁",
    "Hainan": "海南",
    "Shenzhen": "深圳",
    "national": "全国性规定",
    "county quiet period": "县区“无打扰期”",
}

#: Chinese titles of the policy's sections (a section missing here shows its key only).
SECTION_ZH = {
    "": "顶层设置",
    "filing": "计划报备",
    "whitelist": "白名单",
    "matching": "联合检查的合并",
    "matching.allowances": "时间窗偏离幅度",
    "frequency": "检查频次",
    "checkin": "扫码入企",
    "sharing": "检查结果共享",
    "rectification": "整改",
    "authorization": "可配置的权限",
    "codes": "检查码与企业码",
    "audit": "审计链",
    "maintenance": "清理与保留",
    "delivery": "通知投递",
}

_TEXT = {
    "en": {
        "title": "Policy reference",
        "intro": (
            "Every key of a policy file, generated from the policy schema "
            "(`jointinspect.policy`) by `python scripts/gen_policy_reference.py`; a test fails when "
            "this page and the code disagree. Policies are explained in [Policies](policies.md); the "
            "seed cities' own files are under *Seed cities*. A key left out of a file takes its default."
        ),
        "top": "Top level",
        "header": "| key | meaning | unit | default | bounds | source |",
        "required": "required",
        "any_of": "any of",
        "one_of": "one of",
        "map": "table: {keys} → {values}",
        "per_kind": "One table per planned inspection kind.",
        "list": "A list of tables; the default is {n} rules ({names}).",
        "zone": "an IANA time zone",
        "text": "text",
        "identifier": "identifier",
        "dates": "dates YYYY-MM-DD",
        "integers": "integers",
    },
    "zh": {
        "title": "策略参数表",
        "intro": (
            "策略文件的全部参数,由 `python scripts/gen_policy_reference.py` 从策略定义"
            "(`jointinspect.policy`)生成;本页与代码不一致时测试即失败。策略的用法见"
            "[策略](policies.md),各试点城市的策略文件见“试点城市”。文件中未写出的参数取默认值。"
        ),
        "top": "顶层",
        "header": "| 参数 | 含义 | 单位 | 默认值 | 取值范围 | 规则来源 |",
        "required": "必填",
        "any_of": "可多选",
        "one_of": "取其一",
        "map": "表:{keys} → {values}",
        "per_kind": "每种计划内检查类型一个表",
        "list": "表的列表;默认 {n} 条规则({names})",
        "zone": "IANA 时区名",
        "text": "文字",
        "identifier": "标识符",
        "dates": "日期 YYYY-MM-DD",
        "integers": "整数",
    },
}


@attrs.frozen
class Key:
    """One key of a policy file and what the reference says about it."""

    path: str  #: dotted, e.g. ``filing.advance``, ``frequency[].limit``
    section: str  #: the section's path ("" for the top level)
    attribute: attrs.Attribute[Any]
    tp: Any  #: the resolved type


def _is_attrs(tp: Any) -> bool:
    return isinstance(tp, type) and attrs.has(tp)


def _element(tp: Any) -> Any:
    """``FrequencyRule`` for ``tuple[FrequencyRule, ...]``, else ``None``."""
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        if args and _is_attrs(args[0]):
            return args[0]
    return None


def _mapped(tp: Any) -> Any:
    """``Allowance`` for ``Mapping[InspectionKind, Allowance]``, else ``None``."""
    if typing.get_origin(tp) in (Mapping, dict):
        args = typing.get_args(tp)
        if len(args) == 2 and _is_attrs(args[1]):
            return args[1]
    return None


def keys(cls: type = schema.Policy, prefix: str = "", section: str = "") -> Iterator[Key]:
    """Every leaf key under ``cls``, depth first in declaration order."""
    for attribute in attrs.fields(attrs.resolve_types(cls)):
        tp, path = attribute.type, f"{prefix}{attribute.name}"
        if _is_attrs(tp):
            yield from keys(tp, f"{path}.", path)
        elif (element := _element(tp)) is not None:
            yield from keys(element, f"{path}[].", path)
        elif (value := _mapped(tp)) is not None:
            yield from keys(value, f"{path}.<kind>.", path)
        else:
            yield Key(path, section, attribute, tp)


def sections(cls: type = schema.Policy) -> list[str]:
    """The section paths in order ("" first: the top-level keys)."""
    seen: list[str] = []
    for key in keys(cls):
        if key.section not in seen:
            seen.append(key.section)
    return seen


def _value(value: Any) -> str:
    """A default as it would be written in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return f'"{value.value}"'
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return "[" + ", ".join(sorted(_value(v) for v in value)) + "]"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_bare(k)} = {_value(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)


def _bare(key: Any) -> str:
    return str(key.value if isinstance(key, enum.Enum) else key)


def _default(attribute: attrs.Attribute[Any], text: Mapping[str, str]) -> str:
    default: Any = attribute.default
    if default is attrs.NOTHING:
        return text["required"]
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = default.factory()
    return "" if default is None else _value(default)


def _choices(members: Any) -> str:
    return ", ".join(f"`{m.value}`" for m in members)


def _bounds(key: Key, text: Mapping[str, str]) -> str:
    found = bounds_of(key.attribute)
    if found is not None:
        return found.describe()
    tp = key.tp
    args = [a for a in typing.get_args(tp) if a is not type(None) and a is not Ellipsis]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return f"{text['one_of']} {_choices(tp)}"
    if args and all(isinstance(a, type) and issubclass(a, enum.Enum) for a in args) and len(args) == 1:
        if typing.get_origin(tp) in (frozenset, tuple):
            return f"{text['any_of']} {_choices(args[0])}"
        return f"{text['one_of']} {_choices(args[0])}"
    if typing.get_origin(tp) in (Mapping, dict) and len(args) == 2:
        return text["map"].format(keys=_choices(args[0]), values=_choices(args[1]))
    if key.attribute.validator is system._principal_kinds:
        return f"{text['any_of']} " + ", ".join(f"`{k}`" for k in sorted(schema.PRINCIPAL_KINDS))
    if key.attribute.validator is city._zone:
        return text["zone"]
    if args == [dt.date]:
        return text["dates"]
    if args == [int]:
        return text["integers"]
    if tp is bool:
        return "true, false"
    if key.path.endswith("name") or args == [str]:
        return text["identifier"] if key.path != "name" else text["text"]
    return ""


def _section_note(section: str, language: str) -> str:
    """What the section holds: its class docstring (English) or Chinese title."""
    if language == "zh":
        return SECTION_ZH.get(section, "")
    cls: Any = schema.Policy
    for part in [p for p in section.split(".") if p]:
        tp = attrs.fields_dict(attrs.resolve_types(cls))[part].type
        cls = _element(tp) or _mapped(tp) or tp
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(doc.split())


def _list_note(section: str, text: Mapping[str, str]) -> str:
    if section == "matching.allowances":
        return text["per_kind"]
    attribute = attrs.fields_dict(attrs.resolve_types(schema.Policy)).get(section)
    if attribute is None or _element(attribute.type) is None:
        return ""
    rules = getattr(schema.Policy(), section)
    return text["list"].format(n=len(rules), names=", ".join(f"`{r.name}`" for r in rules))


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def render(language: str = "en") -> str:
    """The policy reference page in ``language`` ("en" or "zh"), as Markdown."""
    text = _TEXT[language]
    lines = [f"# {text['title']}", "", text["intro"], ""]
    all_keys = list(keys())
    for section in sections():
        lines += [f"## {section or text['top']}", ""]
        note = " ".join(p for p in (_section_note(section, language), _list_note(section, text)) if p)
        if note:
            lines += [note, ""]
        lines += [text["header"], "| --- | --- | --- | --- | --- | --- |"]
        for key in (k for k in all_keys if k.section == section):
            meta = key.attribute.metadata
            meaning = str(meta.get("zh" if language == "zh" else "en", ""))
            unit, source = str(meta.get("unit", "")), str(meta.get("source", ""))
            if language == "zh":
                unit, source = _UNIT_ZH.get(unit, unit), _SOURCE_ZH.get(source, source)
            default = _default(key.attribute, text)
            cells = [
                f"`{key.path}`",
                meaning,
                unit,
                f"`{default}`" if default and default != text["required"] else default,
                _bounds(key, text),
                source,
            ]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


def missing_metadata(cls: type = schema.Policy) -> list[str]:
    """The keys under ``cls`` whose field lacks a required metadata entry (``zh``, ``unit``,
    ``source``), or whose ``zh`` is empty, as ``"path: what is missing"``."""
    problems = []
    for key in keys(cls):
        meta = key.attribute.metadata
        absent = [name for name in REQUIRED_METADATA if not isinstance(meta.get(name), str)]
        if absent:
            problems.append(f"{key.path}: no {', '.join(absent)}")
        elif not str(meta["zh"]).strip():
            problems.append(f"{key.path}: empty zh")
    return problems
