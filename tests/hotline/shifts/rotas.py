"""One line in a given zone, its counselors and a rota, loaded as an operator would import it;
the jobs' surroundings; and what the outbox holds afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from hotline.accounts.users import NewUser, create_user
from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.jobs.env import JobEnv
from hotline.models import OutboxMessage, User
from hotline.outbound.port import Outbound
from settings import Settings

NUMBERS = {
    "Europe/London": "+442079460001",
    "Australia/Sydney": "+61291234567",
    "America/New_York": "+12125551234",
    "Asia/Shanghai": "+8657463898070",
}
COUNSELORS = """\
counselors:
  - {key: amy, name: Amy, phone: "+8613900000021"}
  - {key: bob, name: Bob, phone: "+8613900000022"}
  - {key: cai, name: Cai, phone: "+8613900000023"}
"""


def weekly(
    day: str, start: str, end: str, who: str, *, tier: int = 1, on: str = "", since: str = ""
) -> str:
    """A rota entry of the line: `who` on `day` from `start` to `end` (only on date `on`, or
    from date `since` on)."""
    dates = f", from: {on}, until: {on}" if on else f", from: {since}" if since else ""
    return (
        f'  - {{hotline: line, tier: {tier}, weekly: {{days: [{day}], start: "{start}", '
        f'end: "{end}"}}, counselors: [{who}]{dates}}}\n'
    )


def configuration(zone: str, *rota: str, language: str = "en", links: bool = True) -> str:
    line = (
        f'{{key: line, name: Night Line, number: "{NUMBERS[zone]}", timezone: {zone}, '
        f"language: {language}, ring_seconds: 20, max_wait_seconds: 90, "
        f"ring_strategy: sequential, overflow: [], message_links: {str(links).lower()}}}"
    )
    entries = "".join(rota) or "  []\n"
    return f"hotlines:\n  - {line}\n{COUNSELORS}rota:\n{entries}"


def load(database: Database, text: str, saved_at: datetime) -> None:
    with database.write() as session:
        import_configuration(session, text, saved_at)


def job_env(database: Database, settings: Settings) -> JobEnv:
    return JobEnv(database, settings, Outbound(None, None, record=True))


def account(
    database: Database, passwords: Any, username: str, role: str, at: datetime, **options: Any
) -> int:
    """An account (a counselor's with `counselor=`), in `language` when given."""
    language = options.pop("language", None)
    with database.write() as session:
        user = create_user(
            session,
            passwords,
            NewUser(username, role, "pw-0123456789", **options),
            at,
            actor="test",
        )
        user.language = language
        return user.id


@dataclass(frozen=True)
class Sent:
    key: str
    kind: str
    channel: str
    address: str | None
    urgent: bool
    body: str
    created_at: datetime
    shift_confirmation_id: int | None


def outbox(database: Database, kind: str | None = None) -> list[Sent]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    with database.read() as session:
        return [
            Sent(
                m.key,
                m.kind,
                m.channel,
                m.address,
                m.urgent,
                m.body,
                m.created_at,
                m.shift_confirmation_id,
            )
            for m in session.scalars(query)
        ]


def user_id(database: Database, username: str) -> int:
    with database.read() as session:
        found = session.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found
