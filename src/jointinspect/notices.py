"""The notification catalogue: every kind the engine emits, who hears it, what it carries,
and how it reads in Chinese and English.

Each `Notice` names the recipient roles, the payload keys with their `Field` type, and
three templates per language: ``short`` (SMS, instant-message robots), ``subject`` and
``body`` (e-mail). `render` fills them from a `Notification`: instants shown in the policy
zone, departments, enterprises, inspectors and items shown by name through a `NameLookup`
(codes when a name is unknown), enumerations shown as words of the language.

A test scans the engine for ``notify("kind", ...)`` calls and fails when a kind or a payload
key is missing here; another renders every kind in both languages. The table in
``docs/notifications.md`` is `catalogue_markdown` and is checked by a test.
"""

from __future__ import annotations

import enum
import string
from collections.abc import Mapping
from typing import Literal, Protocol

import attrs
import pendulum

from jointinspect.model.notification import Notification, Role
from jointinspect.ports import Store

Lang = Literal["zh", "en"]


class Field(enum.StrEnum):
    """How a payload value is shown."""

    TEXT = "text"  # free text written by a person, shown as given
    ID = "id"  # an id or code, shown as given
    NUMBER = "number"
    TIME = "time"  # an ISO-8601 instant, shown in the policy zone
    ENTERPRISE = "enterprise"  # credit code -> enterprise name
    DEPARTMENT = "department"  # department code -> name
    DEPARTMENTS = "departments"  # comma-separated department codes -> names
    INSPECTOR = "inspector"  # inspector id -> name
    ITEM = "item"  # supervision item code -> name
    KIND = "kind"  # InspectionKind value -> words
    REASON = "reason"  # ComplaintReason value -> words
    RATER = "rater"  # "anonymous" or an enterprise credit code


@attrs.frozen
class Notice:
    """One catalogued notification kind.

    Attributes:
        kind: the notification kind, e.g. ``"plan.filed"``.
        roles: the roles that receive it by default.
        role_policy: when not empty, the policy setting that chooses the role instead.
        fields: payload key -> how it is shown.
        subject_field: how the notification's subject (an id) is shown.
        short: (zh, en) one-line text for SMS and robots.
        title: (zh, en) e-mail subject.
        body: (zh, en) fuller e-mail body.
    """

    kind: str
    roles: tuple[Role, ...]
    fields: Mapping[str, Field]
    short: tuple[str, str]
    title: tuple[str, str]
    body: tuple[str, str]
    subject_field: Field = Field.ID
    role_policy: str = ""


@attrs.frozen
class RenderedNotice:
    """A notification rendered in one language."""

    lang: Lang
    short: str
    subject: str
    body: str


class NameLookup(Protocol):
    """Names for codes; ``None`` when unknown (the code is shown instead)."""

    def department(self, code: str) -> str | None:
        """The department's name."""
        ...

    def enterprise(self, credit_code: str) -> str | None:
        """The enterprise's name."""
        ...

    def inspector(self, inspector_id: str) -> str | None:
        """The inspector's name."""
        ...

    def item(self, code: str) -> str | None:
        """The supervision item's name."""
        ...


class NoNames:
    """A `NameLookup` that knows no names: every code is shown as it is."""

    def department(self, code: str) -> str | None:
        """Always ``None``."""
        return None

    def enterprise(self, credit_code: str) -> str | None:
        """Always ``None``."""
        return None

    def inspector(self, inspector_id: str) -> str | None:
        """Always ``None``."""
        return None

    def item(self, code: str) -> str | None:
        """Always ``None``."""
        return None


