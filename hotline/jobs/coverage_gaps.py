"""`coverage-gaps`: where tier 1 will have nobody in the coming week, within each line's service
hours, told to the line's operators.

Each gap is told once, keyed by its line and its start and end instants: a changed gap is told
again, an unchanged one never. A gap starting within 24 hours is urgent, and one told while it
was further away is told once more, urgently (its key gets an `urgent` suffix), when it comes
that close. Gaps are found over a week more on either side than is told, so a gap running now
or reaching past the week keeps its true start and end, and so its key, from run to run; a
bound beyond that margin is keyed `open`, since it moves with the run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.jobs.coverage_rules import find_breaches, tell
from hotline.jobs.env import JobEnv
from hotline.models import Hotline, OutboxMessage
from hotline.outbound.outbox import (
    Recipient,
    line_users,
    message_key,
    queue_text,
    user_recipient,
)
from hotline.rota_versions import versions_from
from rota.model import Gap, Weekly
from rota.service_hours import gaps_in_service, read_service_hours

HORIZON = timedelta(days=7)
URGENT_WITHIN = timedelta(hours=24)
MARGIN = timedelta(days=7)
OPERATORS = ("operator",)
TEMPLATE = "coverage-gap"


@dataclass(frozen=True, slots=True)
class LineGaps:
    """One line's gaps to tell, and what the messages need of the line."""

    line_id: int
    name: str
    language: str
    tz: ZoneInfo
    message_links: bool
    gaps: list[Gap]
    scan: tuple[datetime, datetime]


Notice = tuple[Gap, list[Recipient]]  # a gap, and the operators not told of it yet


def coverage_gaps(env: JobEnv, now: datetime) -> dict[str, Any]:
    # Found in a read transaction (the scan is the slow part), then written a line at a time,
    # so a run that has much to tell holds the write lock for short stretches only.
    with env.database.read() as db:
        lines = db.scalars(select(Hotline).order_by(Hotline.position)).all()
        found = [line_gaps(db, line, now) for line in lines]
        due = [(line, untold(db, line, now)) for line in found if line.gaps]
        # The lines' coverage rules, reported with the gaps (coverage_rules.py).
        violations, breaches = find_breaches(db, lines, now)
    queued = 0
    for line, notices in due:
        if notices:
            with env.database.write() as db:
                queued += sum(_tell(db, line, n, now, env.settings.public_url) for n in notices)
    if breaches:
        with env.database.write() as db:
            queued += sum(tell(db, b, now, env.settings.public_url) for b in breaches)
    gaps = sum(len(line.gaps) for line in found)
    return {"lines": len(found), "gaps": gaps, "violations": violations, "queued": queued}


def line_gaps(session: Session, line: Hotline, now: datetime) -> LineGaps:
    """The line's gaps within its service hours that end after `now` and start within the week."""
    tz = ZoneInfo(line.timezone)
    start, end = now - MARGIN, now + HORIZON + MARGIN
    hours = _service_hours(line)
    rota_gaps = versions_from(session, line.id, start).gaps(start, end)
    gaps = [
        gap
        for gap in gaps_in_service(rota_gaps, hours, tz, start, end)
        if gap.end > now and gap.start < now + HORIZON
    ]
    return LineGaps(line.id, line.name, line.language, tz, line.message_links, gaps, (start, end))


def _service_hours(line: Hotline) -> tuple[Weekly, ...] | None:
    return None if line.service_hours is None else read_service_hours(line.service_hours)


def untold(session: Session, line: LineGaps, now: datetime) -> list[Notice]:
    """Each gap with the operators not yet told of it on every channel they have (one query)."""
    operators = [
        # In the line's language for those who chose none.
        replace(user_recipient(user), language=user.language or line.language)
        for user in line_users(session, OPERATORS, [line.line_id])
    ]
    names = [occasion(line, gap, now) for gap in line.gaps]
    wanted = sorted({key for name in names for person in operators for key in keys(name, person)})
    told = set(session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(wanted))))
    notices = []
    for gap, name in zip(line.gaps, names, strict=True):
        waiting = [person for person in operators if not told.issuperset(keys(name, person))]
        if waiting:
            notices.append((gap, waiting))
    return notices


def keys(occasion: str, person: Recipient) -> list[str]:
    """The keys `queue_text` gives `person`'s messages on this occasion."""
    return [message_key(occasion, person.ref, channel) for channel, _ in person.channels()]


def occasion(line: LineGaps, gap: Gap, now: datetime) -> str:
    """`coverage-gap:<line>:<start>-<end>[:urgent]`, bounds in epoch seconds or `open`."""
    scan_start, scan_end = line.scan
    first = "open" if gap.start <= scan_start else str(int(gap.start.timestamp()))
    last = "open" if gap.end >= scan_end else str(int(gap.end.timestamp()))
    urgent = ":urgent" if is_urgent(gap, now) else ""
    return f"{TEMPLATE}:{line.line_id}:{first}-{last}{urgent}"


def is_urgent(gap: Gap, now: datetime) -> bool:
    return gap.start < now + URGENT_WITHIN


def _tell(session: Session, line: LineGaps, notice: Notice, now: datetime, public_url: str) -> int:
    gap, operators = notice
    return queue_text(
        session,
        occasion(line, gap, now),
        operators,
        TEMPLATE,
        now,
        urgent=is_urgent(gap, now),
        with_link=line.message_links,
        hotline_id=line.line_id,
        line=line.name,
        # A gap running now is told from now: what is left of it is what needs filling.
        start=f"{max(gap.start, now).astimezone(line.tz):%m-%d %H:%M}",
        end=f"{gap.end.astimezone(line.tz):%m-%d %H:%M}",
        link=f"{public_url}/",
    )
