"""Rendering the routing service's decisions as TwiML; the only module that knows TwiML.

The documents are written as strings, byte for byte what twilio's `VoiceResponse` would make
of the same verbs (a test holds the two together): building them as ElementTree objects and
serializing cost more than the rest of the Twilio edge on every webhook.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hotline.routing.decisions import Bridge, Dial, Hangup, Instruction, Say, Screen

# <Say> of Mandarin needs Twilio's cmn-CN with a Chinese voice; <Gather> would say cmn-Hans-CN.
_VOICES = {"zh-CN": ("cmn-CN", "Polly.Zhiyu-Neural"), "en": ("en-US", "Polly.Joanna-Neural")}
SCREEN_SECONDS = 8
_XML = '<?xml version="1.0" encoding="UTF-8"?>'
_HANGUP = "<Hangup />"

UrlFor = Callable[[str, dict[str, str]], str]
"""Makes the absolute, signed-as-sent URL of one of our webhook routes with a sorted query."""


def render(instructions: Sequence[Instruction], url_for: UrlFor) -> str:
    return _XML + _element("Response", {}, "".join(_verb(each, url_for) for each in instructions))


def fallback_twiml(number: str, caller_id: str | None, closing: Say) -> str:
    """For when routing cannot run: dial the fallback line; if it fails, the closing message."""
    attributes = {"answerOnBridge": "true", "callerId": caller_id} if caller_id else {}
    dial = _element("Dial", attributes, _element("Number", {}, _text(number)))
    # The closing message is reached only when the fallback line does not answer.
    return _XML + _element("Response", {}, dial + _say(closing) + _HANGUP)


def _verb(instruction: Instruction, url_for: UrlFor) -> str:
    if isinstance(instruction, Say):
        return _say(instruction)
    if isinstance(instruction, Dial):
        return _dial(instruction, url_for)
    if isinstance(instruction, Screen):
        query = _leg_query(instruction.step, instruction.round, instruction.target)
        gather = {
            "action": url_for("screen_choice", query),
            "numDigits": "1",
            "timeout": str(SCREEN_SECONDS),
        }
        # Without the <Hangup/>, a screen that ends bridges the call, voicemail included.
        return _element("Gather", gather, _say(instruction.prompt)) + _HANGUP
    if isinstance(instruction, Hangup):
        return _HANGUP
    assert isinstance(instruction, Bridge)
    return ""  # the screen's document ends here: Twilio connects the counselor


def _say(say: Say) -> str:
    language, voice = _VOICES.get(say.language, _VOICES["en"])
    return _element("Say", {"language": language, "voice": voice}, _text(say.text))


def _dial(dial: Dial, url_for: UrlFor) -> str:
    attributes = {
        "action": url_for("dial_result", {"round": str(dial.round), "step": str(dial.step)}),
        "answerOnBridge": "true",
        "callerId": dial.caller_id,
        "timeout": str(dial.timeout_s),
    }
    numbers = "".join(
        _element(
            "Number",
            {"url": url_for("screen", _leg_query(dial.step, dial.round, ring.target))}
            if ring.screen
            else {},
            _text(ring.number),
        )
        for ring in dial.rings
    )
    return _element("Dial", attributes, numbers)


def _leg_query(step: int, round_: int, target: str) -> dict[str, str]:
    return {"round": str(round_), "step": str(step), "target": target}


def _element(tag: str, attributes: dict[str, str], content: str) -> str:
    """`attributes` in name order, as the SDK writes them; `content` already escaped."""
    written = "".join(f' {name}="{_attribute(value)}"' for name, value in attributes.items())
    return f"<{tag}{written}>{content}</{tag}>" if content else f"<{tag}{written} />"


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value: str) -> str:
    escaped = _text(value).replace('"', "&quot;")
    return escaped.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")