class StoreNames:
    """A `NameLookup` reading the store's reference repository (one unit of work per miss,
    names cached for the life of the object)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache: dict[tuple[str, str], str | None] = {}

    def _get(self, what: str, code: str) -> str | None:
        if (what, code) not in self._cache:
            with self._store.unit_of_work() as uow:
                ref = uow.reference
                found = {
                    "department": ref.get_department,
                    "enterprise": ref.get_enterprise,
                    "inspector": ref.get_inspector,
                    "item": ref.get_item,
                }[what](code)
            self._cache[what, code] = found.name if found is not None else None
        return self._cache[what, code]

    def department(self, code: str) -> str | None:
        """The department's registered name."""
        return self._get("department", code)

    def enterprise(self, credit_code: str) -> str | None:
        """The enterprise's registered name."""
        return self._get("enterprise", credit_code)

    def inspector(self, inspector_id: str) -> str | None:
        """The inspector's registered name."""
        return self._get("inspector", inspector_id)

    def item(self, code: str) -> str | None:
        """The supervision item's registered name."""
        return self._get("item", code)


def names_from_store(store: Store) -> StoreNames:
    """A `NameLookup` backed by ``store``'s reference data."""
    return StoreNames(store)


F = Field
_D, _S, _L, _E = Role.DEPARTMENT, Role.SUPERVISOR, Role.LEGAL_OFFICE, Role.ENTERPRISE

