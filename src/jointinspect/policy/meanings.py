"""What each policy field means, in Chinese and English, with its unit and the city whose rule it is.

Every policy field carries this as attrs metadata (``metadata={"zh": ..., "unit": ...,
"source": ...}``); the generated policy reference (docs/policy-reference.md and its Chinese
twin) prints it, and tests/test_policy_reference.py fails for a field without it. The fields of
the original schema take theirs from this table to keep schema.py short; a new rule group
may write its metadata inline. ``unit`` is an English unit word ("day", "hour", ...; "" for
none), ``source`` the place whose rule the field encodes ("" when the library's own).
"""

from __future__ import annotations

from collections.abc import Mapping

MEANINGS: Mapping[str, Mapping[str, str]] = {
    "FilingPolicy.advance": {
        "zh": "提前报备的天数:检查计划须至少提前这么多天报备",
        "unit": "day",
        "source": "Yantai",
        "en": "how many days before the inspection a plan must be filed",
    },
    "FilingPolicy.unit": {
        "zh": "提前报备天数的计法:自然日(calendar)或工作日(working)",
        "unit": "",
        "source": "Nanchang",
        "en": "whether advance notice counts calendar or working days",
    },
    "FilingPolicy.exempt_kinds": {
        "zh": "无需提前报备的检查类型(投诉、举报、上级交办等触发式检查,事后报告)",
        "unit": "",
        "source": "Yantai",
        "en": "kinds that need no advance notice (triggered inspections, reported afterwards)",
    },
    "FilingPolicy.min_inspectors": {
        "zh": "每次检查至少的执法人员人数",
        "unit": "person",
        "source": "national",
        "en": "the least number of inspectors on a plan",
    },
    "FilingPolicy.quiet_days": {
        "zh": "“无打扰日”:每月中不得开始 quiet_kinds 检查的日子",
        "unit": "day of month",
        "source": "county quiet period",
        "en": "days of the month on which quiet_kinds may not start",
    },
    "FilingPolicy.quiet_kinds": {
        "zh": "“无打扰日”内不得开始的检查类型",
        "unit": "",
        "source": "county quiet period",
        "en": "kinds the quiet days forbid",
    },
    "FilingPolicy.calendar_fallback": {
        "zh": "节假日日历尚未覆盖某日时的处理:按周一至周五计工作日,或拒绝",
        "unit": "",
        "source": "",
        "en": "what a day outside the holiday calendar counts as",
    },
    "FilingPolicy.extra_holidays": {
        "zh": "补充的法定节假日(日历包尚未收录的次年安排)",
        "unit": "date",
        "source": "",
        "en": "holidays to add before the calendar package has them",
    },
    "FilingPolicy.extra_workdays": {
        "zh": "补充的调休上班日",
        "unit": "date",
        "source": "",
        "en": "adjusted working days to add",
    },
    "WhitelistPolicy.classes": {
        "zh": "按信用风险分类等级(A/B/C/D)自动纳入白名单的方式:限制检查(limited)或免于检查(exempt)",
        "unit": "",
        "source": "Yantai",
        "en": "per credit class, how the whitelist treats an enterprise",
    },
    "WhitelistPolicy.explicit": {
        "zh": "明确列入白名单的企业的处理方式",
        "unit": "",
        "source": "Yantai",
        "en": "the mode of enterprises put on the whitelist explicitly",
    },
    "WhitelistPolicy.kinds": {
        "zh": "白名单所限制的检查类型(触发式检查照常进行)",
        "unit": "",
        "source": "Yantai",
        "en": "kinds the whitelist restricts",
    },
    "WhitelistPolicy.approvers": {
        "zh": "检查白名单企业须经审批的角色,须全部同意(莱州:部门法制科室与司法局双审批)",
        "unit": "",
        "source": "Laizhou",
        "en": "roles that must all approve an inspection of a whitelisted enterprise",
    },
    "Allowance.days": {
        "zh": "检查可偏离报备时间窗的天数",
        "unit": "day",
        "source": "",
        "en": "how many days a visit may fall outside the filed window",
    },
    "Allowance.hours": {
        "zh": "检查可偏离报备时间窗的小时数(与天数相加)",
        "unit": "hour",
        "source": "",
        "en": "hours added to the days",
    },
    "Allowance.direction": {
        "zh": "可偏离的方向:提前(earlier)、推后(later)或两者(both)",
        "unit": "",
        "source": "",
        "en": "which way the window may widen",
    },
    "MatchingPolicy.min_common_hours": {
        "zh": "合并为一次联合检查所需的共同时间(小时)",
        "unit": "hour",
        "source": "Wuhu",
        "en": "the least common time of plans merged into one joint visit",
    },
    "MatchingPolicy.lead_rule": {
        "zh": "联合检查牵头部门的确定方式(“一家发起、多家响应”)",
        "unit": "",
        "source": "Yantai",
        "en": "how the lead department of a joint inspection is chosen",
    },
    "MatchingPolicy.lead_priority": {
        "zh": "按优先顺序排列的牵头部门代码(lead_rule = priority 时使用)",
        "unit": "",
        "source": "",
        "en": "departments in lead priority order (for lead_rule = priority)",
    },
    "MatchingPolicy.kinds": {
        "zh": "可以合并为联合检查的检查类型(应急检查单独进行)",
        "unit": "",
        "source": "X city",
        "en": "kinds that may merge into a joint visit",
    },
    "MatchingPolicy.allowances": {
        "zh": "按计划内检查类型,检查可偏离报备时间窗的幅度",
        "unit": "",
        "source": "",
        "en": "per planned kind, how far a visit may fall outside the filed window",
    },
    "MatchingPolicy.window_limit_days": {
        "zh": "任一偏离幅度的上限",
        "unit": "day",
        "source": "",
        "en": "the longest allowance",
    },
    "FrequencyRule.name": {
        "zh": "规则名称(标识符,出现在预警通知中)",
        "unit": "",
        "source": "",
        "en": "the rule's identifier (part of notification keys)",
    },
    "FrequencyRule.limit": {
        "zh": "时间窗内允许的检查次数,超过即拦截或预警",
        "unit": "visit",
        "source": "Wuhu",
        "en": "how many visits the window allows before the rule acts",
    },
    "FrequencyRule.action": {
        "zh": "超频时的处理:拦截(block)或预警(warn)",
        "unit": "",
        "source": "Wuhu",
        "en": "what an over-frequency visit gets: block or warn",
    },
    "FrequencyRule.scope": {
        "zh": "计数范围:同一企业、同一部门对同一企业、同一执法人员对同一企业",
        "unit": "",
        "source": "Xianning",
        "en": "what is counted together: enterprise, department and enterprise, inspector and enterprise",
    },
    "FrequencyRule.applies_to": {
        "zh": "本规则适用于哪些类型的新检查",
        "unit": "",
        "source": "Wuhu",
        "en": "kinds of the new visit the rule checks",
    },
    "FrequencyRule.counts": {
        "zh": "哪些类型的已有检查计入次数",
        "unit": "",
        "source": "national",
        "en": "kinds of earlier visits that count",
    },
    "FrequencyRule.window_days": {
        "zh": "滚动时间窗的天数(与 period 二选一)",
        "unit": "day",
        "source": "Wuhu",
        "en": "a rolling window in days (or give period)",
    },
    "FrequencyRule.period": {
        "zh": "自然日、自然周、自然月或自然年(与 window_days 二选一)",
        "unit": "",
        "source": "Chengdu",
        "en": "a calendar day, week, month or year (or give window_days)",
    },
    "FrequencyRule.notify": {
        "zh": "预警通知的接收角色(督办)",
        "unit": "",
        "source": "Wuhu",
        "en": "who hears a warning",
    },
    "CheckInPolicy.radius_m": {
        "zh": "扫码入企的定位范围(“云打卡”):距企业位置的最大距离",
        "unit": "metre",
        "source": "Dezhou",
        "en": "the geofence: how far from the site a check-in may be",
    },
    "CheckInPolicy.tolerance_minutes": {
        "zh": "扫码时间与检查时间窗之间允许的误差",
        "unit": "minute",
        "source": "",
        "en": "clock tolerance around the visit's window",
    },
    "CheckInPolicy.one_time_codes": {
        "zh": "检查码只能使用一次(“无码不检查、进门先亮码”)",
        "unit": "",
        "source": "Yantai",
        "en": "an inspection code is used once",
    },
    "CheckInPolicy.require_enterprise_scan": {
        "zh": "执法人员须扫企业码入企,未扫码即记为未扫码入企",
        "unit": "",
        "source": "Dezhou",
        "en": "inspectors must scan the enterprise code at the gate",
    },
    "CheckInPolicy.enterprise_code_days": {
        "zh": "张贴在企业门口的企业码的有效期",
        "unit": "day",
        "source": "Yantai",
        "en": "lifetime of the standing enterprise code at the gate",
    },
    "SharingPolicy.lookback_months": {
        "zh": "同一事项检查结果共享的回溯期(烟台:近半年)",
        "unit": "month",
        "source": "Yantai",
        "en": "how far back same-item records are shown to a department filing a plan",
    },
    "RectificationPolicy.deadline_days": {
        "zh": "整改期限",
        "unit": "day",
        "source": "X city",
        "en": "days an enterprise has to rectify",
    },
    "RectificationPolicy.first_violation_guidance": {
        "zh": "“首违不罚”:清单内首次轻微违法以指导代替处罚",
        "unit": "",
        "source": "Haigang",
        "en": "first violation, no penalty: listed first minor findings become guidance",
    },
    "AuthorizationPolicy.reference": {
        "zh": "可登记企业、部门、执法人员、监管事项和场景的主体类别",
        "unit": "",
        "source": "",
        "en": "principal kinds that may register enterprises, departments, inspectors, items and scenarios",
    },
    "AuthorizationPolicy.whitelist": {
        "zh": "可将企业列入或移出白名单的主体类别",
        "unit": "",
        "source": "",
        "en": "principal kinds that may put an enterprise on or off the whitelist",
    },
    "AuthorizationPolicy.sites": {
        "zh": "可变更企业位置(定位中心)的主体类别",
        "unit": "",
        "source": "",
        "en": "principal kinds that may move an enterprise's site",
    },
    "AuthorizationPolicy.key_supervision": {
        "zh": "可将企业列为重点监管对象的主体类别",
        "unit": "",
        "source": "",
        "en": "principal kinds that may mark an enterprise for key supervision",
    },
    "AuthorizationPolicy.inspector_department": {
        "zh": "可调整执法人员所属部门的主体类别",
        "unit": "",
        "source": "",
        "en": "principal kinds that may move an inspector to another department",
    },
    "AuthorizationPolicy.maintenance": {
        "zh": "可执行维护操作(投递通知、对账、清理、审计校验)的主体类别",
        "unit": "",
        "source": "",
        "en": "principal kinds that may run maintenance",
    },
    "CodesPolicy.max_lifetime_days": {
        "zh": "任何检查码、企业码的最长有效期",
        "unit": "day",
        "source": "",
        "en": "the longest validity of any signed code",
    },
    "AuditPolicy.anchor_every": {
        "zh": "每隔多少条审计记录签名一次链头(0:仅按需)",
        "unit": "entry",
        "source": "",
        "en": "sign the audit head every this many entries (0: on demand)",
    },
    "MaintenancePolicy.retention_days": {
        "zh": "已投递通知和过期一次性密钥的保留天数",
        "unit": "day",
        "source": "",
        "en": "days delivered notifications and expired one-time keys are kept",
    },
    "MaintenancePolicy.prune_every": {
        "zh": "每隔多少次操作自动清理一次(0:仅按需)",
        "unit": "operation",
        "source": "",
        "en": "also prune after every this many operations (0: on demand)",
    },
    "DeliveryPolicy.backoff_seconds": {
        "zh": "通知发送失败后首次重试的等待时间,此后每次翻倍",
        "unit": "second",
        "source": "",
        "en": "delay before the first retry of a failed notifier; it doubles",
    },
    "DeliveryPolicy.backoff_cap_seconds": {
        "zh": "重试等待时间的上限",
        "unit": "second",
        "source": "",
        "en": "the cap of the retry delay",
    },
    "DeliveryPolicy.send_timeout_seconds": {
        "zh": "单次发送超时即视为失败(0:一直等待)",
        "unit": "second",
        "source": "",
        "en": "a send running longer counts as failed (0: wait)",
    },
    "Policy.name": {
        "zh": "策略名称(通常为城市名)",
        "unit": "",
        "source": "",
        "en": "the policy's name (usually the city)",
    },
    "Policy.zone": {
        "zh": "策略所用时区(自然日、自然月等按此时区计算)",
        "unit": "",
        "source": "",
        "en": "the time zone calendar rules count in",
    },
}
