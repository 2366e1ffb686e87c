"""Catalogue entries of enforcement (issue 12): first-violation guidance and penalties, the
inefficient-inspection watch, conflicting standards, licence prewarning, credit repair and
legal review."""

from __future__ import annotations

from jointinspect.model.notification import Role
from jointinspect.notices._types import F, Notice

_D, _S, _L, _E = Role.DEPARTMENT, Role.SUPERVISOR, Role.LEGAL_OFFICE, Role.ENTERPRISE

ENFORCEMENT_NOTICES: tuple[Notice, ...] = (
    # issue 12: first-violation guidance and the guidance-penalty-assistance loop
    Notice(
        "guidance.given",
        (_E,),
        {"item": F.ITEM, "department": F.DEPARTMENT},
        (
            "【首违不罚】事项“{item}”为首次违法,{department}予以指导,不予处罚(检查结果 {subject})。",
            "[First violation] “{item}” is a first violation: {department} gives guidance, no penalty "
            "(result {subject}).",
        ),
        ("首违不罚告知:{item}", "First violation, no penalty: {item}"),
        (
            "经检查,贵单位事项“{item}”存在问题。该事项列入首违不罚、轻微免罚清单且属首次违法,"
            "{department}依规予以指导,不予处罚(检查结果 {subject})。请按要求及时整改;期限内再次违法的,将依法处理。",
            "The inspection found a problem with “{item}”. The item is on the first-violation or minor-violation "
            "list and this is a first violation, so {department} gives guidance and no penalty (result "
            "{subject}). Please put it right; a second violation within the period will be dealt with by law.",
        ),
    ),
    Notice(
        "penalty.recorded",
        (_E,),
        {"item": F.ITEM, "note": F.TEXT},
        (
            "【行政处罚】就事项“{item}”的违法行为已作出处罚(记录 {subject}):{note}",
            "[Penalty] A penalty was decided for the violation of “{item}” (record {subject}): {note}",
        ),
        ("行政处罚告知:{item}", "Penalty decided: {item}"),
        (
            "贵单位事项“{item}”的违法行为已依法作出处罚(记录 {subject})。说明:{note}",
            "A penalty was decided by law for the violation of “{item}” (record {subject}). Note: {note}",
        ),
    ),
    Notice(
        "assistance.offered",
        (_E,),
        {"item": F.ITEM, "note": F.TEXT},
        (
            "【帮扶】就事项“{item}”为贵单位提供整改帮扶(记录 {subject}):{note}",
            "[Assistance] Help is offered to put “{item}” right (record {subject}): {note}",
        ),
        ("整改帮扶:{item}", "Assistance offered: {item}"),
        (
            "执法部门就事项“{item}”为贵单位提供整改帮扶(记录 {subject}),帮助企业彻底纠正、预防再犯。说明:{note}",
            "The department offers help with “{item}” (record {subject}) so that it is put right for good and "
            "does not happen again. Note: {note}",
        ),
    ),
    # issue 12: the inefficient-inspection watch
    Notice(
        "watch.blocked",
        (_S, _D),
        {"enterprise": F.ENTERPRISE, "count": F.NUMBER},
        (
            "【无效检查预警】{subject}对{enterprise}已连续 {count} 次检查未发现问题,须作出情况说明后方可再次检查。",
            "[Inefficient inspections] {subject} has inspected {enterprise} {count} times in a row without a "
            "finding and may not inspect it again until it is explained.",
        ),
        ("无效检查预警:{subject}", "Inefficient inspections: {subject}"),
        (
            "执法人员{subject}在统计期间内对{enterprise}连续 {count} 次检查均未发现问题。"
            "依照规定,该执法人员暂停对该企业的检查,待监督部门记录情况说明后恢复。",
            "Inspector {subject} has inspected {enterprise} {count} times in a row within the period without "
            "finding anything. By the rules the inspector may not inspect it again until the supervising "
            "office records an explanation.",
        ),
        subject_field=F.INSPECTOR,
    ),
    Notice(
        "watch.explained",
        (_D,),
        {"enterprise": F.ENTERPRISE, "explanation": F.TEXT},
        (
            "【情况说明已记录】{subject}对{enterprise}的连续无问题检查已作说明,恢复检查:{explanation}",
            "[Explained] The run of no-finding inspections of {enterprise} by {subject} is explained; "
            "inspections may resume: {explanation}",
        ),
        ("情况说明已记录:{subject}", "Explanation recorded: {subject}"),
        (
            "监督部门已记录执法人员{subject}对{enterprise}连续检查未发现问题的情况说明,该执法人员可恢复对该企业的检查。"
            "说明内容:{explanation}",
            "The supervising office recorded an explanation of the no-finding inspections of {enterprise} by "
            "{subject}; the inspector may inspect it again. Explanation: {explanation}",
        ),
        subject_field=F.INSPECTOR,
    ),
    # issue 12: conflicting standards
    Notice(
        "conflict.flagged",
        (_D, _S),
        {"inspection": F.ID, "first": F.ITEM, "second": F.ITEM, "topic": F.TEXT},
        (
            "【标准冲突】检查任务 {inspection} 同时涉及“{first}”与“{second}”,两者标准相互冲突:{topic}",
            "[Conflicting standards] Inspection {inspection} covers both “{first}” and “{second}”, whose "
            "standards conflict: {topic}",
        ),
        ("标准冲突提示:检查任务 {inspection}", "Conflicting standards: inspection {inspection}"),
        (
            "检查任务 {inspection} 同时涉及事项“{first}”与“{second}”,两者的检查标准相互冲突({topic})。"
            "请相关部门在检查前协调,并在检查后记录最终适用的标准(冲突编号 {subject})。",
            "Inspection {inspection} covers both “{first}” and “{second}”, whose standards conflict "
            "({topic}). The departments should agree before the visit and record afterwards which standard "
            "prevailed (conflict {subject}).",
        ),
    ),
    Notice(
        "conflict.in_scenario",
        (_D, _S),
        {"first": F.ITEM, "second": F.ITEM, "topic": F.TEXT},
        (
            "【标准冲突】场景 {subject} 同时包含“{first}”与“{second}”,两者标准相互冲突:{topic}",
            "[Conflicting standards] Scenario {subject} bundles “{first}” and “{second}”, whose standards "
            "conflict: {topic}",
        ),
        ("标准冲突提示:场景 {subject}", "Conflicting standards: scenario {subject}"),
        (
            "场景 {subject} 将事项“{first}”与“{second}”一并检查,两者的检查标准相互冲突({topic})。"
            "请相关部门事先协调;每次联合检查前还将另行提示。",
            "Scenario {subject} checks “{first}” and “{second}” together, and their standards conflict "
            "({topic}). The departments should agree in advance; each joint visit will be flagged again.",
        ),
    ),
    Notice(
        "conflict.resolved",
        (_D,),
        {"inspection": F.ID, "prevailing": F.ITEM, "reason": F.TEXT},
        (
            "【标准冲突已处理】检查任务 {inspection} 适用“{prevailing}”的标准,理由:{reason}",
            "[Conflict resolved] Inspection {inspection} follows the standard of “{prevailing}”; reason: {reason}",
        ),
        ("标准冲突已处理:检查任务 {inspection}", "Conflict resolved: inspection {inspection}"),
        (
            "检查任务 {inspection} 的标准冲突(编号 {subject})已处理,最终适用事项“{prevailing}”的标准。理由:{reason}",
            "The conflict {subject} on inspection {inspection} is resolved: the standard of “{prevailing}” "
            "prevailed. Reason: {reason}",
        ),
    ),
    # Licence prewarning, credit repair and legal review (issue 12).
    Notice(
        "licence.expiring",
        (_E,),
        {
            "holder": F.ENTERPRISE,
            "department": F.DEPARTMENT,
            "licence_kind": F.KIND,
            "number": F.ID,
            "expires_on": F.TEXT,
            "lead_days": F.NUMBER,
        },
        (
            "【许可证到期预警】{holder}的{licence_kind}(编号 {number})将于 {expires_on} 到期,请及时办理延续。",
            "[Licence expiring] The {licence_kind} of {holder} (number {number}) expires on {expires_on}; "
            "renew it in time.",
        ),
        ("许可证到期预警:{holder}", "Licence expiring: {holder}"),
        (
            "{holder}持有的{licence_kind}(编号 {number},发证部门:{department})将于 {expires_on} 到期,"
            "距到期不足 {lead_days} 天。请企业及时申请延续,发证部门做好服务。",
            "The {licence_kind} held by {holder} (number {number}, issued by {department}) expires on "
            "{expires_on}, within {lead_days} days. The enterprise should apply for renewal and the issuing "
            "department stand ready to help.",
        ),
    ),
    # The issuing department's side of the sweep: one digest per sweep page (docs/licences.md).
    Notice(
        "licence.expiring_digest",
        (_D,),
        {
            "department": F.DEPARTMENT,
            "count": F.NUMBER,
            "first_expiry": F.TEXT,
            "last_expiry": F.TEXT,
            "lead_days": F.NUMBER,
            "swept_on": F.TEXT,
            "licences": F.TEXT,
        },
        (
            "【许可证到期预警汇总】{department}核发的 {count} 张许可证将于 {first_expiry} 至 {last_expiry} 到期,"
            "已提醒持证企业。",
            "[Licences expiring] {count} licences issued by {department} expire from {first_expiry} to "
            "{last_expiry}; their holders have been warned.",
        ),
        ("许可证到期预警汇总:{department}({count} 张)", "Licences expiring: {department} ({count})"),
        (
            "{swept_on} 的到期预警:{department}核发的以下 {count} 张许可证将于 {first_expiry} 至 {last_expiry} "
            "到期,距到期不足 {lead_days} 天,已逐一提醒持证企业:{licences}。请做好延续办理服务。",
            "Expiry warnings of {swept_on}: the following {count} licences issued by {department} expire from "
            "{first_expiry} to {last_expiry}, within {lead_days} days, and each holder has been warned: "
            "{licences}. Please stand ready to process their renewals.",
        ),
    ),
    Notice(
        "penalty.issued",
        (_E,),
        {"department": F.DEPARTMENT, "kind": F.KIND, "fine": F.NUMBER},
        (
            "【行政处罚决定】{department}对贵单位作出{kind}决定(编号 {subject}),罚款 {fine} 元。",
            "[Penalty decision] {department} has decided a {kind} against you (decision {subject}); fine: {fine} yuan.",
        ),
        ("行政处罚决定:{subject}", "Penalty decision: {subject}"),
        (
            "{department}对贵单位作出{kind}决定(编号 {subject}),罚款 {fine} 元。"
            "该决定将依法公示,公示期满且整改完成后可申请信用修复。",
            "{department} has decided a {kind} against you (decision {subject}); fine: {fine} yuan. "
            "The decision is made public; once the minimum publicity has passed and the rectification "
            "is accepted, its credit record can be repaired.",
        ),
    ),
    Notice(
        "credit_repair.applied",
        (_D,),
        {"enterprise": F.ENTERPRISE, "reason": F.TEXT},
        (
            "【信用修复申请】{enterprise}申请修复处罚 {subject} 的信用记录,理由:{reason}。",
            "[Credit repair applied] {enterprise} applies to repair penalty {subject}; reason: {reason}.",
        ),
        ("信用修复申请:{enterprise}", "Credit repair application: {enterprise}"),
        (
            "{enterprise}申请修复处罚 {subject} 的信用记录,理由:{reason}。请审核后作出同意或不同意的决定。",
            "{enterprise} applies to repair the credit record of penalty {subject}; reason: {reason}. "
            "Please approve or reject the application.",
        ),
    ),
    Notice(
        "credit_repair.rejected",
        (_E,),
        {"reason": F.TEXT},
        (
            "【信用修复不予通过】处罚 {subject} 的信用修复申请未获同意,理由:{reason}。",
            "[Credit repair rejected] The repair of penalty {subject} was rejected: {reason}.",
        ),
        ("信用修复不予通过:{subject}", "Credit repair rejected: {subject}"),
        (
            "贵单位对处罚 {subject} 的信用修复申请未获同意,理由:{reason}。处罚信息继续公示。",
            "Your application to repair penalty {subject} was rejected: {reason}. The penalty stays public.",
        ),
    ),
    Notice(
        "credit_repair.repaired",
        (_E, _D),
        {"enterprise": F.ENTERPRISE, "kind": F.KIND},
        (
            "【信用修复完成】{enterprise}的{kind}处罚 {subject} 已完成信用修复,停止公示。",
            "[Credit repaired] The {kind} penalty {subject} of {enterprise} is repaired and no longer public.",
        ),
        ("信用修复完成:{enterprise}", "Credit repaired: {enterprise}"),
        (
            "{enterprise}的{kind}处罚 {subject} 已完成信用修复,相关处罚信息停止公示,企业信用记录相应更新。",
            "The {kind} penalty {subject} of {enterprise} is repaired: it is no longer public and the "
            "enterprise's credit record is updated.",
        ),
    ),
    Notice(
        "legal_review.requested",
        (_L,),
        {"enterprise": F.ENTERPRISE, "department": F.DEPARTMENT, "kind": F.KIND, "fine": F.NUMBER, "deadline": F.TIME},
        (
            "【法制审核申请】{department}拟对{enterprise}作出{kind}决定(罚款 {fine} 元),请于{deadline}前审核。",
            "[Legal review requested] {department} proposes a {kind} against {enterprise} (fine {fine} yuan); "
            "review it by {deadline}.",
        ),
        ("法制审核申请:{enterprise}", "Legal review requested: {enterprise}"),
        (
            "{department}拟对{enterprise}作出{kind}决定,罚款 {fine} 元,属于重大执法决定(审核编号 {subject})。"
            "请于{deadline}前完成法制审核。",
            "{department} proposes a {kind} against {enterprise} with a fine of {fine} yuan, a major decision "
            "(review {subject}). Please complete the legal review by {deadline}.",
        ),
    ),
    Notice(
        "legal_review.approved",
        (_D,),
        {"enterprise": F.ENTERPRISE, "reason": F.TEXT},
        (
            "【法制审核通过】对{enterprise}的处罚决定(审核 {subject})已通过法制审核。",
            "[Legal review approved] The decision against {enterprise} (review {subject}) is approved.",
        ),
        ("法制审核通过:{enterprise}", "Legal review approved: {enterprise}"),
        (
            "对{enterprise}的处罚决定(审核编号 {subject})已通过法制审核,可以作出决定。审核意见:{reason}",
            "The proposed decision against {enterprise} (review {subject}) passed the legal review and may "
            "be issued. Opinion: {reason}",
        ),
    ),
    Notice(
        "legal_review.returned",
        (_D,),
        {"enterprise": F.ENTERPRISE, "reason": F.TEXT},
        (
            "【法制审核退回】对{enterprise}的处罚决定(审核 {subject})被退回,理由:{reason}。",
            "[Legal review returned] The decision against {enterprise} (review {subject}) was returned: {reason}.",
        ),
        ("法制审核退回:{enterprise}", "Legal review returned: {enterprise}"),
        (
            "对{enterprise}的处罚决定(审核编号 {subject})未通过法制审核,被退回,理由:{reason}。请补正后重新提请审核。",
            "The proposed decision against {enterprise} (review {subject}) was returned by the legal "
            "review: {reason}. Correct it and request a new review.",
        ),
    ),
    Notice(
        "legal_review.overdue",
        (_L, _S),
        {"enterprise": F.ENTERPRISE, "department": F.DEPARTMENT, "deadline": F.TIME},
        (
            "【法制审核超期】{department}对{enterprise}的重大执法决定审核(编号 {subject})已超过期限{deadline}。",
            "[Legal review overdue] The review {subject} of a decision of {department} against {enterprise} "
            "passed its deadline {deadline}.",
        ),
        ("法制审核超期:{enterprise}", "Legal review overdue: {enterprise}"),
        (
            "{department}对{enterprise}的重大执法决定法制审核(编号 {subject})应于{deadline}前完成,现已超期。"
            "请尽快办理。",
            "The legal review {subject} of a major decision of {department} against {enterprise} was due by "
            "{deadline} and is overdue. Please complete it promptly.",
        ),
    ),
)
