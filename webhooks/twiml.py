"""Rendering the routing service's decisions as TwiML; the only module that knows TwiML."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from twilio.twiml.voice_response import Dial as DialVerb
from twilio.twiml.voice_response import VoiceResponse

from hotline.routing.decisions import Bridge, Dial, Hangup, Instruction, Say, Screen

# <Say> of Mandarin needs Twilio's cmn-CN with a Chinese voice; <Gather> would say cmn-Hans-CN.
_VOICES = {"zh-CN": ("cmn-CN", "Polly.Zhiyu-Neural"), "en": ("en-US", "Polly.Joanna-Neural")}
SCREEN_SECONDS = 8

UrlFor = Callable[[str, dict[str, str]], str]
"""Makes the absolute, signed-as-sent URL of one of our webhook routes with a sorted query."""


def render(instructions: Sequence[Instruction], url_for: UrlFor) -> str:
    response = VoiceResponse()
    for instruction in instructions:
        _add(response, instruction, url_for)
    return str(response.to_xml())


def _add(response: VoiceResponse, instruction: Instruction, url_for: UrlFor) -> None:
    if isinstance(instruction, Say):
        _say(response, instruction)
    elif isinstance(instruction, Dial):
        response.append(_dial(instruction, url_for))
    elif isinstance(instruction, Screen):
        query = _leg_query(instruction.step, instruction.round, instruction.target)
        gather = response.gather(
            num_digits=1, timeout=SCREEN_SECONDS, action=url_for("screen_choice", query)
        )
        _say(gather, instruction.prompt)
        response.hangup()  # without it, a screen that ends bridges the call, voicemail included
    elif isinstance(instruction, Hangup):
        response.hangup()
    elif isinstance(instruction, Bridge):
        pass  # the screen's document ends here: Twilio connects the counselor


def _say(parent: object, say: Say) -> None:
    language, voice = _VOICES.get(say.language, _VOICES["en"])
    parent.say(say.text, language=language, voice=voice)  # type: ignore[attr-defined]


def _dial(dial: Dial, url_for: UrlFor) -> DialVerb:
    verb = DialVerb(
        caller_id=dial.caller_id,
        answer_on_bridge=True,
        timeout=dial.timeout_s,
        action=url_for("dial_result", {"round": str(dial.round), "step": str(dial.step)}),
    )
    for ring in dial.rings:
        if ring.screen:
            verb.number(
                ring.number, url=url_for("screen", _leg_query(dial.step, dial.round, ring.target))
            )
        else:
            verb.number(ring.number)
    return verb


def _leg_query(step: int, round_: int, target: str) -> dict[str, str]:
    return {"round": str(round_), "step": str(step), "target": target}


def fallback_twiml(number: str, caller_id: str | None, closing: Say) -> str:
    """For when routing cannot run: dial the fallback line; if it fails, the closing message."""
    response = VoiceResponse()
    dial = DialVerb(caller_id=caller_id, answer_on_bridge=True) if caller_id else DialVerb()
    dial.number(number)
    response.append(dial)
    _say(response, closing)  # reached only when the fallback line does not answer
    response.hangup()
    return str(response.to_xml())
