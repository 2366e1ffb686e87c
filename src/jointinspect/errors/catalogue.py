"""The message catalogue: every stable error code with its English and Chinese template.

This is the one place where codes and texts live; a test checks that every code raised
anywhere in the package is catalogued here, and that each text reads wholly in its language.
"""

from __future__ import annotations

from collections.abc import Mapping

#: code -> (English template, Chinese template). Templates use ``str.format`` fields
#: taken from ``details``.
MESSAGES: Mapping[str, tuple[str, str]] = {
    # input validation (see jointinspect.validation and docs/validation.md)
    "input.invalid": ("Invalid input: {reason}", "输入无效:{reason}"),
    "input.not_text": ("{field} must be text, got {actual}", "{field} 应为文本,实为 {actual}"),
    "input.text_too_long": (
        "{field} is longer than {max_len} characters ({length})",
        "{field} 超过 {max_len} 个字符(实为 {length} 个)",
    ),
    "input.text_invalid_char": (
        "{field} contains a NUL character or an unpaired surrogate",
        "{field} 含有空字符或不成对的代理字符",
    ),
    "input.text_empty": ("{field} must not be empty", "{field} 不能为空"),
    "input.identifier": (
        "{field} {value!r} is not a valid identifier: ASCII letters and digits, then also"
        " '.', '_', ':' or '-', at most {max_len} characters",
        "{field} {value!r} 不是有效的标识:须以英文字母或数字开头,其后可含 '.'、'_'、':'、'-',至多 {max_len} 个字符",
    ),
    "input.not_sequence": (
        "{field} must be a list of values, not {actual}",
        "{field} 应为值的列表,而不是 {actual}",
    ),
    "input.sequence_too_long": ("{field} has more than {max_len} elements", "{field} 的元素超过 {max_len} 个"),
    "input.not_boolean": ("{field} must be true or false, got {actual}", "{field} 应为是或否,实为 {actual}"),
    "input.not_integer": ("{field} must be an integer, got {actual}", "{field} 应为整数,实为 {actual}"),
    "input.not_number": ("{field} must be a number, got {actual}", "{field} 应为数字,实为 {actual}"),
    "input.out_of_range": (
        "{field} {value} is outside {minimum} to {maximum}",
        "{field} 的值 {value} 超出 {minimum} 至 {maximum} 的范围",
    ),
    "input.not_instant": (
        "{field} must be an aware datetime or an ISO 8601 text with an offset, got {actual}",
        "{field} 应为带时区的时间或带时差的国际标准时间文本,实为 {actual}",
    ),
    "input.not_date": (
        "{field} must be a date or an ISO 8601 date text, got {actual}",
        "{field} 应为日期或国际标准日期文本,实为 {actual}",
    ),
    "input.wrong_type": ("{field} must be a {expected}, got {actual}", "{field} 的类型应为 {expected},实为 {actual}"),
    "input.not_member": (
        "{field} {value!r} is not a valid {enum_en}; expected one of: {accepted}",
        "{field} {value!r} 不是有效的{enum_zh};可选值:{accepted}",
    ),
    "input.certificate_dates": (
        "Certificate of {inspector!r} ends on {valid_until}, before it starts on {valid_from}",
        "执法人员 {inspector!r} 的执法证结束日期 {valid_until} 早于开始日期 {valid_from}",
    ),
    "enterprise.credit_code_invalid": (
        "Unified social credit code {value!r} is malformed: 18 digits or capital letters are needed",
        "统一社会信用代码 {value!r} 格式错误:应为 18 位数字或大写字母",
    ),
    "enterprise.credit_code_check": (
        "Unified social credit code {value!r} has a wrong check character",
        "统一社会信用代码 {value!r} 的校验码错误",
    ),
    "geo.invalid": ("Invalid position: {reason}", "位置无效:{reason}"),
    "geo.latitude": ("Latitude {value} is outside -90 to 90", "纬度 {value} 超出 -90 至 90 的范围"),
    "geo.longitude": ("Longitude {value} is outside -180 to 180", "经度 {value} 超出 -180 至 180 的范围"),
    "time.naive": (
        "Instant {value!r} has no time zone; pass an aware datetime",
        "时间 {value!r} 未带时区,请传入带时区的时间",
    ),
    "time.out_of_range": (
        "{field} {value} is outside the years {min_year} to {max_year}",
        "{field} 的时间 {value} 超出 {min_year} 年至 {max_year} 年的范围",
    ),
    "window.invalid": (
        "Window is empty or reversed: start {start} must be before end {end}",
        "检查时段无效:开始时间 {start} 必须早于结束时间 {end}",
    ),
    "plan.idempotency_conflict": (
        "Department {department} already filed plan number {key!r} as plan {plan!r} with other content ({field})",
        "部门 {department} 已用计划编号 {key!r} 提报计划 {plan!r},内容不同({field}),不能重复使用该编号",
    ),
    "filing.window_too_short": (
        "Field {field}: the window {start} to {end} is shorter than the {hours} hours a visit needs",
        "字段 {field}:检查时段 {start} 至 {end} 短于一次检查所需的 {hours} 小时",
    ),
    # reference data
    "reference.not_found": ("{kind} {key!r} is not registered", "{kind} {key!r} 未登记"),
    "reference.duplicate": ("{kind} {key!r} is already registered", "{kind} {key!r} 已登记"),
    "not_found": ("{kind} {key!r} does not exist", "{kind} {key!r} 不存在"),
    # filing
    "filing.item_not_owned": (
        "Item {item!r} belongs to department {owner!r}, not to the filing department {department!r}",
        "检查事项 {item!r} 属于部门 {owner!r},不属于提报部门 {department!r}",
    ),
    "filing.no_items": ("A plan needs at least one supervision item", "检查计划至少需要一个监管事项"),
    "filing.no_inspectors": (
        "A plan needs at least {minimum} inspector(s)",
        "检查计划至少需要 {minimum} 名执法人员",
    ),
    "filing.inspector_other_department": (
        "Inspector {inspector!r} belongs to {owner!r}, not to {department!r}",
        "执法人员 {inspector!r} 属于 {owner!r},不属于 {department!r}",
    ),
    "filing.certificate_invalid": (
        "Inspector {inspector!r} has no enforcement certificate valid from {start} to {end}",
        "执法人员 {inspector!r} 的执法证在 {start} 至 {end} 期间无效",
    ),
    "filing.certificate_scope": (
        "Inspector {inspector!r} is not certified for field {field!r} (item {item!r})",
        "执法人员 {inspector!r} 未取得 {field!r} 领域(事项 {item!r})的执法资格",
    ),
    "filing.too_late": (
        "Plans must be filed {required} {unit} ahead; this one starts on {start}, earliest allowed {earliest}",
        "检查计划须提前 {required} 个{unit_zh}报备;本计划开始于 {start},最早可为 {earliest}",
    ),
    "filing.quiet_period": (
        "Routine inspections are not allowed on {day} (quiet period)",
        "{day} 为静默期,不得开展例行检查",
    ),
    "filing.calendar_unknown": (
        "The working-day calendar does not cover {day}; update the holiday calendar package",
        "工作日历未覆盖 {day},请更新节假日日历",
    ),
    # whitelist
    "whitelist.exempt": (
        "Enterprise {enterprise!r} is whitelisted and exempt from {kind} inspections",
        "企业 {enterprise!r} 在白名单内,免于{kind}检查",
    ),
    "approval.not_pending": (
        "Plan {plan!r} is not awaiting approval (status {status})",
        "检查计划 {plan!r} 不在待审批状态(当前 {status})",
    ),
    "approval.wrong_role": (
        "Role {role!r} cannot approve plan {plan!r}; still needed: {needed}",
        "角色 {role!r} 无权审批计划 {plan!r};仍需:{needed}",
    ),
    "approval.role_ambiguous": (
        "Name the role to approve plan {plan!r} in: the principal holds {roles}",
        "请指明审批计划 {plan!r} 所用角色:该主体同时具有 {roles}",
    ),
    # frequency
    "frequency.blocked": (
        "Over-frequency: {rule} allows {limit} {kinds} inspection(s) of {enterprise!r}{scope_en} per {window}",
        "超频次:规则 {rule} 规定 {window} 内{scope_zh}对 {enterprise!r} 至多 {limit} 次检查",
    ),
    "frequency.blocked_joinable": (
        "Over-frequency: {rule} allows {limit} {kinds} inspection(s) of {enterprise!r}{scope_en} per {window};"
        " refile the plan into the window of an open visit: {visits}",
        "超频次:规则 {rule} 规定 {window} 内{scope_zh}对 {enterprise!r} 至多 {limit} 次检查;"
        "可将计划改报至已安排检查的时段并入:{visits}",
    ),
    # codes and check-in
    "token.malformed": ("The code is not a jointinspect code: {reason}", "不是有效的检查码:{reason}"),
    "token.unsupported_version": (
        "Code format version {version} is not supported",
        "不支持的检查码版本 {version}",
    ),
    "token.unknown_key": ("The code was signed with unknown key {key_id!r}", "检查码签名密钥 {key_id!r} 未知"),
    "token.bad_signature": ("The code's signature does not verify", "检查码签名校验失败"),
    "token.expired": ("The code expired at {expires_at}", "检查码已于 {expires_at} 过期"),
    "token.not_yet_valid": ("The code is valid only from {issued_at}", "检查码自 {issued_at} 起才生效"),
    "token.wrong_kind": ("Expected a {expected} code, got a {actual} code", "应为{expected}码,实为{actual}码"),
    "keys.no_signing_key": (
        "No signing key is available; generate or rotate one",
        "没有可用的签名密钥,请生成或轮换密钥",
    ),
    "keys.seed_weak": ("The key seed is refused: {reason}", "密钥种子不可用:{reason}"),
    "keys.seed_published": (
        "The key seed is printed in the documentation or examples; generate a secret one",
        "该密钥种子已公开于文档或示例中,请生成保密的种子",
    ),
    "keys.source_invalid": (
        "Cannot load a signing key from {source}: {reason}",
        "无法从 {source} 加载签名密钥:{reason}",
    ),
    "keys.retired": (
        "Key {key_id!r} is retired: it verifies but no longer signs",
        "密钥 {key_id!r} 已停用签名,仅用于验证",
    ),
    "token.lifetime_exceeded": (
        "The code is valid for {days} days; at most {max_days} days are allowed",
        "检查码有效期为 {days} 天,超过允许的 {max_days} 天",
    ),
    "token.enterprise_mismatch": (
        "The code is for enterprise {actual!r}, not {expected!r}",
        "检查码对应企业 {actual!r},而非 {expected!r}",
    ),
    "keys.revoked": ("Key {key_id!r} was revoked and cannot be added again", "密钥 {key_id!r} 已吊销,不能再次添加"),
    "checkin.inspection_unknown": ("Inspection {inspection!r} does not exist", "检查任务 {inspection!r} 不存在"),
    "checkin.inspection_superseded": (
        "Inspection {inspection!r} was merged into {successor!r}; use the new code",
        "检查任务 {inspection!r} 已合并至 {successor!r},请使用新检查码",
    ),
    "code.outdated": (
        "The code was signed before inspection {inspection!r} changed; it now runs {start} to {end}: issue a new code",
        "检查任务 {inspection!r} 在签发此检查码后已调整(现为 {start} 至 {end}),请重新签发检查码",
    ),
    "checkin.inspection_closed": ("Inspection {inspection!r} is {status}", "检查任务 {inspection!r} 状态为 {status}"),
    "code.window_over": (
        "Inspection {inspection!r}'s window ended at {end}; no code can be issued for it",
        "检查任务 {inspection!r} 的检查时段已于 {end} 结束,不能再生成检查码",
    ),
    "checkin.enterprise_mismatch": (
        "The enterprise code belongs to {scanned!r}, the inspection to {expected!r}",
        "企业码属于 {scanned!r},检查任务对象为 {expected!r}",
    ),
    "checkin.inspector_not_assigned": (
        "Inspector {inspector!r} is not assigned to inspection {inspection!r}",
        "执法人员 {inspector!r} 不在检查任务 {inspection!r} 名单内",
    ),
    "checkin.certificate_invalid": (
        "Inspector {inspector!r}'s certificate is not valid on {day}",
        "执法人员 {inspector!r} 的执法证在 {day} 无效",
    ),
    "checkin.certificate_scope": (
        "Inspector {inspector!r} is not certified for field {field!r}",
        "执法人员 {inspector!r} 未取得 {field!r} 领域执法资格",
    ),
    "checkin.outside_geofence": (
        "Position is {distance_m} m from the site; at most {radius_m} m allowed",
        "打卡位置距企业 {distance_m} 米,超出允许的 {radius_m} 米",
    ),
    "checkin.outside_window": (
        "Check-in at {at} is outside the inspection window {start} to {end}",
        "打卡时间 {at} 不在检查时段 {start} 至 {end} 内",
    ),
    "checkin.replayed": ("This code was already used by {inspector!r}", "该检查码已被 {inspector!r} 使用"),
    "checkin.scan_required": (
        "Scanning the enterprise code is required for check-in",
        "入企须扫描企业码",
    ),
    "checkin.already_checked_in": (
        "Inspector {inspector!r} is already checked in to {inspection!r}",
        "执法人员 {inspector!r} 已签到检查任务 {inspection!r}",
    ),
    "checkin.already_elsewhere": (
        "Inspector {inspector!r} is still checked in to {inspection!r}; check out there first",
        "执法人员 {inspector!r} 仍在检查任务 {inspection!r} 签到中,请先在该处签退",
    ),
    "checkin.concurrent": (
        "Inspector {inspector!r} was checked in elsewhere at the same moment; check out there first",
        "执法人员 {inspector!r} 同时在另一处签到,请先在该处签退",
    ),
    "checkin.not_checked_in": (
        "Inspector {inspector!r} is not checked in to {inspection!r}",
        "执法人员 {inspector!r} 未签到检查任务 {inspection!r}",
    ),
    # results, rectification, feedback
    "result.item_not_in_inspection": (
        "Item {item!r} is not part of inspection {inspection!r}",
        "事项 {item!r} 不属于检查任务 {inspection!r}",
    ),
    "result.not_checked_in": (
        "Results can only be recorded by an inspector checked in to {inspection!r}",
        "只有已签到检查任务 {inspection!r} 的执法人员可以录入结果",
    ),
    "result.duplicate": (
        "Item {item!r} of inspection {inspection!r} already has result {result!r}; correct it instead",
        "检查任务 {inspection!r} 的事项 {item!r} 已有结果 {result!r},请改为更正该结果",
    ),
    "result.inspection_closed": (
        "Inspection {inspection!r} is {status}; no result can be recorded",
        "检查任务 {inspection!r} 状态为 {status},不能再录入结果",
    ),
    "result.already_acknowledged": ("Result {result!r} is already acknowledged", "检查结果 {result!r} 已确认"),
    "rectification.illegal_transition": (
        "Rectification {rectification!r} cannot go from {state} by {action}",
        "整改 {rectification!r} 在 {state} 状态下不能执行 {action}",
    ),
    "rectification.deadline_past": (
        "The new deadline {deadline} is not after now ({now})",
        "新的整改期限 {deadline} 早于当前时间 {now}",
    ),
    "evaluation.not_checked_out": (
        "Inspection {inspection!r} can be rated only after check-out",
        "检查任务 {inspection!r} 离企后方可评价",
    ),
    "evaluation.duplicate": ("Inspection {inspection!r} is already rated", "检查任务 {inspection!r} 已评价"),
    "evaluation.score_range": ("Score {score} is outside 0-100", "评分 {score} 不在 0-100 之间"),
    # authorization
    "auth.no_principal": (
        "{operation} needs a principal, got {actual}",
        "执行 {operation} 须指明执行主体,实为 {actual}",
    ),
    "auth.forbidden": ("{principal} may not {operation}", "{principal} 无权执行 {operation}"),
    "auth.unknown_operation": (
        "{principal} may not {operation}: the operation has no authorization rule",
        "{principal} 无权执行 {operation}:该操作没有授权规则",
    ),
    "auth.wrong_department": (
        "{principal} may not {operation}: the record belongs to another department",
        "{principal} 无权执行 {operation}:该记录属于其他部门",
    ),
    "auth.wrong_enterprise": (
        "{principal} may not {operation}: only the enterprise visited may",
        "{principal} 无权执行 {operation}:仅被检查企业本身可以操作",
    ),
    "auth.not_themself": (
        "{principal} may not {operation} for another inspector",
        "{principal} 无权为其他执法人员执行 {operation}",
    ),
    "auth.not_assigned": (
        "{principal} may not {operation}: not assigned to the inspection",
        "{principal} 无权执行 {operation}:不在检查任务名单内",
    ),
    "auth.not_checked_in": (
        "{principal} may not {operation} without an open check-in at the inspection",
        "{principal} 未在该检查任务签到,无权执行 {operation}",
    ),
    "auth.own_plan": (
        "{principal} may not {operation}: the filing department cannot approve its own plan",
        "{principal} 无权执行 {operation}:提报部门不得审批本部门的计划",
    ),
    "auth.not_approver": (
        "{principal} may not {operation}: it does not hold the approval role claimed",
        "{principal} 无权执行 {operation}:不具备所申报的审批角色",
    ),
    "auth.same_approver": (
        "{principal} may not {operation} twice: each approval role needs a distinct principal",
        "{principal} 不得重复执行 {operation}:每个审批角色须由不同主体审批",
    ),
    # policy
    "policy.invalid": ("Policy is invalid: {reason}", "检查策略配置无效:{reason}"),
    "policy.allowance_negative": (
        "Policy field {field} must not be negative (got {value})",
        "策略字段 {field} 不得为负数(当前为 {value})",
    ),
    "policy.allowance_too_long": (
        "Policy field {field} allows {value} hours, more than the window length limit of {limit} days",
        "策略字段 {field} 允许调整 {value} 小时,超过时段长度上限 {limit} 天",
    ),
    "policy.common_day_too_short": (
        "Policy field {field} asks for {value} hours of common time within one day, more than a day holds (24)",
        "策略字段 {field} 要求同一日内有 {value} 小时的共同时段,超过一天的长度(24 小时)",
    ),
    "policy.allowance_triggered": (
        "Policy field {field}: a triggered kind ({kind}) never moves and takes no allowance",
        "策略字段 {field}:事件触发类检查({kind})不得调整时间,不能设置调整幅度",
    ),
    # storage
    "storage.integrity": ("Storage refused the data: {reason}", "存储拒绝了该数据:{reason}"),
    "storage.operational": ("Storage is unavailable: {reason}", "存储不可用:{reason}"),
    "storage.conflict": (
        "Concurrent change to {subject!r}; retry the operation",
        "{subject!r} 被并发修改,请重试",
    ),
    "storage.replication": (
        "The write was acknowledged by {acked} of the {wanted} replica(s) required within {timeout_ms} ms "
        "({operation}); it is not confirmed, retry the operation",
        "写入在 {timeout_ms} 毫秒内仅获得 {acked} 个副本确认,要求 {wanted} 个({operation});该写入未确认,请重试",
    ),
    "storage.durability": (
        "The database does not guarantee durable commits: {reason}",
        "数据库未保证提交的持久性:{reason}",
    ),
    "audit.broken": ("Audit chain broken at entry {seq}: {reason}", "审计链在第 {seq} 条断裂:{reason}"),
    # notification delivery (issue 17)
    "notify.failed": (
        "Notification {key!r} could not be delivered through {channel}: {reason}",
        "通知 {key!r} 经 {channel} 投递失败:{reason}",
    ),
    "notify.rejected": (
        "{channel} refused notification {key!r} for good: {reason}",
        "{channel} 永久拒收通知 {key!r}:{reason}",
    ),
    "notify.config_invalid": ("Notification routing is invalid: {reason}", "通知路由配置无效:{reason}"),
    "webhook.signature_invalid": (
        "The webhook signature is missing or does not match",
        "回调签名缺失或不匹配",
    ),
    "webhook.stale": (
        "The webhook timestamp {timestamp} is more than {tolerance} seconds from now",
        "回调时间戳 {timestamp} 与当前时间相差超过 {tolerance} 秒",
    ),
    "webhook.replayed": ("Webhook delivery {key!r} was already received", "回调 {key!r} 已接收过,拒绝重放"),
    "audit.value_invalid": (
        "Audit value {field} cannot be recorded: {reason}",
        "审计字段 {field} 无法记录:{reason}",
    ),
    "audit.anchor_invalid": (
        "Audit anchor at entry {seq} is not signed by a known key ({key_id!r})",
        "第 {seq} 条的审计锚点签名无效(密钥 {key_id!r})",
    ),
    # KPI plots and the reference web service (issue 13)
    "report.font_missing": (
        "The font {font} for the charts' labels is not installed (Debian package {package})",
        "图表标签所需的字体 {font} 未安装(请安装软件包 {package})",
    ),
    "auth.unauthenticated": ("Sign in first: {reason}", "请先登录:{reason}"),
    # issue 12: first-violation guidance, the inefficient-inspection watch, conflicting standards
    "guidance.no_penalty": (
        "Result {result!r} is a listed first violation answered with guidance; it is not penalised",
        "检查结果 {result!r} 属首违不罚、轻微免罚清单事项,已予指导,不予处罚",
    ),
    "guidance.not_a_violation": (
        "Result {result!r} found no violation (outcome {outcome})",
        "检查结果 {result!r} 未发现违法行为(结论为 {outcome})",
    ),
    "guidance.penalty_recorded": (
        "A penalty is already recorded for result {result!r}",
        "检查结果 {result!r} 已记录处罚",
    ),
    "guidance.stage_manual": (
        "Guidance is recorded when a listed first violation is found; record a penalty or assistance",
        "指导在发现清单内首次违法时自动记录,此处只能记录处罚或帮扶",
    ),
    "watch.explanation_required": (
        "Inspector {inspector!r} has {count} consecutive inspections of {enterprise!r} without a finding "
        "within {days} days; a supervisor must record an explanation first",
        "执法人员 {inspector!r} 在 {days} 天内对企业 {enterprise!r} 已连续 {count} 次检查未发现问题,"
        "须由监督部门记录情况说明后方可再次检查",
    ),
    "watch.not_blocked": (
        "Inspector {inspector!r} is not blocked at {enterprise!r}; there is nothing to explain",
        "执法人员 {inspector!r} 对企业 {enterprise!r} 未被限制检查,无需说明",
    ),
    "conflict.not_a_party": (
        "Item {item!r} is not one of the conflicting items {items}",
        "事项 {item!r} 不属于相互冲突的事项 {items}",
    ),
    "conflict.already_resolved": (
        "Conflict {flag!r} was already resolved in favour of {item!r}",
        "标准冲突 {flag!r} 已确定适用事项 {item!r} 的标准",
    ),
    # random spot checks, quiet slots, offline check-ins (issue 12)
    "spot_check.candidate_twice": (
        "Enterprise {enterprise!r} is listed twice among the candidates",
        "企业 {enterprise!r} 在候选名录中重复出现",
    ),
    "spot_check.share_out_of_range": (
        "The share {share} of credit class {credit_class} is outside the policy's bounds {minimum} to {maximum}",
        "信用等级 {credit_class} 的抽查比例 {share} 超出策略范围 {minimum} 至 {maximum}",
    ),
    "spot_check.class_not_drawn": (
        "The policy sets no share for credit class {credit_class}",
        "策略未规定信用等级 {credit_class} 的抽查比例",
    ),
    "spot_check.too_few_inspectors": (
        "Enterprise {enterprise!r} has {eligible} eligible inspector(s) after recusal; the draw needs {needed}",
        "回避后企业 {enterprise!r} 仅有 {eligible} 名可抽取的执法人员,需要 {needed} 名",
    ),
    "spot_check.format_unknown": (
        "Unknown format {format!r} of a published draw",
        "未知的抽查公示格式 {format!r}",
    ),
    "spot_check.already_drawn": (
        "Campaign {campaign!r} of {department} was already drawn; a draw is never repeated",
        "{department} 的抽查任务 {campaign!r} 已抽取,不得重抽",
    ),
    "filing.quiet_slot": (
        "The window lies wholly inside quiet slot {slot!r} of {enterprise} ({start} to {end})",
        "检查时段完全落在企业 {enterprise} 的免扰时段 {slot!r}({start} 至 {end})内",
    ),
    "quiet_slot.too_many": (
        "{enterprise} already holds {count} quiet slot(s) in {year}; the policy allows {limit}",
        "企业 {enterprise} 在 {year} 年已有 {count} 个免扰时段,策略上限为 {limit} 个",
    ),
    "quiet_slot.too_long": (
        "A quiet slot of {days} day(s) exceeds the policy's {limit}",
        "免扰时段长 {days} 天,超过策略上限 {limit} 天",
    ),
    "quiet_slot.year_exhausted": (
        "{enterprise} would hold {days} day(s) of quiet slots in {year}; the policy allows {limit}",
        "企业 {enterprise} 在 {year} 年的免扰时段将合计 {days} 天,超过策略上限 {limit} 天",
    ),
    "quiet_slot.overlap": ("The quiet slot overlaps quiet slot {slot!r}", "该免扰时段与免扰时段 {slot!r} 重叠"),
    "quiet_slot.invalid": (
        "A quiet slot must start today or later and end on or after its start ({start} to {end})",
        "免扰时段须自今日或以后开始,且结束日不早于开始日({start} 至 {end})",
    ),
    "checkin.offline_not_allowed": (
        "The policy accepts no offline check-ins",
        "策略不接受离线检查记录补录",
    ),
    "checkin.offline_expired": (
        "The offline check-in of {at} was filled in on {filled}, after the limit of {days} natural day(s)",
        "离线检查记录({at})于 {filled} 补录,已超过 {days} 个自然日的补录期限",
    ),
    "checkin.offline_signature": (
        "The offline check-in does not verify with the device key of inspector {inspector!r}",
        "离线检查记录无法用执法人员 {inspector!r} 的设备密钥验证签名",
    ),
    "checkin.offline_no_key": (
        "Inspector {inspector!r} has no registered device key",
        "执法人员 {inspector!r} 未登记设备密钥",
    ),
    "checkin.offline_future": (
        "The offline check-in time {at} lies in the future",
        "离线检查记录时间 {at} 晚于当前时间",
    ),
    "checkin.offline_duplicate": (
        "This offline check-in was already filled in as visit {visit!r}",
        "该离线检查记录已补录为到场记录 {visit!r}",
    ),
    "query.range_reversed": (
        "The range is empty or reversed: {since} must be before {until}",
        "查询范围为空或颠倒:{since} 必须早于 {until}",
    ),
    "keys.retire_current": (
        "Key {key_id!r} signs new codes; rotate to a new key before retiring it",
        "密钥 {key_id!r} 正用于签发新码,请先轮换密钥再停用",
    ),
    # penalties, credit repair and legal review (issue 12)
    "penalty.legal_review_required": (
        "A {kind} decision with a fine of {fine} yuan is a major decision: the legal office must approve "
        "a legal review of it first",
        "罚款 {fine} 元的{kind}决定属于重大执法决定,须先经法制审核机构审核通过",
    ),
    "penalty.review_mismatch": (
        "Legal review {review} does not cover this decision: {reason}",
        "法制审核 {review} 与本处罚决定不符:{reason}",
    ),
    "legal_review.not_requested": (
        "Legal review {review} is {state}; only a requested review can be decided",
        "法制审核 {review} 的状态为{state},只有待审核的才能作出审核决定",
    ),
    "credit_repair.too_early": (
        "Penalty {penalty} can be repaired from {eligible}, after {months} months of publicity",
        "处罚 {penalty} 须公示满 {months} 个月,自 {eligible} 起方可修复",
    ),
    "credit_repair.rectification_open": (
        "Penalty {penalty} cannot be repaired before its rectification {rectification} is accepted",
        "处罚 {penalty} 的整改 {rectification} 尚未验收通过,不能修复",
    ),
    "credit_repair.automatic": (
        "Penalty {penalty} is a {kind}: it is repaired automatically, no application is needed",
        "处罚 {penalty} 属于{kind},到期自动修复,无需申请",
    ),
    "credit_repair.not_public": (
        "Penalty {penalty} is {state}; only a publicised penalty can be applied for",
        "处罚 {penalty} 的状态为{state},只有公示中的处罚才能申请修复",
    ),
    "credit_repair.not_applied": (
        "Penalty {penalty} is {state}; there is no repair application to decide",
        "处罚 {penalty} 的状态为{state},没有待决定的修复申请",
    ),
}
