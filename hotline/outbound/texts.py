"""Every text the service sends, per language, in one place: fixed templates with a few
variables, so carriers that vet templates (mainland China) see the same shapes every time.

No template takes caller data: no number, no pseudonym, no note. A template with a link has a
twin without it, for lines whose texts may not carry links.
"""

from __future__ import annotations

from dataclasses import dataclass

ZH, EN = "zh", "en"


@dataclass(frozen=True, slots=True)
class Text:
    subject: str
    body: str
    body_without_link: str


_TEXTS: dict[str, dict[str, Text]] = {
    # To a line's supervisors: a call judged high risk. Link: the call's page.
    "risk-alert": {
        ZH: Text(
            "【热线】高风险来电 #{call}",
            "【热线】{line} 来电 #{call}（{arrived}）被评为高风险，请尽快查看并确认：{link}",
            "【热线】{line} 来电 #{call}（{arrived}）被评为高风险，请尽快登录系统查看并确认。",
        ),
        EN: Text(
            "[Hotline] High-risk call #{call}",
            "[Hotline] {line}: call #{call} ({arrived}) was judged high risk. "
            "Please review and acknowledge: {link}",
            "[Hotline] {line}: call #{call} ({arrived}) was judged high risk. "
            "Please sign in to review and acknowledge.",
        ),
    },
    # Escalation to operators (no clinical detail: they see the alerts page only).
    "risk-alert-operator": {
        ZH: Text(
            "【热线】高风险提醒未确认 #{alert}",
            "【热线】{line} 的高风险提醒 #{alert} 已 {minutes} 分钟无人确认（第{level}级），"
            "请联系督导：{link}",
            "【热线】{line} 的高风险提醒 #{alert} 已 {minutes} 分钟无人确认（第{level}级），"
            "请联系督导。",
        ),
        EN: Text(
            "[Hotline] Risk alert #{alert} not acknowledged",
            "[Hotline] {line}: risk alert #{alert} unacknowledged for {minutes} min "
            "(level {level}). Please reach a supervisor: {link}",
            "[Hotline] {line}: risk alert #{alert} unacknowledged for {minutes} min "
            "(level {level}). Please reach a supervisor.",
        ),
    },
    # Escalation to the psychiatrist on duty (a counselor account: no link to the record).
    "risk-alert-psychiatrist": {
        ZH: Text(
            "【热线】高风险提醒需要值班精神科医生 #{alert}",
            "【热线】{line} 的高风险提醒 #{alert} 已 {minutes} 分钟无督导确认，"
            "请联系热线督导或值班人员。",
            "【热线】{line} 的高风险提醒 #{alert} 已 {minutes} 分钟无督导确认，"
            "请联系热线督导或值班人员。",
        ),
        EN: Text(
            "[Hotline] Risk alert #{alert} needs the psychiatrist on duty",
            "[Hotline] {line}: risk alert #{alert} has had no supervisor for {minutes} min. "
            "Please contact the line's supervisors or operators.",
            "[Hotline] {line}: risk alert #{alert} has had no supervisor for {minutes} min. "
            "Please contact the line's supervisors or operators.",
        ),
    },
    # To operators: a message could not be delivered.
    "delivery-problem": {
        ZH: Text(
            "【热线】消息无法送达 #{message}",
            "【热线】消息 #{message}（{kind}，{channel}）无法送达：{reason}。详情：{link}",
            "【热线】消息 #{message}（{kind}，{channel}）无法送达：{reason}。"
            "请登录系统查看发件箱。",
        ),
        EN: Text(
            "[Hotline] Message #{message} not delivered",
            "[Hotline] Message #{message} ({kind}, {channel}) could not be delivered: {reason}. "
            "Details: {link}",
            "[Hotline] Message #{message} ({kind}, {channel}) could not be delivered: {reason}. "
            "Please sign in and check the outbox.",
        ),
    },
    # To operators: scheduled runs did not happen in time.
    "job-missed": {
        ZH: Text(
            "【热线】定时任务未按时运行：{job}",
            "【热线】定时任务 {job} 错过了 {count} 次运行（{first} 至 {last}），"
            "调度器当时未运行。详情：{link}",
            "【热线】定时任务 {job} 错过了 {count} 次运行（{first} 至 {last}），调度器当时未运行。",
        ),
        EN: Text(
            "[Hotline] Scheduled job missed: {job}",
            "[Hotline] Job {job} missed {count} run(s) ({first} to {last}): the scheduler was "
            "not running. Details: {link}",
            "[Hotline] Job {job} missed {count} run(s) ({first} to {last}): the scheduler was "
            "not running.",
        ),
    },
    # To a counselor, 12 h before a shift (their language).
    "shift-reminder": {
        ZH: Text(
            "【热线】值班提醒：{line}",
            "【热线】提醒：您在 {line} 的值班（第{tier}梯队）将于 {start} 开始，至 {end}。",
            "【热线】提醒：您在 {line} 的值班（第{tier}梯队）将于 {start} 开始，至 {end}。",
        ),
        EN: Text(
            "[Hotline] Shift reminder: {line}",
            "[Hotline] Reminder: your {line} shift (tier {tier}) starts {start} and ends {end}.",
            "[Hotline] Reminder: your {line} shift (tier {tier}) starts {start} and ends {end}.",
        ),
    },
    # To a counselor near the start of a shift: one click, or a reply where two-way SMS works.
    "shift-confirmation": {
        ZH: Text(
            "【热线】请确认值班：{line} {start}",
            "【热线】请确认您在 {line} {start} 开始的值班：{link}",
            "【热线】请登录系统首页确认您在 {line} {start} 开始的值班。",
        ),
        EN: Text(
            "[Hotline] Please confirm your shift: {line} {start}",
            "[Hotline] Please confirm your {line} shift starting {start}: reply 1 or OK, "
            "or confirm at {link}",
            "[Hotline] Please confirm your {line} shift starting {start}: reply 1 or OK, "
            "or confirm on your start page.",
        ),
    },
    # To operators and the next tier: a shift that started without its confirmation.
    "shift-unconfirmed": {
        ZH: Text(
            "【热线】值班未确认：{line} {start}",
            "【热线】{counselor} 未确认 {line} 于 {start} 开始的第{tier}梯队值班，"
            "请核实是否有人接听：{link}",
            "【热线】{counselor} 未确认 {line} 于 {start} 开始的第{tier}梯队值班，"
            "请核实是否有人接听。",
        ),
        EN: Text(
            "[Hotline] Shift not confirmed: {line} {start}",
            "[Hotline] {counselor} has not confirmed the {line} tier {tier} shift that started "
            "{start}. Please check the line is covered: {link}",
            "[Hotline] {counselor} has not confirmed the {line} tier {tier} shift that started "
            "{start}. Please check the line is covered.",
        ),
    },
    # To operators: tier 1 will have nobody (within the line's service hours).
    "coverage-gap": {
        ZH: Text(
            "【热线】排班空缺：{line} {start}",
            "【热线】{line} 在 {start} 至 {end} 第一梯队无人值班，请安排：{link}",
            "【热线】{line} 在 {start} 至 {end} 第一梯队无人值班，请登录系统安排。",
        ),
        EN: Text(
            "[Hotline] Rota gap: {line} {start}",
            "[Hotline] {line}: nobody on tier 1 from {start} to {end}. Please fill it: {link}",
            "[Hotline] {line}: nobody on tier 1 from {start} to {end}. Please sign in to fill it.",
        ),
    },
    # To operators: the rota breaks one of the line's coverage rules (docs/coverage-rules.md).
    "coverage-rule": {
        ZH: Text(
            "【热线】排班规则提醒：{line} {start}",
            "【热线】{line} 在 {start} 至 {end} 不符合排班规则“{rule}”：{detail}。请查看：{link}",
            "【热线】{line} 在 {start} 至 {end} 不符合排班规则“{rule}”：{detail}。请登录系统查看。",
        ),
        EN: Text(
            "[Hotline] Rota rule: {line} {start}",
            '[Hotline] {line}: from {start} to {end} the rota breaks the rule "{rule}": '
            "{detail}. Please review: {link}",
            '[Hotline] {line}: from {start} to {end} the rota breaks the rule "{rule}": '
            "{detail}. Please sign in to review.",
        ),
    },
    # To a line's supervisors each morning: yesterday in counts, never a record.
    "daily-summary": {
        ZH: Text(
            "【热线】{line} {day} 日报",
            "【热线】{line} {day}：来电 {calls}，咨询师接听 {taken}，转备用线 {fallback}，"
            "结束语 {closing}，高风险 {high_risk}，未填结果 {missing}。{link}",
            "【热线】{line} {day}：来电 {calls}，咨询师接听 {taken}，转备用线 {fallback}，"
            "结束语 {closing}，高风险 {high_risk}，未填结果 {missing}。",
        ),
        EN: Text(
            "[Hotline] {line}: {day}",
            "[Hotline] {line} {day}: calls {calls}, taken by a counselor {taken}, fallback "
            "{fallback}, closing message {closing}, high risk {high_risk}, outcomes missing "
            "{missing}. {link}",
            "[Hotline] {line} {day}: calls {calls}, taken by a counselor {taken}, fallback "
            "{fallback}, closing message {closing}, high risk {high_risk}, outcomes missing "
            "{missing}.",
        ),
    },
    # To the counselor who took a call and has not recorded its outcome.
    "outcome-reminder": {
        ZH: Text(
            "【热线】请填写来电结果 #{call}",
            "【热线】您在 {line} 接听的来电 #{call}（{arrived}）尚未填写结果：{link}",
            "【热线】您在 {line} 接听的来电 #{call}（{arrived}）尚未填写结果，请登录系统填写。",
        ),
        EN: Text(
            "[Hotline] Please record call #{call}",
            "[Hotline] Call #{call} you took on {line} ({arrived}) has no outcome yet: {link}",
            "[Hotline] Call #{call} you took on {line} ({arrived}) has no outcome yet. "
            "Please sign in to record it.",
        ),
    },
    # To the line's supervisors: a taken call without an outcome after 24 hours.
    "outcome-overdue": {
        ZH: Text(
            "【热线】来电结果逾期未填 #{call}",
            "【热线】{line} 来电 #{call}（{arrived}）已超过 24 小时未填写结果：{link}",
            "【热线】{line} 来电 #{call}（{arrived}）已超过 24 小时未填写结果。",
        ),
        EN: Text(
            "[Hotline] Call #{call} has no outcome after 24 hours",
            "[Hotline] {line}: call #{call} ({arrived}) has no outcome after 24 hours: {link}",
            "[Hotline] {line}: call #{call} ({arrived}) has no outcome after 24 hours.",
        ),
    },
    # Follow-up care (hotline.care). To a caller who consented: one reminder, the day before.
    # Neutral on purpose (no line name, no word of mental health, no link, no number): a phone
    # seen by someone else must not say what it is about. The counselor reads it out first.
    "care-reminder": {
        ZH: Text(
            "预约提醒",
            "提醒：您预约的会面在 {start}，地点：{place}。到达后请向前台报预约码 {code}。",
            "提醒：您预约的会面在 {start}，地点：{place}。到达后请向前台报预约码 {code}。",
        ),
        EN: Text(
            "Appointment reminder",
            "Reminder: your appointment is on {start} at {place}. "
            "At the desk, give the code {code}.",
            "Reminder: your appointment is on {start} at {place}. "
            "At the desk, give the code {code}.",
        ),
    },
    # To a counselor whose bookings a cancelled session held: they move them.
    "care-session-cancelled": {
        ZH: Text(
            "【热线】面谈时段已取消：{start}",
            "【热线】{line} 在 {start}（{place}）的面谈时段已取消，您预约的 {count} 个名额"
            "（预约码 {codes}）需要改约：{link}",
            "【热线】{line} 在 {start}（{place}）的面谈时段已取消，您预约的 {count} 个名额"
            "（预约码 {codes}）需要改约，请登录系统处理。",
        ),
        EN: Text(
            "[Hotline] Session cancelled: {start}",
            "[Hotline] {line}: the session of {start} at {place} is cancelled; {count} of your "
            "bookings (codes {codes}) need another session: {link}",
            "[Hotline] {line}: the session of {start} at {place} is cancelled; {count} of your "
            "bookings (codes {codes}) need another session. Please sign in to move them.",
        ),
    },
    # To a line's supervisors: an urgent referral the partner has not accepted in time.
    "referral-overdue": {
        ZH: Text(
            "【热线】紧急转介逾期 #{referral}",
            "【热线】{line} 转介 #{referral}（{urgency}，{partner}）应于 {due} 前被接收，"
            "目前仍为“{state}”：{link}",
            "【热线】{line} 转介 #{referral}（{urgency}，{partner}）应于 {due} 前被接收，"
            "目前仍为“{state}”，请登录系统跟进。",
        ),
        EN: Text(
            "[Hotline] Urgent referral #{referral} overdue",
            "[Hotline] {line}: referral #{referral} ({urgency}, {partner}) was due to be "
            "accepted by {due} and is still {state}: {link}",
            "[Hotline] {line}: referral #{referral} ({urgency}, {partner}) was due to be "
            "accepted by {due} and is still {state}. Please sign in to follow it up.",
        ),
    },
    # Shift swaps (issue 15). To the colleague a counselor offers a shift to. {who}: offerer.
    "swap-offered": {
        ZH: Text(
            "【热线】换班请求：{start}",
            "【热线】{who} 想把 {line} {start} 至 {end} 的班换给您，请查看并答复：{link}",
            "【热线】{who} 想把 {line} {start} 至 {end} 的班换给您，请登录系统答复。",
        ),
        EN: Text(
            "[Hotline] Shift offered: {start}",
            "[Hotline] {who} offers you their {line} shift {start}-{end}. Please reply: {link}",
            "[Hotline] {who} offers you their {line} shift {start}-{end}. Please sign in to reply.",
        ),
    },
    # To the counselor who offered: a colleague ({who}) took it; approval may follow.
    "swap-accepted": {
        ZH: Text(
            "【热线】换班已被接受：{start}",
            "【热线】{who} 接受了您 {line} {start} 至 {end} 的班，待批准后生效：{link}",
            "【热线】{who} 接受了您 {line} {start} 至 {end} 的班，待批准后生效。",
        ),
        EN: Text(
            "[Hotline] Swap accepted: {start}",
            "[Hotline] {who} accepted your {line} shift {start}-{end}; it counts once "
            "approved: {link}",
            "[Hotline] {who} accepted your {line} shift {start}-{end}; it counts once approved.",
        ),
    },
    # To the line's operators: a swap waits for their approval.
    "swap-to-approve": {
        ZH: Text(
            "【热线】换班待批准：{start}",
            "【热线】{line} {start} 至 {end}：{offerer} 的班由 {who} 接替，请批准或拒绝：{link}",
            "【热线】{line} {start} 至 {end}：{offerer} 的班由 {who} 接替，请登录系统批准或拒绝。",
        ),
        EN: Text(
            "[Hotline] Swap to approve: {start}",
            "[Hotline] {line} {start}-{end}: {who} takes {offerer}'s shift. "
            "Please approve or decline: {link}",
            "[Hotline] {line} {start}-{end}: {who} takes {offerer}'s shift. "
            "Please sign in to approve or decline.",
        ),
    },
    # To both counselors: the rota now says so. {who}: who is on duty.
    "swap-approved": {
        ZH: Text(
            "【热线】换班已批准：{start}",
            "【热线】换班已批准：{line} {start} 至 {end} 由 {who} 值班。{link}",
            "【热线】换班已批准：{line} {start} 至 {end} 由 {who} 值班。",
        ),
        EN: Text(
            "[Hotline] Swap approved: {start}",
            "[Hotline] Swap approved: {who} is on duty on {line} {start}-{end}. {link}",
            "[Hotline] Swap approved: {who} is on duty on {line} {start}-{end}.",
        ),
    },
    # To those concerned: the swap will not happen; the rota stays as it was.
    "swap-declined": {
        ZH: Text(
            "【热线】换班未成：{start}",
            "【热线】{line} {start} 至 {end} 的换班被拒绝，原排班不变：{link}",
            "【热线】{line} {start} 至 {end} 的换班被拒绝，原排班不变。",
        ),
        EN: Text(
            "[Hotline] Swap declined: {start}",
            "[Hotline] The swap of the {line} shift {start}-{end} was declined; the rota "
            "stays as it was: {link}",
            "[Hotline] The swap of the {line} shift {start}-{end} was declined; the rota "
            "stays as it was.",
        ),
    },
    # To the colleague: the offerer ({who}) took the offer back.
    "swap-withdrawn": {
        ZH: Text(
            "【热线】换班已撤回：{start}",
            "【热线】{who} 撤回了 {line} {start} 至 {end} 的换班，原排班不变：{link}",
            "【热线】{who} 撤回了 {line} {start} 至 {end} 的换班，原排班不变。",
        ),
        EN: Text(
            "[Hotline] Swap withdrawn: {start}",
            "[Hotline] {who} withdrew the swap of the {line} shift {start}-{end}; the rota "
            "stays as it was: {link}",
            "[Hotline] {who} withdrew the swap of the {line} shift {start}-{end}; the rota "
            "stays as it was.",
        ),
    },
}

