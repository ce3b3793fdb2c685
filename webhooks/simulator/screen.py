"""A `<Number url>` screen: TwiML run for the called party after they answer (§3.2, §3.4).

Only Say, Play, Pause, Gather and Hangup are allowed there. The called party keys what its
behaviour says at every `<Gather>`. `<Hangup/>` declines (no bridge); a screen document that
simply ends bridges the call, even to a voicemail that never pressed a key.
A failure to fetch or read a screen hangs up the called party's leg (no fallback there).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urljoin

from webhooks.simulator.behaviour import Behaviour
from webhooks.simulator.session import CallSession, Ended
from webhooks.simulator.trace import DialLeg
from webhooks.simulator.verbs import (
    Document,
    Failure,
    Gather,
    Hangup,
    Pause,
    Play,
    Redirect,
    Reject,
    Say,
)

Params = Sequence[tuple[str, str]]


def run_screen(
    s: CallSession, leg: DialLeg, behaviour: Behaviour, url: str, method: str, params: Params
) -> str:
    """`bridged`, `declined` or `error`."""
    loaded: Document | Failure | Ended | None = s.load(url, method, params, "screen", leg.call_sid)
    while isinstance(loaded, Document):
        doc, loaded = loaded, None
        for verb in doc.verbs:
            match verb:
                case Say() | Play() | Pause():
                    s.play(verb, leg.number, leg.heard)
                case Gather():
                    digits = _keys(s, leg, behaviour, verb)
                    if digits or verb.action_on_empty_result:
                        action = urljoin(doc.url, verb.action) if verb.action else doc.url
                        extra = [*params, ("Digits", digits)]
                        loaded = s.load(action, verb.method, extra, "screen", leg.call_sid)
                        break
                case Hangup() | Reject():
                    s.verb(leg.number, type(verb).__name__, "→ declined, no bridge")
                    return "declined"
                case Redirect():
                    s.verb(leg.number, "Redirect", verb.url)
                    target = urljoin(doc.url, verb.url)
                    loaded = s.load(target, verb.method, params, "screen", leg.call_sid)
                    break
                case _:
                    s.note(f"<{type(verb).__name__}> is not allowed in a screen: skipped")
        if loaded is None:
            s.verb(leg.number, "(end of screen)", "→ bridged")
            return "bridged"
    return "error"


def _keys(s: CallSession, leg: DialLeg, behaviour: Behaviour, gather: Gather) -> str:
    for prompt in gather.prompts:
        s.play(prompt, leg.number, leg.heard)
    digits = gather.digits_from(behaviour.screen_digits)
    s.clock.advance(1.0 if digits else gather.timeout)
    leg.screen_digits = digits
    s.verb(leg.number, "Gather", f"→ {digits!r}" if digits else "→ no input")
    return digits
