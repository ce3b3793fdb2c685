"""`Simulator`: places calls through a service's webhooks exactly as Twilio would."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from webhooks.simulator.behaviour import Phones
from webhooks.simulator.callbacks import CallbackOrder, CallbackPolicy, DropRule
from webhooks.simulator.engine import CallerLeg
from webhooks.simulator.session import CallOptions, CallSession, NumberConfig
from webhooks.simulator.trace import CallTrace
from webhooks.simulator.transport import Transport

DEFAULT_ACCOUNT_SID = "AC" + "5" * 32
VOICE_PATHS = {
    "voice_url": "/webhooks/voice/incoming",
    "fallback_url": "/webhooks/voice/fallback",
    "status_callback_url": "/webhooks/voice/status",
}


class Simulator:
    """A Twilio number whose webhooks point at a service, and the phones it can ring.

    It knows nothing about the service: it speaks signed HTTP and reads TwiML.
    """

    def __init__(
        self,
        transport: Transport,
        auth_token: str,
        voice_url: str,
        status_callback_url: str | None = None,
        fallback_url: str | None = None,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        *,
        voice_method: str = "POST",
        fallback_method: str = "POST",
        ring_buffer_seconds: float = 5.0,
        max_call_seconds: float = 14400.0,
    ) -> None:
        self.transport = transport
        self.auth_token = auth_token
        self.config = NumberConfig(
            voice_url=voice_url,
            account_sid=account_sid,
            voice_method=voice_method,
            fallback_url=fallback_url,
            fallback_method=fallback_method,
            status_callback_url=status_callback_url,
            ring_buffer_seconds=ring_buffer_seconds,
            max_call_seconds=max_call_seconds,
        )

    @classmethod
    def for_base_url(
        cls,
        transport: Transport,
        auth_token: str,
        base_url: str,
        account_sid: str = DEFAULT_ACCOUNT_SID,
    ) -> Simulator:
        """A number configured with the three webhook URLs of CONTRACT.md under `base_url`."""
        base = base_url.rstrip("/")
        return cls(
            transport,
            auth_token,
            voice_url=base + VOICE_PATHS["voice_url"],
            status_callback_url=base + VOICE_PATHS["status_callback_url"],
            fallback_url=base + VOICE_PATHS["fallback_url"],
            account_sid=account_sid,
        )

    def place_call(
        self,
        from_: str,
        to: str,
        phones: Phones | None = None,
        *,
        caller_digits: Sequence[str] = (),
        caller_hangs_up_after: float | None = None,
        dial_action_after_caller_hangup: bool = True,
        callback_order: CallbackOrder = "as-fired",
        duplicate_callbacks: bool = False,
        drop_callbacks: DropRule = False,
        seed: int | None = None,
        max_documents: int = 50,
        start_at: datetime | None = None,
        extra_params: Sequence[tuple[str, str]] = (),
        message_seconds: float = 10.0,
        sleep: Callable[[float], None] | None = None,
        listener: Callable[[str], None] | None = None,
    ) -> CallTrace:
        """Ring the number from `from_`; follow the service's TwiML until the call ends.

        phones: behaviour per dialled number (a sequence: per successive dial of that number);
        unknown numbers do not answer. caller_digits: what the caller keys at successive
        `<Gather>`s ("" = nothing); unscripted Gathers get no input. caller_hangs_up_after:
        seconds from the start. seed: SIDs, tokens and shuffling become reproducible (without
        it every call gets fresh SIDs). max_documents: the loop guard. message_seconds: how
        long the caller speaks into a `<Record>` (0: silence). sleep: called with each step of
        simulated time (`time.sleep`: the call lasts as long as on a phone, so the service, which
        stamps its own clock, sees real waits and rings). listener: told each line of the
        timeline as it happens.
        """
        options = CallOptions(
            caller_digits=tuple(caller_digits),
            caller_hangs_up_after=caller_hangs_up_after,
            dial_action_after_caller_hangup=dial_action_after_caller_hangup,
            callbacks=CallbackPolicy(callback_order, duplicate_callbacks, drop_callbacks),
            seed=seed,
            max_documents=max_documents,
            start_at=start_at,
            extra_params=tuple(extra_params),
            message_seconds=message_seconds,
            sleep=sleep,
            listener=listener,
        )
        started = start_at or datetime.now(UTC)
        session = CallSession(
            self.transport,
            self.auth_token,
            self.config,
            (from_, to, phones or {}),
            options,
            started,
        )
        return session.finish(CallerLeg(session).run())
