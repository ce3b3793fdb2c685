"""The statistics of a set of lines over a range of days, counted with `records.definitions`.

The counts come as tallies (`records.rollups`): the days the `stats-rollup` job has rolled up
from its roll-up rows, the rest from the raw rows, grouped the same way (figures per local hour
for the series and the heatmap, waits per whole second for exact medians, outcomes,
counselors' legs); repeat callers are counted from the raw rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select, text
from sqlalchemy.orm import Session

from hotline.models import Call, Counselor, Hotline, Partner
from hotline.records.calllog import date_windows
from hotline.records.definitions import ATTEMPT_FIGURES, CALL_FIGURES, allow_local_time
from hotline.records.duty_hours import seconds_on_duty
from hotline.records.follow_up import FollowUp, follow_up
from hotline.records.rollups import Tally, tally_of
from hotline.records.statistics_question import Question
from hotline.records.vocabulary import (
    ACTIONS,
    AGE_BANDS,
    CALL_TYPES,
    CALLER_TYPES,
    RISKS,
    TOPICS,
)

GROUPING_MEMORY = "64MB"
WITHHELD = "withheld"  # one pseudonym for every caller who hides the number: not one person


@dataclass(frozen=True, slots=True)
class Spread:
    """Median and 90th percentile in whole seconds (None without values)."""

    median: int | None
    p90: int | None


@dataclass(frozen=True, slots=True)
class CounselorFigures:
    counselor: str
    rung: int
    taken: int
    declined: int
    not_answered: int
    talk_seconds: int
    outcomes: int
    on_duty_seconds: int = 0  # from the rota versions in force over the days (records.duty_hours)


@dataclass(frozen=True, slots=True)
class Statistics:
    question: Question
    counts: dict[str, int]
    wait: Spread
    talk_seconds: int
    # Local hour stamps (`YYYY-MM-DD HH D`) -> (calls, taken): the series and the heatmap.
    hours: dict[str, tuple[int, int]]
    outcomes: dict[str, list[tuple[str, int]]]
    repeat_callers: int
    repeat_calls: int
    counselors: list[CounselorFigures]
    # Appointments and referrals made on the lines over the days: counts, never linked.
    follow_up: FollowUp

    @property
    def answer_rate(self) -> float | None:
        calls = self.counts["calls"]
        return self.counts["taken"] / calls if calls else None

    def service_level(self, seconds: int) -> float | None:
        calls = self.counts["calls"]
        return self.counts[f"within-{seconds}"] / calls if calls else None

    def as_contract(self) -> dict[str, Any]:
        """The JSON of `hotline stats` (CONTRACT.md fixes these keys)."""
        return {
            "lines": list(self.question.lines),
            "from": _iso(self.question.start),
            "to": _iso(self.question.end),
            "calls": self.counts["calls"],
            "bridged": self.counts["taken"],
            "answer_rate": self.answer_rate,
            "time_to_answer_seconds": {"median": self.wait.median, "p90": self.wait.p90},
            "counselors": [
                {"counselor": c.counselor, "rung": c.rung, "answered": c.taken}
                for c in self.counselors
                if c.rung or c.taken
            ],
            "hours_on_duty": {
                c.counselor: round(c.on_duty_seconds / 3600, 2)
                for c in self.counselors
                if c.on_duty_seconds
            },
            "figures": dict(self.counts),
            "talk_seconds": self.talk_seconds,
            "repeat_callers": {"callers": self.repeat_callers, "calls": self.repeat_calls},
            "outcomes": {name: dict(pairs) for name, pairs in self.outcomes.items()},
            "follow_up": self.follow_up.as_json(),
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def statistics(session: Session, question: Question, now: datetime) -> Statistics:
    """Every figure of the statistics page for `question` (already checked: `ask`): the days
    the `stats-rollup` job has counted from its roll-ups, the others from the raw rows, with the
    same definitions (`records.rollups`); repeat callers always from the raw rows."""
    allow_local_time(session)
    tally = tally_of(session, question.lines, question.start, question.end, now)
    callers, calls = _repeat_callers(session, question, now)
    counts = {name: tally.n[("figure", name)] for name in (*CALL_FIGURES, *ATTEMPT_FIGURES)}
    waits = sorted((int(s), n) for s, n in tally.of("wait").items() if n)
    return Statistics(
        question=question,
        counts=counts,
        wait=Spread(quantile(waits, 0.5), quantile(waits, 0.9)),
        talk_seconds=round(tally.seconds.get(("talk", ""), 0.0)),
        hours={stamp: (calls, took) for stamp, (calls, took) in sorted(tally.hours.items())},
        outcomes=_outcomes(session, tally),
        repeat_callers=callers,
        repeat_calls=calls,
        counselors=_counselors(session, tally, seconds_on_duty(session, question, now)),
        follow_up=follow_up(session, question, now),
    )


def arrived(question: Question, session: Session, now: datetime) -> Any:
    """The calls the question counts: arrived on its lines within its days (each line's zone)."""
    line_ids = select(Hotline.id).where(Hotline.key.in_(question.lines))
    return and_(
        Call.hotline_id.in_(line_ids),
        date_windows(session, question.start, question.end, now),
    )


def quantile(counted: list[tuple[int, int]], share: float) -> int | None:
    """The nearest-rank quantile of values given as sorted (value, how many) pairs."""
    total = sum(n for _, n in counted)
    if total == 0:
        return None
    rank, seen = max(1, math.ceil(total * share)), 0
    for value, n in counted:
        seen += n
        if seen >= rank:
            return value
    return counted[-1][0]


def _outcomes(session: Session, tally: Tally) -> dict[str, list[tuple[str, int]]]:
    """Recorded outcomes by each field, in the vocabulary's order (the partner by its key)."""
    fields = {
        "call_type": CALL_TYPES,
        "risk": RISKS,
        "caller_type": CALLER_TYPES,
        "age_band": AGE_BANDS,
    }
    found = {
        name: [(word, tally.n[(name, word)]) for word in words] for name, words in fields.items()
    }
    partners = session.execute(select(Partner.id, Partner.key).order_by(Partner.position))
    found["partner"] = [
        (key, tally.n[("partner", str(pid))])
        for pid, key in partners
        if tally.n[("partner", str(pid))]
    ]
    found["topic"] = [(word, tally.n[("topic", word)]) for word in TOPICS]
    found["action"] = [(word, tally.n[("action", word)]) for word in ACTIONS]
    return found


def _repeat_callers(session: Session, question: Question, now: datetime) -> tuple[int, int]:
    """Distinct pseudonyms with more than one call, and their calls (never which): not a sum
    of days, so always from the raw rows; on PostgreSQL with memory enough to group the
    pseudonyms of a million calls in a hash, not by sorting on disk."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL work_mem = '{GROUPING_MEMORY}'"))
    per_caller = (
        select(Call.caller, func.count().label("calls"))
        .where(arrived(question, session, now), Call.caller != WITHHELD)
        .group_by(Call.caller)
        .having(func.count() > 1)
        .subquery()
    )
    callers, calls = session.execute(
        select(func.count(), func.coalesce(func.sum(per_caller.c.calls), 0))
    ).one()
    return int(callers), int(calls)


def _counselors(session: Session, tally: Tally, on_duty: dict[str, int]) -> list[CounselorFigures]:
    """One row per counselor rung for the calls counted, who took one of them, or who was on
    duty on the lines."""
    legs = tally.of("legs")
    took = tally.of("took")
    people = session.execute(
        select(Counselor.id, Counselor.key).order_by(Counselor.position, Counselor.key)
    )
    found = []
    for person, key in people:
        pid = str(person)
        if pid not in legs and not took.get(pid) and key not in on_duty:
            continue
        found.append(
            CounselorFigures(
                key,
                tally.n[("rung", pid)],
                tally.n[("took", pid)],
                tally.n[("declined", pid)],
                tally.n[("not-answered", pid)],
                round(tally.seconds.get(("took", pid), 0.0)),
                tally.n[("took-outcomes", pid)],
                on_duty.get(key, 0),
            )
        )
    return found
