"""TwiML as Twilio reads it: a reply becomes a `Document` of typed verbs, or a `Failure` code.

Element and attribute names are case-sensitive; a malformed attribute value is noted and the
default used.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from webhooks.simulator.transport import HttpReply
from webhooks.simulator.verbs import (
    Dial,
    Document,
    Failure,
    Gather,
    Hangup,
    NotSimulated,
    Number,
    Pause,
    Play,
    Prompt,
    Record,
    Redirect,
    Reject,
    Say,
    Verb,
)

XML_TYPES = frozenset({"text/xml", "application/xml", "text/html"})
CHILD_EVENTS = ("initiated", "ringing", "answered", "completed")
# Real Twilio verbs and nouns this simulator does not execute: skipped with a note.
NOT_SIMULATED = frozenset(
    {
        "Enqueue",
        "Leave",
        "Connect",
        "Pay",
        "Prompt",
        "Refer",
        "Start",
        "Stop",
        "Stream",
        "Siprec",
        "Sms",
        "Message",
        "Echo",
        "Queue",
        "Conference",
        "Client",
        "Sip",
        "Application",
        "WhatsApp",
        "Transcription",
        "Config",
        "Parameter",
    }
)


class _Invalid(Exception):
    def __init__(self, code: int, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def read_reply(url: str, reply: HttpReply) -> Document | Failure:
    """What Twilio does with a reply, by status and content type (§1.4)."""
    if not 200 <= reply.status < 300:
        return Failure(11200, f"HTTP {reply.status} from {url}")
    mime = reply.content_type.partition(";")[0].strip().lower()
    if mime in XML_TYPES:
        return parse_document(url, reply.body)
    if mime == "text/plain":
        parsed = parse_document(url, reply.body)
        if isinstance(parsed, Document):
            return parsed
        spoken = (Say(reply.body.strip()), Hangup())
        return Document(url, spoken, ("text/plain reply that is not TwiML: read aloud, hang up",))
    if mime.startswith("audio/"):
        return Document(url, (Play(url), Hangup()), (f"{mime} reply: played, then hang up",))
    return Failure(12300, f"content type {mime or '(missing)'} from {url}")


def parse_document(url: str, body: str) -> Document | Failure:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        return Failure(12100, f"document parse failure: {error}")
    if root.tag != "Response":
        return Failure(12102, f"root element is <{root.tag}>, not <Response>")
    notes: list[str] = []
    try:
        verbs = tuple(_verb(element, notes) for element in root)
    except _Invalid as error:
        return Failure(error.code, str(error))
    return Document(url, verbs, tuple(notes))


def _verb(el: ET.Element, notes: list[str]) -> Verb:
    attrs = _Attrs(el, notes)
    match el.tag:
        case "Say" | "Play" | "Pause":
            return _prompt(el, notes)
        case "Gather":
            return Gather(
                action=attrs.text("action"),
                method=attrs.method("method"),
                timeout=attrs.number("timeout", 5.0),
                num_digits=attrs.integer("numDigits"),
                finish_on_key=el.get("finishOnKey", "#"),
                action_on_empty_result=attrs.flag("actionOnEmptyResult"),
                input=el.get("input", "dtmf"),
                language=el.get("language", "en-US"),
                prompts=tuple(_gather_prompts(el, notes)),
            )
        case "Dial":
            return _dial(el, attrs, notes)
        case "Redirect":
            return Redirect((el.text or "").strip(), attrs.method("method"))
        case "Hangup":
            return Hangup()
        case "Reject":
            return Reject(el.get("reason", "rejected"))
        case "Record":
            return Record(
                action=attrs.text("action"),
                method=attrs.method("method"),
                timeout=attrs.number("timeout", 5.0),
                max_length=attrs.number("maxLength", 3600.0),
                play_beep=attrs.flag("playBeep", default=True),
            )
        case tag if tag in NOT_SIMULATED:
            notes.append(f"<{tag}> is not simulated: skipped")
            return NotSimulated(tag)
    raise _Invalid(12100, f"unknown TwiML element <{el.tag}> (names are case-sensitive)")


def _prompt(el: ET.Element, notes: list[str]) -> Prompt:
    attrs = _Attrs(el, notes)
    if el.tag == "Say":
        text = "".join(el.itertext()).strip()
        return Say(text, el.get("language", "en-US"), el.get("voice", ""), attrs.loop())
    if el.tag == "Play":
        return Play((el.text or "").strip(), attrs.loop())
    return Pause(attrs.number("length", 1.0))


def _gather_prompts(el: ET.Element, notes: list[str]) -> list[Prompt]:
    prompts = []
    for child in el:
        if child.tag in ("Say", "Play", "Pause"):
            prompts.append(_prompt(child, notes))
        else:
            notes.append(f"<{child.tag}> inside <Gather> ignored")
    return prompts


def _dial(el: ET.Element, attrs: _Attrs, notes: list[str]) -> Dial:
    numbers: list[Number] = []
    skipped: list[str] = []
    for child in el:
        if child.tag == "Number":
            numbers.append(_number(child, notes))
        else:
            skipped.append(child.tag)
            notes.append(f"<Dial><{child.tag}> is not simulated: skipped")
    if not len(el) and (el.text or "").strip():
        numbers.append(Number((el.text or "").strip()))
    return Dial(
        numbers=tuple(numbers),
        action=attrs.text("action"),
        method=attrs.method("method"),
        timeout=attrs.number("timeout", 30.0),
        caller_id=attrs.text("callerId"),
        answer_on_bridge=attrs.flag("answerOnBridge"),
        sequential=attrs.flag("sequential"),
        time_limit=attrs.number("timeLimit", 14400.0),
        not_simulated=tuple(skipped),
    )


def _number(el: ET.Element, notes: list[str]) -> Number:
    attrs = _Attrs(el, notes)
    events: tuple[str, ...] = ("completed",)
    if (given := el.get("statusCallbackEvent")) is not None:
        events = tuple(word for word in given.split() if word in CHILD_EVENTS)
        if len(events) != len(given.split()):
            notes.append(f"statusCallbackEvent {given!r}: only space-separated {CHILD_EVENTS}")
    return Number(
        number=(el.text or "").strip(),
        url=attrs.text("url"),
        method=attrs.method("method"),
        status_callback=attrs.text("statusCallback"),
        status_callback_method=attrs.method("statusCallbackMethod"),
        status_callback_events=events,
        send_digits=el.get("sendDigits", ""),
    )


class _Attrs:
    """Typed attribute reads; a malformed value is noted and the default used."""

    def __init__(self, el: ET.Element, notes: list[str]) -> None:
        self.el = el
        self.notes = notes

    def text(self, name: str) -> str | None:
        value = self.el.get(name)
        return value.strip() if value is not None and value.strip() else None

    def method(self, name: str) -> str:
        value = self.el.get(name, "POST").strip().upper()
        if value in ("GET", "POST"):
            return value
        self.notes.append(f"<{self.el.tag} {name}={value!r}>: not GET/POST, using POST")
        return "POST"

    def flag(self, name: str, *, default: bool = False) -> bool:
        value = self.el.get(name)
        return default if value is None else value.strip().lower() == "true"

    def number(self, name: str, default: float) -> float:
        value = self.el.get(name)
        try:
            return default if value is None else float(value)
        except ValueError:
            self.notes.append(f"<{self.el.tag} {name}={value!r}>: not a number, using {default}")
            return default

    def integer(self, name: str) -> int | None:
        value = self.number(name, -1.0)
        return None if value < 0 else int(value)

    def loop(self) -> int:
        """`loop="0"` means "up to 1000 times"."""
        loop = self.integer("loop")
        return 1000 if loop == 0 else loop or 1
