"""What callers and counselors hear, in the line's language (zh-CN or en)."""

from __future__ import annotations

from hotline.routing.decisions import Say

_GREETING = {
    "zh-CN": "您好，这里是{name}。正在为您接通咨询师，请不要挂机。",
    "en": "Hello, this is {name}. We are connecting you to a counselor; please stay on the line.",
}
_SCREEN = {
    "zh-CN": "这是{name}的求助来电。接听请按1。",
    "en": "This is a call for {name}. Press 1 to take it.",
}
_CLOSING = {
    "zh-CN": (
        "很抱歉，现在没有咨询师能接听您的电话。如果您或身边的人有生命危险，请立即拨打110或120；"
        "也可以拨打全国心理援助热线12356。请稍后再打来，我们一直在这里。"
    ),
    "en": (
        "We are sorry: no counselor can take your call right now. If you or someone near you "
        "is in danger, call 110 or 120 now, or the national mental health line 12356. "
        "Please call again soon; we are here for you."
    ),
}


def _language(language: str) -> str:
    return language if language in _GREETING else "en"


def greeting(name: str, language: str) -> Say:
    lang = _language(language)
    return Say(_GREETING[lang].format(name=name), lang)


def screen_prompt(name: str, language: str) -> Say:
    lang = _language(language)
    return Say(_SCREEN[lang].format(name=name), lang)


def closing(message: str | None, language: str) -> Say:
    """The line's own closing message, or the default one with emergency numbers."""
    lang = _language(language)
    return Say(message or _CLOSING[lang], lang)
