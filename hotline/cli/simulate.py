"""`hotline simulate-call`: place a call through the webhooks exactly as Twilio would, in real
time by default (the service stamps its own clock: only a call that waits shows real waits)."""

from __future__ import annotations

import dataclasses
import time

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.cli.context import database, fail, settings, write
from hotline.duty import UnknownHotline, find_hotline
from hotline.models import Counselor
from webhooks.simulator import Behaviour, CallTrace, HttpTransport, Simulator, TransportError

DEFAULT_CALLER = "+8613800138000"
FALLBACK_ANSWERS_AFTER = 4.0


@click.command("simulate-call")
@click.argument("hotline")
@click.option("--from", "caller", default=DEFAULT_CALLER, show_default=True)
@click.option(
    "--answer",
    "answers",
    multiple=True,
    metavar="COUNSELOR[=BEHAVIOUR]",
    help="Who takes the call when rung (accept); BEHAVIOUR: decline, voicemail, busy, ...",
)
@click.option("--url", "base_url", help="The service's base URL (default HOTLINE_PUBLIC_URL).")
@click.option(
    "--real-time/--virtual-time",
    default=True,
    show_default=True,
    help="Wait as long as the call would (virtual: at once; the service then sees 0:00 waits).",
)
@click.option(
    "--talk",
    "talk_seconds",
    type=click.FloatRange(0, 14400),
    default=20.0,
    show_default=True,
    help="Seconds a counselor who accepts stays on the call.",
)
@click.option(
    "--hang-up-after",
    "hang_up_after",
    type=click.FloatRange(0, 14400),
    metavar="SECONDS",
    help="The caller hangs up this long after calling (e.g. while it rings).",
)
@click.option("--fallback-answers", is_flag=True, help="The fallback line picks up when rung.")
def simulate_call(
    hotline: str,
    caller: str,
    answers: tuple[str, ...],
    base_url: str | None,
    real_time: bool,
    talk_seconds: float,
    hang_up_after: float | None,
    fallback_answers: bool,
) -> None:
    """Ring HOTLINE from --from; the named counselors answer as told, others do not answer.
    Exits 1 when the service cannot be reached or refuses the signed requests."""
    with database().read() as session:
        try:
            line = find_hotline(session, hotline)
        except UnknownHotline as exc:
            fail(str(exc))
        phones = _phones(session, answers, talk_seconds)
        line_number, fallback = line.number, line.fallback_number or settings().fallback_number
    if fallback_answers and fallback:
        phones[fallback] = Behaviour("accept", FALLBACK_ANSWERS_AFTER, talk_seconds)
    base = (base_url or settings().public_url).rstrip("/")
    simulator = Simulator.for_base_url(
        HttpTransport(), settings().twilio_auth_token, base, settings().twilio_account_sid
    )
    try:
        trace = simulator.place_call(
            caller,
            line_number,
            phones,
            caller_hangs_up_after=hang_up_after,
            sleep=_sleep if real_time else None,
            listener=click.echo if real_time else None,  # a call in real time is followed live
        )
    except TransportError as exc:
        raise click.ClickException(f"{exc}: is the service running at {base}?") from None
    write(trace.summary() if real_time else trace.describe())
    problem = refusal(trace, base)
    if problem is not None:
        raise click.ClickException(problem)  # exit 1: the call did not reach the service


def refusal(trace: CallTrace, base: str) -> str | None:
    """What kept the call from the service: no connection, or a refused signature."""
    for request in trace.requests:
        if request.status is None:
            why = next((e.detail for e in trace.errors if e.url == request.url), "no reply")
            return f"no answer from {base} ({why}): is the service running at {base}?"
        if request.status in (401, 403):
            return (
                f"{base}{request.path} answered {request.status}: the signature did not match."
                f" Is HOTLINE_PUBLIC_URL the URL the service runs at? Is the service running"
                f" at {base}?"
            )
    return None


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _phones(
    session: Session, answers: tuple[str, ...], talk_seconds: float
) -> dict[str, Behaviour]:
    wanted: dict[str, Behaviour] = {}
    for answer in answers:
        key, _, spec = answer.partition("=")
        try:
            behaviour = Behaviour.parse(spec or "accept")
        except ValueError as exc:
            fail(f"--answer {answer}: {exc}")
        wanted[key] = dataclasses.replace(behaviour, talk_seconds=talk_seconds)
    people = dict(
        session.execute(
            select(Counselor.key, Counselor.phone).where(Counselor.key.in_(wanted))
        ).all()
    )
    unknown = sorted(set(wanted) - set(people))
    if unknown:
        fail(f"--answer: unknown counselor(s): {', '.join(unknown)}")
    return {people[key]: behaviour for key, behaviour in wanted.items()}
