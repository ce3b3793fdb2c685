"""The TwiML the edge writes is byte for byte what twilio's `VoiceResponse` makes of the same
verbs: the SDK, used the way the edge once used it, is the oracle for the hand-written strings."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree

from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.twiml.voice_response import Dial as DialVerb
from twilio.twiml.voice_response import VoiceResponse

from hotline.routing.decisions import Bridge, Dial, Hangup, Instruction, Ring, Say, Screen
from webhooks.twiml import _VOICES, SCREEN_SECONDS, fallback_twiml, render

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)
awkward = st.sampled_from(
    ["", "a&b", "cr\rlf", '<x y="1">', "it's", "line\nbreak", "tab\there", "您好"]
)
words = st.one_of(text, awkward)
says = st.builds(Say, words, st.sampled_from(["zh-CN", "en", "fr"]))
rings = st.builds(Ring, words, words, st.booleans())
dials = st.builds(
    Dial,
    st.lists(rings, min_size=1, max_size=4).map(tuple),
    st.integers(5, 60),
    words,
    st.integers(0, 9),
    st.integers(0, 9),
)
screens = st.builds(Screen, says, st.integers(0, 9), st.integers(0, 9), words)
instructions = st.lists(
    st.one_of(says, dials, screens, st.just(Hangup()), st.just(Bridge())), max_size=5
)


def url_for(name: str, query: dict[str, str]) -> str:
    return f"https://h.example/{name}?" + "&".join(f"{k}={v}" for k, v in sorted(query.items()))


def sdk_render(verbs: Sequence[Instruction]) -> str:
    response = VoiceResponse()
    for verb in verbs:
        if isinstance(verb, Say):
            _sdk_say(response, verb)
        elif isinstance(verb, Dial):
            dial = DialVerb(
                caller_id=verb.caller_id,
                answer_on_bridge=True,
                timeout=verb.timeout_s,
                action=url_for("dial_result", {"round": str(verb.round), "step": str(verb.step)}),
            )
            for ring in verb.rings:
                query = {"round": str(verb.round), "step": str(verb.step), "target": ring.target}
                if ring.screen:
                    dial.number(ring.number, url=url_for("screen", query))
                else:
                    dial.number(ring.number)
            response.append(dial)
        elif isinstance(verb, Screen):
            query = {"round": str(verb.round), "step": str(verb.step), "target": verb.target}
            gather = response.gather(
                num_digits=1, timeout=SCREEN_SECONDS, action=url_for("screen_choice", query)
            )
            _sdk_say(gather, verb.prompt)
            response.hangup()
        elif isinstance(verb, Hangup):
            response.hangup()
    return str(response.to_xml())


def _sdk_say(parent: object, say: Say) -> None:
    language, voice = _VOICES.get(say.language, _VOICES["en"])
    parent.say(say.text, language=language, voice=voice)  # type: ignore[attr-defined]


@settings(max_examples=300, deadline=None)
@given(instructions)
def test_render_writes_what_the_sdk_writes(verbs: list[Instruction]) -> None:
    written = render(verbs, url_for)
    assert written == sdk_render(verbs)
    ElementTree.fromstring(written.encode("utf-8"))  # and it is well-formed XML


@settings(max_examples=100, deadline=None)
@given(number=words, caller_id=st.one_of(st.none(), words), closing=says)
def test_the_fallback_document_is_what_the_sdk_writes(
    number: str, caller_id: str | None, closing: Say
) -> None:
    response = VoiceResponse()
    dial = DialVerb(caller_id=caller_id, answer_on_bridge=True) if caller_id else DialVerb()
    dial.number(number)
    response.append(dial)
    _sdk_say(response, closing)
    response.hangup()
    assert fallback_twiml(number, caller_id, closing) == str(response.to_xml())


def test_a_screen_ends_in_hangup_so_a_voicemail_never_takes_the_call() -> None:
    document = ElementTree.fromstring(
        render([Screen(Say("按1接听", "zh-CN"), 2, 0, "c1")], url_for)
    )
    assert [child.tag for child in document] == ["Gather", "Hangup"]
    gather = document[0]
    assert gather.get("numDigits") == "1"
    assert gather.get("action") == url_for(
        "screen_choice", {"round": "0", "step": "2", "target": "c1"}
    )
    assert gather[0].text == "按1接听"
    assert gather[0].get("language") == "cmn-CN"
