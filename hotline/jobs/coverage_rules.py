"""The `coverage-gaps` job's second half: breaches of each line's coverage rules in the coming
week, told to the line's operators once each. The tier-1 rule is left out: its breaches are
the gaps within service hours, which the job tells already.

A breach is keyed by its line, rule, start, end and counselor: the checks report stretches
that do not move with the time of the run (whole windows, shifts, rests, weeks), so an
unchanged breach is never told twice and a changed one is told again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Hotline, OutboxMessage
from hotline.outbound.outbox import (
    Recipient,
    line_users,
    message_key,
    queue_text,
    user_recipient,
)
from hotline.outbound.texts import language_of, rule_words
from hotline.rota_rules import check_lines
from rota.rules import TIER_1, Violation

HORIZON = timedelta(days=7)
OPERATORS = ("operator",)
TEMPLATE = "coverage-rule"


@dataclass(frozen=True, slots=True)
class Breach:
    """One violation to tell, the operators not told of it yet, and what the text needs."""

    line_id: int
    line: str
    tz: ZoneInfo
    message_links: bool
    violation: Violation
    operators: list[Recipient]


def find_breaches(
    session: Session, lines: Sequence[Hotline], now: datetime
) -> tuple[int, list[Breach]]:
    """How many breaches the coming week holds, and those someone has not been told of."""
    checked = check_lines(session, lines, now, now + HORIZON)
    count, due = 0, []
    for line in lines:
        found = [v for v in checked[line.key] if v.rule != TIER_1]
        count += len(found)
        if found:
            due += _untold(session, line, found)
    return count, due


def occasion(line_id: int, found: Violation) -> str:
    """`coverage-rule:<line>:<rule>:<start>-<end>:<counselor or ->`, bounds in epoch seconds."""
    span = f"{int(found.start.timestamp())}-{int(found.end.timestamp())}"
    return f"{TEMPLATE}:{line_id}:{found.rule}:{span}:{found.counselor or '-'}"


def _untold(session: Session, line: Hotline, found: list[Violation]) -> list[Breach]:
    operators = [
        replace(user_recipient(user), language=user.language or line.language)
        for user in line_users(session, OPERATORS, [line.id])
    ]
    keys = {
        id(v): [
            message_key(occasion(line.id, v), person.ref, channel)
            for person in operators
            for channel, _ in person.channels()
        ]
        for v in found
    }
    wanted = sorted({key for each in keys.values() for key in each})
    told = set(session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(wanted))))
    breaches = []
    for v in found:
        waiting = [
            person
            for person in operators
            if not all(
                message_key(occasion(line.id, v), person.ref, channel) in told
                for channel, _ in person.channels()
            )
        ]
        if waiting:
            tz = ZoneInfo(line.timezone)
            breaches.append(Breach(line.id, line.name, tz, line.message_links, v, waiting))
    return breaches


def tell(session: Session, breach: Breach, now: datetime, public_url: str) -> int:
    """Queue the breach to its operators, each in their language: the rule's name and what is
    wrong in words (`rule_words`), never its code."""
    found = breach.violation
    who = found.counselor or "-"
    by_language: dict[str, list[Recipient]] = {}
    for person in breach.operators:
        by_language.setdefault(language_of(person.language), []).append(person)
    queued = 0
    for language, people in by_language.items():
        rule, detail = rule_words(found.rule, found.detail, dict(found.facts), who, language)
        queued += queue_text(
            session,
            occasion(breach.line_id, found),
            people,
            TEMPLATE,
            now,
            urgent=False,  # a rule warns; a gap is what needs filling at once
            with_link=breach.message_links,
            hotline_id=breach.line_id,
            line=breach.line,
            rule=rule,
            detail=detail,
            start=f"{found.start.astimezone(breach.tz):%m-%d %H:%M}",
            end=f"{found.end.astimezone(breach.tz):%m-%d %H:%M}",
            link=f"{public_url}/",
        )
    return queued
