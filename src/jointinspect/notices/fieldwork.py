"""Catalogue entries of issue 12's fieldwork: spot checks, conflicts of interest, quiet slots
and offline check-ins."""

from __future__ import annotations

from jointinspect.model.notification import Role
from jointinspect.notices._types import F, Notice

_D, _S = Role.DEPARTMENT, Role.SUPERVISOR

FIELDWORK_NOTICES: tuple[Notice, ...] = (
    Notice(
        "spot_check.drawn",
        (_S,),
        {"campaign": F.ID, "department": F.DEPARTMENT, "seed": F.ID, "selected": F.ID, "public": F.TEXT},
        (
            "【双随机抽查】{department}的抽查任务 {campaign} 已抽取,随机种子 {seed},请予公示。",
            "[Spot check] {department} drew campaign {campaign} with seed {seed}; please publish it.",
        ),
        ("双随机抽查结果公示:{campaign}", "Spot-check draw to publish: {campaign}"),
        (
            "{department}的抽查任务 {campaign}(抽取编号 {subject})以随机种子 {seed} 抽取,抽中企业:{selected}。"
            "公示内容如下,任何人均可据此复核:{public}",
            "{department} drew campaign {campaign} (draw {subject}) with seed {seed}; enterprises drawn: "
            "{selected}. The draw to publish, which anyone can recompute: {public}",
        ),
    ),
    Notice(
        "conflict.declared",
        (_D,),
        {"enterprise": F.ENTERPRISE, "reason": F.TEXT},
        (
            "【回避申报】执法人员{subject}申报与{enterprise}存在利害关系。",
            "[Recusal] Inspector {subject} declared a conflict of interest with {enterprise}.",
        ),
        ("回避申报:{subject}", "Conflict of interest declared: {subject}"),
        (
            "执法人员{subject}申报与{enterprise}存在利害关系,理由:{reason}。今后双随机抽查不会抽取其检查该企业。",
            "Inspector {subject} declared a conflict of interest with {enterprise}; reason: {reason}. "
            "Random spot checks will not send them there.",
        ),
        subject_field=F.INSPECTOR,
    ),
    Notice(
        "quiet_slot.declared",
        (_S,),
        {"enterprise": F.ENTERPRISE, "start": F.ID, "end": F.ID, "reason": F.TEXT},
        (
            "【免扰时段】{enterprise}申报 {start} 至 {end} 为免扰时段。",
            "[Quiet slot] {enterprise} declared {start} to {end} quiet.",
        ),
        ("免扰时段申报:{enterprise}", "Quiet slot declared: {enterprise}"),
        (
            "{enterprise}申报 {start} 至 {end} 为免扰时段(编号 {subject}),理由:{reason}。"
            "该时段内不安排例行检查,事件触发类检查不受影响。",
            "{enterprise} declared {start} to {end} a quiet slot ({subject}); reason: {reason}. "
            "Routine visits are not placed in it; triggered inspections are not affected.",
        ),
    ),
    Notice(
        "quiet_slot.withdrawn",
        (_S,),
        {"enterprise": F.ENTERPRISE},
        (
            "【免扰时段撤回】{enterprise}撤回了免扰时段 {subject}。",
            "[Quiet slot withdrawn] {enterprise} withdrew quiet slot {subject}.",
        ),
        ("免扰时段撤回:{enterprise}", "Quiet slot withdrawn: {enterprise}"),
        (
            "{enterprise}撤回了免扰时段 {subject},该时段可再次安排例行检查。",
            "{enterprise} withdrew quiet slot {subject}; routine visits may be placed in it again.",
        ),
    ),
    Notice(
        "checkin.offline_late",
        (_S,),
        {"inspection": F.ID, "inspector": F.INSPECTOR, "enterprise": F.ENTERPRISE, "at": F.TIME, "late": F.ID},
        (
            "【离线补录】执法人员{inspector}补录了 {at} 在{enterprise}的离线检查记录(检查任务 {inspection})。",
            "[Filled in offline] Inspector {inspector} filled in the offline check-in of {at} at {enterprise} "
            "(inspection {inspection}).",
        ),
        ("离线检查记录补录:{enterprise}", "Offline check-in filled in: {enterprise}"),
        (
            "执法人员{inspector}补录了离线检查记录:{at} 到达{enterprise}(检查任务 {inspection},到场记录 {subject})。"
            "记录经设备密钥签名验证,保留原始时间和位置,已标记为逾期补录。",
            "Inspector {inspector} filled in an offline check-in: arrived at {enterprise} at {at} (inspection "
            "{inspection}, visit {subject}). The record verified with the device key; its original time and "
            "position are kept, and it is flagged as filled in late.",
        ),
    ),
)
