"""What a dialled phone does: answer and accept, answer and decline, voicemail, or not answer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

Kind = Literal["accept", "decline", "voicemail", "no-answer", "busy", "failed"]
KINDS: tuple[Kind, ...] = get_args(Kind)
ANSWERING: frozenset[Kind] = frozenset({"accept", "decline", "voicemail"})
_SCREEN_KEYS: dict[Kind, str] = {"accept": "1", "decline": "9"}


@dataclass(frozen=True)
class Behaviour:
    """One dialled phone.

    `after`: seconds from the start of ringing until it answers (accept, decline, voicemail) or
    reports busy/failed; it scripts who wins a parallel ring. `talk_seconds`: how long the
    answering side stays once bridged before hanging up. `presses`: the digits it keys at every
    screening `<Gather>` (default: accept "1", decline "9", voicemail and others nothing).
    """

    kind: Kind
    after: float = 5.0
    talk_seconds: float = 120.0
    presses: str | None = None

    @property
    def answers(self) -> bool:
        return self.kind in ANSWERING

    @property
    def screen_digits(self) -> str:
        return self.presses if self.presses is not None else _SCREEN_KEYS.get(self.kind, "")

    def describe(self) -> str:
        if self.kind == "no-answer":
            return "no-answer"
        return f"{self.kind} after {self.after:g}s"

    @classmethod
    def parse(cls, spec: str) -> Behaviour:
        """`accept`, `accept:8` (answers after 8 s), `voicemail:25`, `busy`, `no-answer`, ..."""
        name, _, seconds = spec.strip().partition(":")
        kind = next((k for k in KINDS if k == name), None)
        if kind is None:
            raise ValueError(f"unknown behaviour {name!r}; one of {', '.join(KINDS)}")
        base = _DEFAULTS[kind]
        if not seconds:
            return base
        try:
            return Behaviour(kind, float(seconds), base.talk_seconds, base.presses)
        except ValueError:
            raise ValueError(f"bad seconds in behaviour {spec!r}") from None


def accept(after: float = 5.0, *, talk_seconds: float = 120.0) -> Behaviour:
    return Behaviour("accept", after, talk_seconds)


def decline(after: float = 5.0) -> Behaviour:
    return Behaviour("decline", after, talk_seconds=60.0)


def voicemail(after: float = 20.0, *, talk_seconds: float = 40.0) -> Behaviour:
    """A voicemail or PBX pickup: answers, never presses a key, records until it hangs up."""
    return Behaviour("voicemail", after, talk_seconds)


def no_answer() -> Behaviour:
    return Behaviour("no-answer", after=0.0)


def busy(after: float = 2.0) -> Behaviour:
    return Behaviour("busy", after)


def failed(after: float = 1.0) -> Behaviour:
    return Behaviour("failed", after)


_DEFAULTS: dict[Kind, Behaviour] = {
    "accept": accept(),
    "decline": decline(),
    "voicemail": voicemail(),
    "no-answer": no_answer(),
    "busy": busy(),
    "failed": failed(),
}

Phones = Mapping[str, Behaviour | Sequence[Behaviour]]


class PhoneBook:
    """Behaviour per dialled number; a sequence gives the n-th dial of that number the n-th
    entry (the last one repeats). Unknown numbers do not answer."""

    def __init__(self, phones: Phones) -> None:
        self._phones = phones
        self._dialled: dict[str, int] = {}

    def dial(self, number: str) -> Behaviour:
        attempt = self._dialled.get(number, 0)
        self._dialled[number] = attempt + 1
        entry = self._phones.get(number)
        if entry is None:
            return no_answer()
        if isinstance(entry, Behaviour):
            return entry
        if not entry:
            return no_answer()
        return entry[min(attempt, len(entry) - 1)]
