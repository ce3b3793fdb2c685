"""Simulated call time: seconds since the call arrived. Nothing here sleeps unless handed a
`sleep`: then each step of simulated time also passes for real (a live demo)."""

from __future__ import annotations

from collections.abc import Callable

from webhooks.simulator.verbs import Pause, Play, Prompt, Say

PLAY_SECONDS = 5.0  # the simulator does not fetch media; every <Play> lasts this long
_CJK_CHAR_SECONDS = 0.25
_OTHER_CHAR_SECONDS = 0.07


class CallInterrupted(Exception):
    """The caller hung up (`caller-hangup`) or the call hit its maximum length (`time-limit`)."""

    def __init__(self, reason: str, at: float) -> None:
        super().__init__(f"{reason} at {at:g}s")
        self.reason = reason
        self.at = at


class SimClock:
    def __init__(
        self,
        *,
        hangup_at: float | None = None,
        limit: float = 14400.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.now = 0.0
        self.hangup_at = hangup_at
        self.limit = limit
        self.sleep = sleep

    def deadline(self) -> tuple[float, str]:
        if self.hangup_at is not None and self.hangup_at <= self.limit:
            return self.hangup_at, "caller-hangup"
        return self.limit, "time-limit"

    def advance(self, seconds: float) -> None:
        """Move time on; stop at the deadline and raise `CallInterrupted` if it is reached."""
        target = self.now + max(0.0, seconds)
        at, reason = self.deadline()
        if target >= at:
            self._pass(max(self.now, at))
            raise CallInterrupted(reason, self.now)
        self._pass(target)

    def _pass(self, to: float) -> None:
        if self.sleep is not None and to > self.now:
            self.sleep(to - self.now)
        self.now = to

    def advance_to(self, at: float) -> None:
        self.advance(at - self.now)


def speech_seconds(text: str) -> float:
    """A rough text-to-speech length: Chinese characters are slower than Latin letters."""
    seconds = sum(_CJK_CHAR_SECONDS if ord(ch) >= 0x2E80 else _OTHER_CHAR_SECONDS for ch in text)
    return max(1.0, round(seconds, 1))


def prompt_seconds(prompt: Prompt) -> float:
    match prompt:
        case Say():
            return speech_seconds(prompt.text) * prompt.loop
        case Play():
            return PLAY_SECONDS * prompt.loop
        case Pause():
            return prompt.length
