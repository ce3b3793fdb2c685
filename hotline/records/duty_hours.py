"""Hours on duty per counselor over a statistics question's days, from the rota versions then
in force (overrides and leave applied), up to now: the hours ahead are not on duty yet.

A counselor on duty on two of the lines at once, or in two tiers, is on duty once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Hotline
from hotline.records.calllog import days_asked
from hotline.records.statistics_question import Question
from hotline.rota_versions import versions_from
from rota.localtime import local_day_start

Span = tuple[datetime, datetime]


def seconds_on_duty(session: Session, question: Question, now: datetime) -> dict[str, int]:
    """Counselor key -> whole seconds on duty on any of the question's lines (each line's days)."""
    spans: dict[str, list[Span]] = {}
    lines = session.execute(
        select(Hotline.id, Hotline.timezone).where(Hotline.key.in_(question.lines))
    )
    for line_id, timezone in lines:
        zone = ZoneInfo(timezone)
        first, last = days_asked(question.start, question.end, now.astimezone(zone).date())
        start = local_day_start(first, zone)
        end = min(local_day_start(last + timedelta(days=1), zone), now)
        if end <= start:
            continue
        for segment in versions_from(session, line_id, start).timeline(start, end):
            for name in {name for tier in segment.tiers for name in tier}:
                spans.setdefault(name, []).append((segment.start, segment.end))
    return {name: _merged_seconds(found) for name, found in spans.items()}


def _merged_seconds(spans: list[Span]) -> int:
    total, reach = 0.0, None
    for start, end in sorted(spans):
        if reach is not None and start < reach:
            start = reach
        if end > start:
            total += (end - start).total_seconds()
            reach = end
    return round(total)