_NOTICES: tuple[Notice, ...] = (
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

# Issue 12's entries live in their own module (it needs `Notice` and `Field` from here).
from jointinspect.notices_fieldwork import FIELDWORK_NOTICES  # noqa: E402

#: kind -> catalogue entry.
CATALOGUE: Mapping[str, Notice] = {n.kind: n for n in (*_NOTICES, *FIELDWORK_NOTICES)}

#: What an unknown kind renders as (a notifier must never stall the outbox on a new kind).
GENERIC = Notice(
    "*",
    (),
    {},
    ("【通知】{kind}:{subject}", "[Notice] {kind}: {subject}"),
    ("通知:{kind}", "Notice: {kind}"),
    ("事项 {kind},编号 {subject}。", "Notice {kind} about {subject}."),
)

_LABELS: Mapping[str, tuple[str, str]] = {
    # InspectionKind
    "routine": ("日常检查", "routine inspection"),
    "random": ("双随机抽查", "random spot check"),
    "special": ("专项检查", "special inspection"),
    "complaint": ("投诉核查", "complaint investigation"),
    "report": ("举报核查", "report investigation"),
    "assigned": ("上级交办检查", "assigned inspection"),
    "referral": ("移送检查", "referral inspection"),
    "data": ("数据触发检查", "data-triggered inspection"),
    "emergency": ("应急检查", "emergency inspection"),
    # Licence kinds of the examples (others are shown as given)
    "food_business": ("食品经营许可证", "food business licence"),
    "food_production": ("食品生产许可证", "food production licence"),
    "drug_retail": ("药品经营许可证", "drug retail licence"),
    "special_equipment_use": ("特种设备使用登记证", "special equipment registration"),
    "public_hygiene": ("公共场所卫生许可证", "public hygiene licence"),
    # PenaltyKind
    "admonition": ("警告", "admonition"),
    "fine": ("罚款", "fine"),
    "confiscation": ("没收", "confiscation"),
    "suspension": ("暂扣许可或停产停业", "suspension"),
    "revocation": ("吊销许可证件", "revocation"),
    "restriction": ("限制生产经营", "restriction"),
    # ComplaintReason
    "no_scan": ("未扫码进入", "entry without a scan"),
    "misconduct": ("执法行为不规范", "misconduct"),
    "over_frequency": ("检查过于频繁", "too many inspections"),
    "unsatisfied": ("对检查不满意", "dissatisfaction"),
    "other": ("其他", "other"),
    # Role (as a recipient)
    "department": ("执法部门", "enforcement department"),
    "legal_office": ("政策法规科室", "legal office"),
    "supervisor": ("司法行政部门", "judicial administration"),
    "discipline": ("纪检监察机关", "discipline inspection commission"),
    "enterprise": ("企业", "enterprise"),
    "inspector": ("执法人员", "inspector"),
    "anonymous": ("匿名企业", "an anonymous enterprise"),
}

_FOOTER = (
    "\n\n通知编号:{key}\n发出时间:{at}(时区 {zone})",
    "\n\nNotice key: {key}\nIssued: {at} (time zone {zone})",
)


def notice_for(kind: str) -> Notice:
    """The catalogue entry of ``kind`` (`GENERIC` for an unknown kind)."""
    return CATALOGUE.get(kind, GENERIC)


def _label(value: str, lang: Lang) -> str:
    pair = _LABELS.get(value)
    return value if pair is None else pair[0 if lang == "zh" else 1]


def _time(value: str, zone: str) -> str:
    try:
        instant = pendulum.parse(value)
    except (ValueError, pendulum.parsing.exceptions.ParserError):
        return value
    if not isinstance(instant, pendulum.DateTime):
        return value
    return instant.in_tz(zone).format("YYYY-MM-DD HH:mm")


def _show(field: Field, value: str, lang: Lang, names: NameLookup, zone: str) -> str:
    if field is Field.TIME:
        return _time(value, zone)
    if field is Field.ENTERPRISE:
        return names.enterprise(value) or value
    if field is Field.DEPARTMENT:
        return names.department(value) or value
    if field is Field.DEPARTMENTS:
        codes = [c for c in value.split(",") if c]
        return ("、" if lang == "zh" else ", ").join(names.department(c) or c for c in codes)
    if field is Field.INSPECTOR:
        return names.inspector(value) or value
    if field is Field.ITEM:
        return names.item(value) or value
    if field in (Field.KIND, Field.REASON):
        return _label(value, lang)
    if field is Field.RATER:
        return _label(value, lang) if value == "anonymous" else names.enterprise(value) or value
    return value


def template_fields(template: str) -> set[str]:
    """The names a template uses."""
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def render(
    notification: Notification,
    lang: Lang = "zh",
    *,
    names: NameLookup | None = None,
    zone: str = "Asia/Shanghai",
) -> RenderedNotice:
    """Render ``notification`` in ``lang``: times in ``zone``, names rather than codes.

    A payload key the notification lacks is shown as ``-``; an unknown kind renders
    through `GENERIC`.
    """
    names = names or NoNames()
    notice = notice_for(notification.kind)
    data = notification.data()
    values: dict[str, str] = {
        key: _show(field, data[key], lang, names, zone) if key in data else "-" for key, field in notice.fields.items()
    }
    values["subject"] = _show(notice.subject_field, notification.subject, lang, names, zone)
    values["kind"] = values.get("kind", notification.kind)
    values["key"] = notification.key
    values["at"] = _time(notification.at.isoformat(), zone)
    values["zone"] = zone
    i = 0 if lang == "zh" else 1
    return RenderedNotice(
        lang=lang,
        short=notice.short[i].format(**values),
        subject=notice.title[i].format(**values),
        body=notice.body[i].format(**values) + _FOOTER[i].format(**values),
    )


def role_label(role: Role, lang: Lang) -> str:
    """A role in words."""
    return _label(role.value, lang)


def catalogue_markdown(*, zh: bool = False) -> str:
    """The catalogue as a Markdown table (the one in ``docs/notifications.md``).

    With ``zh=True`` the headers and the role-policy phrase are Chinese, for the Chinese twin
    ``docs/notifications.zh.md``; kinds, keys and both templates stay as they are.
    """
    if zh:
        header = "| 通知类型 | 接收角色 | 载荷键 | 中文短文本 | 英文短文本 |"
    else:
        header = "| Kind | Recipients | Payload keys | Short text (zh) | Short text (en) |"
    lines = [header, "|---|---|---|---|---|"]
    for n in CATALOGUE.values():
        roles = ", ".join(f"`{r.value}`" for r in n.roles)
        if n.role_policy:
            roles += f"（由 `{n.role_policy}` 设定）" if zh else f" (set by `{n.role_policy}`)"
        keys = ", ".join(f"`{k}` ({f.value})" for k, f in n.fields.items()) or "—"
        short_zh, short_en = (s.replace("|", "\\|") for s in n.short)
        lines.append(f"| `{n.kind}` | {roles} | {keys} | {short_zh} | {short_en} |")
    return "\n".join(lines) + "\n"
