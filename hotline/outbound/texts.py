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
}

TEMPLATES = frozenset(_TEXTS)


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
