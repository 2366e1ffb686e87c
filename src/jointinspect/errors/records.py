"""Chinese names of the kinds of record that messages name, so that a Chinese message does not
carry an English word."""

from __future__ import annotations

from collections.abc import Mapping

#: Chinese names of the kinds of record that messages name (``{kind}`` in not-found and
#: storage messages), so that a Chinese message does not carry an English word.
RECORD_KINDS_ZH: Mapping[str, str] = {
    "plan": "计划",
    "inspection": "检查任务",
    "visit": "入企记录",
    "result": "检查结果",
    "rectification": "整改",
    "evaluation": "评价",
    "complaint": "投诉",
    "enterprise": "企业",
    "department": "部门",
    "inspector": "执法人员",
    "item": "监管事项",
    "scenario": "场景",
    "notification": "通知",
    "reservation": "频次预约",
    "penalty": "行政处罚",
    "legal review": "法制审核",
    "licence": "证照",
    "spot check": "随机抽查",
    "quiet slot": "免扰时段",
    "conflict flag": "标准冲突提示",
    "conflict": "回避声明",
    "loop step": "指导处罚帮扶记录",
    "device key": "设备密钥",
    "spot pair": "抽查配对",
    "offline check-in": "离线检查记录",
}


def record_zh(kind: str) -> str:
    """The Chinese name of a kind of record (the kind itself when none is catalogued)."""
    return RECORD_KINDS_ZH.get(kind, kind)
