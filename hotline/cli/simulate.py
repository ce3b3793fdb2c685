"""`hotline simulate-call`: place a call through the webhooks exactly as Twilio would."""

from __future__ import annotations

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.cli.context import database, fail, settings, write
from hotline.duty import UnknownHotline, find_hotline
from hotline.models import Counselor
from webhooks.simulator import Behaviour, HttpTransport, Simulator, TransportError

DEFAULT_CALLER = "+8613800138000"


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
def simulate_call(
    hotline: str, caller: str, answers: tuple[str, ...], base_url: str | None
) -> None:
    """Ring HOTLINE from --from; the named counselors answer as told, others do not answer."""
    with database().read() as session:
        try:
            line = find_hotline(session, hotline)
        except UnknownHotline as exc:
            fail(str(exc))
        phones = _phones(session, answers)
        line_number = line.number
    base = (base_url or settings().public_url).rstrip("/")
    simulator = Simulator.for_base_url(
        HttpTransport(), settings().twilio_auth_token, base, settings().twilio_account_sid
    )
    try:
        trace = simulator.place_call(caller, line_number, phones)
    except TransportError as exc:
        fail(f"cannot reach {base}: Twilio error {exc} (is the service running?)")
    write(trace.describe())


def _phones(session: Session, answers: tuple[str, ...]) -> dict[str, Behaviour]:
    wanted: dict[str, Behaviour] = {}
    for answer in answers:
        key, _, spec = answer.partition("=")
        try:
            wanted[key] = Behaviour.parse(spec or "accept")
        except ValueError as exc:
            fail(f"--answer {answer}: {exc}")
    people = dict(
        session.execute(
            select(Counselor.key, Counselor.phone).where(Counselor.key.in_(wanted))
        ).all()
    )
    unknown = sorted(set(wanted) - set(people))
    if unknown:
        fail(f"--answer: unknown counselor(s): {', '.join(unknown)}")
    return {people[key]: behaviour for key, behaviour in wanted.items()}
