"""Catalogue entries of rectification and feedback: rectification opened, submitted, rejected,
accepted or overdue, key supervision, ratings, complaints and audit anchors."""

from __future__ import annotations

from jointinspect.model.notification import Role
from jointinspect.notices._types import F, Notice

_D, _S, _E = Role.DEPARTMENT, Role.SUPERVISOR, Role.ENTERPRISE

RECTIFICATION_NOTICES: tuple[Notice, ...] = (
    Notice(
        "rectification.opened",
        (_E,),
        {"item": F.ITEM, "deadline": F.TIME, "guidance": F.TEXT},
        (
            "【整改通知】事项“{item}”须在{deadline}前完成整改(整改单 {subject})。",
            "[Rectification] Item “{item}” must be put right by {deadline} (rectification {subject}).",
        ),
        ("整改通知:{item}", "Rectification required: {item}"),
        (
            "检查发现事项“{item}”存在问题,须在{deadline}前完成整改并提交材料(整改单 {subject})。整改指导:{guidance}",
            "The inspection found a problem with “{item}”. Put it right and submit evidence by {deadline} "
            "(rectification {subject}). Guidance: {guidance}",
        ),
    ),
    Notice(
        "rectification.submitted",
        (_D,),
        {},
        (
            "【整改已提交】整改单 {subject} 的企业已提交整改材料,请审核。",
            "[Rectification submitted] Evidence for rectification {subject} was submitted; please review it.",
        ),
        ("整改材料待审核:{subject}", "Rectification evidence to review: {subject}"),
        (
            "企业已就整改单 {subject} 提交整改材料,请及时审核,予以通过或退回。",
            "The enterprise has submitted evidence for rectification {subject}. Please review it and accept "
            "or return it.",
        ),
    ),
    Notice(
        "rectification.rejected",
        (_E,),
        {"deadline": F.TIME, "reason": F.TEXT},
        (
            "【整改退回】整改单 {subject} 未通过审核:{reason}。请于{deadline}前重新提交。",
            "[Rectification returned] Rectification {subject} was not accepted: {reason}. Submit again by {deadline}.",
        ),
        ("整改材料被退回:{subject}", "Rectification returned: {subject}"),
        (
            "贵企业提交的整改单 {subject} 材料未通过审核,理由:{reason}。请于{deadline}前补充整改并重新提交。",
            "The evidence for rectification {subject} was not accepted. Reason: {reason}. "
            "Complete the work and submit again by {deadline}.",
        ),
    ),
    Notice(
        "rectification.accepted",
        (_E,),
        {},
        (
            "【整改通过】整改单 {subject} 已通过审核,整改完成。",
            "[Rectification accepted] Rectification {subject} was accepted; it is closed.",
        ),
        ("整改已通过:{subject}", "Rectification accepted: {subject}"),
        (
            "贵企业的整改单 {subject} 已通过审核,该整改事项已办结。",
            "Your rectification {subject} was accepted and is now closed.",
        ),
    ),
    Notice(
        "rectification.overdue",
        (_D, _S),
        {"enterprise": F.ENTERPRISE, "deadline": F.TIME},
        (
            "【整改逾期】{enterprise}的整改单 {subject} 已超过期限{deadline}仍未完成。",
            "[Rectification overdue] {enterprise} missed the deadline of {deadline} for rectification {subject}.",
        ),
        ("整改逾期:{enterprise}", "Rectification overdue: {enterprise}"),
        (
            "{enterprise}的整改单 {subject} 期限为{deadline},至今未完成整改。请跟进督促,必要时依法处理。",
            "{enterprise} has not completed rectification {subject}, due on {deadline}. Please follow up "
            "and act as the law provides if needed.",
        ),
    ),
    Notice(
        "enterprise.key_supervision",
        (_S,),
        {"rectification": F.ID},
        (
            "【重点监管】{subject}拒不整改(整改单 {rectification}),已列为重点监管对象。",
            "[Key supervision] {subject} refused to rectify (rectification {rectification}) and is now "
            "under key supervision.",
        ),
        ("企业列入重点监管:{subject}", "Enterprise placed under key supervision: {subject}"),
        (
            "{subject}拒不履行整改单 {rectification} 的整改义务,已依规列为重点监管对象,检查频次限制不再适用。",
            "{subject} refused to carry out rectification {rectification} and has been placed under key "
            "supervision; inspection frequency limits no longer apply to it.",
        ),
        subject_field=F.ENTERPRISE,
    ),
    Notice(
        "inspection.rated",
        (_D,),
        {"score": F.NUMBER, "rater": F.RATER},
        (
            "【检查评价】检查任务 {subject} 获{rater}评分 {score} 分。",
            "[Inspection rated] Inspection {subject} was rated {score} by {rater}.",
        ),
        ("检查评价结果:{subject}", "Inspection rating: {subject}"),
        (
            "检查任务 {subject} 已由{rater}评价,得分 {score} 分(满分 100 分)。",
            "Inspection {subject} was rated by {rater}: {score} out of 100.",
        ),
    ),
    Notice(
        "complaint.filed",
        (_S,),
        {"inspection": F.ID, "enterprise": F.ENTERPRISE, "reason": F.REASON, "text": F.TEXT},
        (
            "【企业投诉】{enterprise}就检查任务 {inspection} 投诉:{reason}。",
            "[Complaint] {enterprise} complains about inspection {inspection}: {reason}.",
        ),
        ("企业投诉:{enterprise}", "Complaint from {enterprise}"),
        (
            "{enterprise}就检查任务 {inspection} 提出投诉(投诉编号 {subject}),类别:{reason}。投诉内容:{text}",
            "{enterprise} has complained about inspection {inspection} (complaint {subject}); "
            "category: {reason}. In their words: {text}",
        ),
    ),
    Notice(
        "audit.anchor",
        (_S,),
        {"seq": F.NUMBER, "hash": F.ID, "at": F.TIME, "key_id": F.ID, "signature": F.ID},
        (
            "【审计锚点】审计日志第 {seq} 条的哈希为 {hash},已于 {at} 签名(密钥 {key_id})。",
            "[Audit anchor] Audit log entry {seq} has hash {hash}, signed at {at} (key {key_id}).",
        ),
        ("审计锚点:第 {seq} 条", "Audit anchor: entry {seq}"),
        (
            "审计日志第 {seq} 条的哈希为 {hash},于 {at} 以密钥 {key_id} 签名,签名值:{signature}。"
            "请在数据库之外妥善保存本通知,核验审计日志时提供。",
            "Audit log entry {seq} has hash {hash}, signed at {at} with key {key_id}; signature: "
            "{signature}. Keep this message outside the database and supply it when the audit log "
            "is verified.",
        ),
    ),
)
