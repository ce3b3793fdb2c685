"""TwiML verbs and nouns as typed values, with Twilio's defaults (twilio-voice.md §3-§4)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Say:
    text: str
    language: str = "en-US"
    voice: str = ""
    loop: int = 1


@dataclass(frozen=True)
class Play:
    url: str
    loop: int = 1


@dataclass(frozen=True)
class Pause:
    length: float = 1.0


Prompt = Say | Play | Pause


@dataclass(frozen=True)
class Gather:
    action: str | None = None
    method: str = "POST"
    timeout: float = 5.0
    num_digits: int | None = None
    finish_on_key: str = "#"
    action_on_empty_result: bool = False
    input: str = "dtmf"
    language: str = "en-US"
    prompts: tuple[Prompt, ...] = ()

    def digits_from(self, keys: str) -> str:
        """The `Digits` Twilio reports for these keys: up to `finishOnKey` (excluded), at most
        `numDigits`; nothing when `input` does not include dtmf."""
        if "dtmf" not in self.input:
            return ""
        if self.finish_on_key and self.finish_on_key in keys:
            keys = keys.split(self.finish_on_key, 1)[0]
        return keys[: self.num_digits] if self.num_digits else keys


@dataclass(frozen=True)
class Number:
    number: str
    url: str | None = None
    method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: tuple[str, ...] = ("completed",)
    send_digits: str = ""


@dataclass(frozen=True)
class Dial:
    numbers: tuple[Number, ...]
    action: str | None = None
    method: str = "POST"
    timeout: float = 30.0
    caller_id: str | None = None
    answer_on_bridge: bool = False
    sequential: bool = False
    time_limit: float = 14400.0
    not_simulated: tuple[str, ...] = ()


@dataclass(frozen=True)
class Redirect:
    url: str
    method: str = "POST"


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class Reject:
    reason: str = "rejected"


@dataclass(frozen=True)
class Record:
    action: str | None = None
    method: str = "POST"
    timeout: float = 5.0
    max_length: float = 3600.0
    play_beep: bool = True


@dataclass(frozen=True)
class NotSimulated:
    tag: str


Verb = Say | Play | Pause | Gather | Dial | Redirect | Hangup | Reject | Record | NotSimulated


@dataclass(frozen=True)
class Document:
    """A TwiML document and the URL it came from (relative URLs resolve against it)."""

    url: str
    verbs: tuple[Verb, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Failure:
    """A fatal error retrieving or reading TwiML, with Twilio's error code (§1.5)."""

    code: int
    detail: str