TEMPLATES = frozenset(_TEXTS)

# The coverage rules (rota.rules) in the `coverage-rule` text: each rule's name, and its detail
# made of the violation's facts (English: the violation's own detail). {who}: the counselor.
_RULES: dict[str, dict[str, str]] = {
    "tier-1-staffed": {ZH: "一线有人值班", EN: "tier 1 staffed"},
    "qualified": {ZH: "指定资质人员在岗", EN: "qualified person on duty"},
    "max-consecutive-nights": {ZH: "连续夜班上限", EN: "consecutive night shifts"},
    "min-rest": {ZH: "班间最短休息", EN: "rest between shifts"},
    "max-weekly-hours": {ZH: "每周工时上限", EN: "hours a week"},
}
_RULE_DETAILS_ZH = {
    "tier-1-staffed:service-hours": "服务时间内一线无人值班",
    "tier-1-staffed:always": "一线无人值班（须全天有人）",
    "qualified": "没有具备 {qualification} 资质的人员值班",
    "max-consecutive-nights": "{who} 连续夜班超过 {most} 个（{began} 开始的一班）",
    "min-rest": "{who} 两班之间仅休息 {rest} 小时（至少 {least} 小时）",
    "max-weekly-hours": "{who} 在 {monday} 起的一周值班 {worked} 小时（至多 {most} 小时）",
}


