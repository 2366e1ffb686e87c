"""Catalogue entries of filing and visits: plans filed, approved or rejected, joint and
replanned inspections, frequency warnings, check-ins, shared results and evaluations."""

from __future__ import annotations

from jointinspect.model.notification import Role
from jointinspect.notices._types import F, Notice

_D, _S, _L, _E = Role.DEPARTMENT, Role.SUPERVISOR, Role.LEGAL_OFFICE, Role.ENTERPRISE

VISIT_NOTICES: tuple[Notice, ...] = (
    Notice(
        "plan.filed",
        (_L, _S),
        {"enterprise": F.ENTERPRISE, "department": F.DEPARTMENT, "kind": F.KIND, "start": F.TIME},
        (
            "【检查计划备案】{department}拟于{start}对{enterprise}开展{kind},计划编号 {subject}。",
            "[Plan filed] {department} plans a {kind} of {enterprise} from {start} (plan {subject}).",
        ),
        ("检查计划备案:{enterprise}", "Inspection plan filed: {enterprise}"),
        (
            "{department}已提报对{enterprise}的{kind}计划(编号 {subject}),拟于{start}开始。"
            "依照备案规定,现将该计划报送贵单位备案。",
            "{department} has filed a {kind} plan for {enterprise} (plan {subject}), to start on {start}. "
            "It is sent to you for the record, as the filing rules require.",
        ),
    ),
    Notice(
        "plan.unplanned_reported",
        (_S,),
        {"kind": F.KIND, "enterprise": F.ENTERPRISE, "reason": F.TEXT},
        (
            "【计划外检查报备】对{enterprise}的{kind}(计划 {subject})未列入年度计划,事由:{reason}。",
            "[Unplanned inspection] A {kind} of {enterprise} (plan {subject}) is outside the annual plan; "
            "reason: {reason}.",
        ),
        ("计划外检查报备:{enterprise}", "Unplanned inspection reported: {enterprise}"),
        (
            "有部门提报了对{enterprise}的{kind}(计划 {subject}),该检查未列入年度检查计划。"
            "提报事由:{reason}。请予以监督。",
            "A department has filed a {kind} of {enterprise} (plan {subject}) that is not in the annual "
            "inspection plan. Reason given: {reason}. Please keep it under review.",
        ),
    ),
    Notice(
        "results.shared",
        (_D,),
        {"records": F.ID},
        (
            "【结果共享】计划 {subject} 可直接采用已有检查结果 {records},无需重复检查。",
            "[Results shared] Plan {subject} can use the existing results {records} instead of inspecting again.",
        ),
        ("可共享的检查结果:计划 {subject}", "Shared inspection results for plan {subject}"),
        (
            "贵部门提报的计划 {subject} 所涉事项已有其他部门在有效期内的检查结果({records})。"
            "依照结果互认规定,可直接采用,无需重复进入企业检查。",
            "Other departments already hold valid results ({records}) for the items of your plan {subject}. "
            "Under the mutual recognition rules you may use them without entering the enterprise again.",
        ),
    ),
    Notice(
        "approval.requested",
        (_S,),
        {"enterprise": F.ENTERPRISE, "department": F.DEPARTMENT},
        (
            "【待审批】{department}提报了对白名单企业{enterprise}的检查计划 {subject},请审批。",
            "[Approval needed] {department} filed plan {subject} for the whitelisted enterprise {enterprise}; "
            "please approve or reject it.",
        ),
        ("待审批的检查计划:{enterprise}", "Inspection plan awaiting approval: {enterprise}"),
        (
            "{enterprise}列入白名单,对其检查须经审批。{department}提报的检查计划 {subject} 正等待贵单位审批。",
            "{enterprise} is on the whitelist, so inspecting it needs approval. Plan {subject} filed by "
            "{department} is waiting for your decision.",
        ),
        role_policy="whitelist.approvers",
    ),
    Notice(
        "plan.rejected",
        (_D,),
        {"reason": F.TEXT},
        (
            "【计划未获批准】检查计划 {subject} 未获批准,理由:{reason}。",
            "[Plan rejected] Inspection plan {subject} was not approved; reason: {reason}.",
        ),
        ("检查计划未获批准:{subject}", "Inspection plan rejected: {subject}"),
        (
            "贵部门提报的检查计划 {subject} 未获批准,理由:{reason}。如需检查,请调整后重新提报。",
            "Your inspection plan {subject} was not approved. Reason: {reason}. "
            "Adjust it and file it again if the inspection is still needed.",
        ),
    ),
    Notice(
        "plan.approved",
        (_D,),
        {},
        (
            "【计划已批准】检查计划 {subject} 已获批准,已纳入联合检查安排。",
            "[Plan approved] Inspection plan {subject} was approved and is now scheduled.",
        ),
        ("检查计划已批准:{subject}", "Inspection plan approved: {subject}"),
        (
            "贵部门提报的检查计划 {subject} 已获批准,已纳入联合检查安排,请留意联合检查通知。",
            "Your inspection plan {subject} was approved and scheduled. Watch for the joint inspection notice.",
        ),
    ),
    Notice(
        "inspection.joint",
        (_D,),
        {"lead": F.DEPARTMENT, "start": F.TIME, "departments": F.DEPARTMENTS},
        (
            "【联合检查】检查任务 {subject} 由{lead}牵头,{departments}参加,{start}开始。",
            "[Joint inspection] Inspection {subject}, led by {lead} with {departments}, starts on {start}.",
        ),
        ("联合检查通知:{subject}", "Joint inspection notice: {subject}"),
        (
            "贵部门的检查计划已并入联合检查任务 {subject}。牵头部门:{lead};参加部门:{departments};开始时间:{start}。"
            "请与牵头部门协调,一次进门、联合检查。",
            "Your plan has been merged into joint inspection {subject}. Lead: {lead}; taking part: "
            "{departments}; start: {start}. Please coordinate with the lead so that the enterprise is "
            "visited once.",
        ),
    ),
    Notice(
        "inspection.replanned",
        (_D,),
        {"lead": F.DEPARTMENT, "start": F.TIME, "departments": F.DEPARTMENTS},
        (
            "【检查重新安排】检查任务 {subject} 由{lead}牵头,{departments}参加,调整为{start}开始。",
            "[Inspection re-planned] Inspection {subject}, led by {lead} with {departments}, now starts on {start}.",
        ),
        ("检查重新安排:{subject}", "Inspection re-planned: {subject}"),
        (
            "为减少对企业的重复检查,检查任务已重新合并安排:{subject},牵头部门:{lead};参加部门:{departments};"
            "开始时间:{start}。此前签发的检查码如已失效,请重新签发。",
            "To visit the enterprise fewer times, its inspections were re-planned: {subject}, led by {lead} with "
            "{departments}, starting on {start}. Codes issued before the change are refused: issue new ones.",
        ),
    ),
    Notice(
        "frequency.warning",
        (_S,),
        {
            "rule": F.ID,
            "count": F.NUMBER,
            "limit": F.NUMBER,
            "scope": F.ID,
            "enterprise": F.ENTERPRISE,
        },
        (
            "【频次预警】{enterprise}的检查次数达 {count} 次,超过规则 {rule} 的上限 {limit} 次(检查任务 {subject})。",
            "[Frequency warning] {enterprise} has had {count} inspections, over the limit of {limit} set by "
            "rule {rule} (inspection {subject}).",
        ),
        ("检查频次预警:{enterprise}", "Inspection frequency warning: {enterprise}"),
        (
            "检查任务 {subject} 使{enterprise}的检查次数达到 {count} 次,超过规则 {rule} 规定的 {limit} 次"
            "(统计范围 {scope})。请核查是否存在重复检查、多头检查。",
            "Inspection {subject} brings {enterprise} to {count} inspections, over the {limit} allowed by "
            "rule {rule} (scope {scope}). Please check for repeated or overlapping inspections.",
        ),
        role_policy="frequency[].notify",
    ),
    Notice(
        "checkin.no_scan",
        (_S,),
        {"inspection": F.ID, "inspector": F.INSPECTOR, "enterprise": F.ENTERPRISE},
        (
            "【未扫码入企】执法人员{inspector}未扫码即进入{enterprise}(检查任务 {inspection})。",
            "[Entry without scan] Inspector {inspector} entered {enterprise} without scanning "
            "(inspection {inspection}).",
        ),
        ("未扫码入企提醒:{enterprise}", "Entry without a code scan: {enterprise}"),
        (
            "执法人员{inspector}在检查任务 {inspection} 中未扫描企业码即进入{enterprise}(签到记录 {subject})。"
            "请核实是否属于正当情形。",
            "Inspector {inspector} entered {enterprise} without scanning the enterprise code during inspection "
            "{inspection} (visit {subject}). Please check whether this was justified.",
        ),
    ),
    Notice(
        "checkin.entered",
        (_E,),
        {"inspector": F.TEXT, "certificate": F.ID, "department": F.DEPARTMENT},
        (
            "【入企检查】{department}执法人员{inspector}(执法证号 {certificate})已签到进入贵企业。",
            "[Inspector on site] Inspector {inspector} of {department} (certificate {certificate}) has "
            "checked in at your premises.",
        ),
        ("执法人员入企检查", "An inspector has checked in"),
        (
            "{department}执法人员{inspector}(执法证号 {certificate})已扫码签到进入贵企业(签到记录 {subject})。"
            "如对检查有异议,可通过平台评价或投诉。",
            "Inspector {inspector} of {department} (certificate {certificate}) has scanned in at your "
            "premises (visit {subject}). You can rate the inspection or complain on the platform.",
        ),
    ),
    Notice(
        "evaluation.requested",
        (_E,),
        {"minutes": F.NUMBER},
        (
            "【邀请评价】检查任务 {subject} 已结束,历时 {minutes} 分钟,请对本次检查作出评价。",
            "[Please rate] Inspection {subject} has ended after {minutes} minutes; please rate it.",
        ),
        ("请评价检查任务 {subject}", "Please rate inspection {subject}"),
        (
            "检查任务 {subject} 已结束,历时 {minutes} 分钟。请对执法人员的表现作出评价,评价结果将用于执法监督。",
            "Inspection {subject} has ended after {minutes} minutes. Please rate how the inspectors "
            "behaved; ratings feed the supervision of enforcement.",
        ),
    ),
)