def rule_words(
    rule: str, detail: str, facts: dict[str, str], who: str, language: str | None
) -> tuple[str, str]:
    """(name, detail) of a coverage-rule violation in `language`; a rule without words here
    keeps its code and English detail."""
    lang = language_of(language)
    name = _RULES.get(rule, {}).get(lang, rule)
    if lang != ZH:
        return name, detail
    within = facts.get("within")
    form = _RULE_DETAILS_ZH.get(f"{rule}:{within}" if within else rule)
    return name, detail if form is None else form.format(who=who, **facts)


def language_of(code: str | None) -> str:
    """`zh`, for any Chinese (zh-CN, zh_CN), else English."""
    return ZH if (code or "").lower().startswith("zh") else EN


def render(
    template: str, language: str | None, *, with_link: bool = True, **values: object
) -> tuple[str, str]:
    """(subject, body) of `template` in `language` with `values` filled in."""
    text = _TEXTS[template][language_of(language)]
    body = text.body if with_link else text.body_without_link
    return text.subject.format(**values), body.format(**values)


# Replies to texts that come in (TwiML <Message>), per language.
_REPLIES: dict[str, dict[str, str]] = {
    "confirmed-shift": {
        ZH: "【热线】已确认：{line} {start} 的值班。谢谢！",
        EN: "[Hotline] Confirmed: your {line} shift at {start}. Thank you!",
    },
    "acknowledged-alert": {
        ZH: "【热线】已确认高风险提醒 #{alert}（{line}）。",
        EN: "[Hotline] Risk alert #{alert} ({line}) acknowledged.",
    },
    "nothing-open": {
        ZH: "【热线】目前没有需要您确认的事项。",
        EN: "[Hotline] There is nothing open for you to confirm.",
    },
    "not-understood": {
        ZH: "【热线】回复 1 或“确认”以确认最近一条通知。",
        EN: "[Hotline] Reply 1 or OK to confirm the latest notice.",
    },
    # To anyone else: this may be a person in crisis. Where to call, nothing else.
    "where-to-call": {
        ZH: "这里是{line}。本号码不接收短信，请直接拨打 {number} 与咨询师通话。"
        "如有生命危险，请立即拨打 {emergency}。",
        EN: "This is {line}. This number cannot take text messages: please call {number} "
        "to talk to a counselor. In an emergency, call {emergency} now.",
    },
    # The same for a number that is no line's (both languages: we cannot tell which is read).
    "where-to-call-any": {
        ZH: "本号码不接收短信。请拨打 {number} 与咨询师通话；如有生命危险，请立即拨打当地急救电话。"
        " This number cannot take text messages: please call {number} to talk to a counselor. "
        "In an emergency, call {emergency} now.",
        EN: "本号码不接收短信。请拨打 {number} 与咨询师通话；如有生命危险，请立即拨打当地急救电话。"
        " This number cannot take text messages: please call {number} to talk to a counselor. "
        "In an emergency, call {emergency} now.",
    },
}

# Emergency numbers told to someone who texts a line, by the line's country.
_EMERGENCY = {
    "CN": "110 / 120, or the national helpline 12356",
    "GB": "999, or Samaritans on 116 123",
    "US": "911, or 988 (Suicide & Crisis Lifeline)",
    "AU": "000, or Lifeline on 13 11 14",
}
_EMERGENCY_ZH = {"CN": "110 或 120，或全国心理援助热线 12356"}


def emergency_numbers(region: str | None, language: str | None) -> str:
    """The emergency numbers of the line's country, in its language where we know them."""
    if language_of(language) == ZH and region in _EMERGENCY_ZH:
        return _EMERGENCY_ZH[region]
    return _EMERGENCY.get(region or "", "your local emergency number")


def reply(name: str, language: str | None, **values: object) -> str:
    """The text of one reply to an incoming message."""
    return _REPLIES[name][language_of(language)].format(**values)
