"""The statistics of a set of lines over a range of days, counted with `records.definitions`.

A handful of grouped queries, whatever the range: the figures per local hour (for the series
and the heatmap), waits per whole second (for exact medians), outcomes, repeat callers,
counselors' legs.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, distinct, func, select
from sqlalchemy.orm import Session

from hotline.models import Call, CallAttempt, CallOutcome, Counselor, Hotline, Partner
from hotline.records.calllog import date_windows
from hotline.records.definitions import (
    ATTEMPT_FIGURES,
    CALL_FIGURES,
    FIGURES,
    LEGS,
    JsonItems,
    LocalStamp,
    WaitSeconds,
    allow_local_time,
    leg_ended,
    taken,
)
from hotline.records.statistics_question import Question
from hotline.records.vocabulary import (
    ACTIONS,
    AGE_BANDS,
    CALL_TYPES,
    CALLER_TYPES,
    RISKS,
    TOPICS,
)

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
            ],
            "figures": dict(self.counts),
            "talk_seconds": self.talk_seconds,
            "repeat_callers": {"callers": self.repeat_callers, "calls": self.repeat_calls},
            "outcomes": {name: dict(pairs) for name, pairs in self.outcomes.items()},
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def statistics(session: Session, question: Question, now: datetime) -> Statistics:
    """Every figure of the statistics page for `question` (already checked: `ask`)."""
    allow_local_time(session)
    hours, counts, talk = _per_hour(session, question, now)
    counts.update(_attempt_figures(session, question, now))
    callers, calls = _repeat_callers(session, question, now)
    return Statistics(
        question=question,
        counts=counts,
        wait=_wait_spread(session, question, now),
        talk_seconds=talk,
        hours=hours,
        outcomes=_outcomes(session, question, now),
        repeat_callers=callers,
        repeat_calls=calls,
        counselors=_counselors(session, question, now),
    )


def arrived(question: Question, session: Session, now: datetime) -> Any:
    """The calls the question counts: arrived on its lines within its days (each line's zone)."""
    line_ids = select(Hotline.id).where(Hotline.key.in_(question.lines))
    return and_(
        Call.hotline_id.in_(line_ids),
        date_windows(session, question.start, question.end, now),
    )


def _calls(session: Session, question: Question, now: datetime, *columns: Any) -> Select[Any]:
    return (
        select(*columns)
        .select_from(Call)
        .join(Hotline, Hotline.id == Call.hotline_id)
        .outerjoin(CallOutcome, CallOutcome.call_id == Call.id)
        .where(arrived(question, session, now))
    )


def _count_if(condition: Any) -> Any:
    return func.count(case((condition, 1)))


def _per_hour(
    session: Session, question: Question, now: datetime
) -> tuple[dict[str, tuple[int, int]], dict[str, int], int]:
    stamp = LocalStamp(Call.arrived_at, Hotline.timezone).label("stamp")
    talking = and_(taken(), Call.ended_at.is_not(None), Call.answered_at.is_not(None))
    talk = func.sum(case((talking, WaitSeconds(Call.answered_at, Call.ended_at)), else_=0))
    figures = [_count_if(FIGURES[name].condition()) for name in CALL_FIGURES]
    query = _calls(session, question, now, stamp, *figures, talk).group_by(stamp)
    hours: dict[str, tuple[int, int]] = {}
    totals: Counter[str] = Counter({name: 0 for name in CALL_FIGURES})
    talk_total = 0.0
    taken_at = CALL_FIGURES.index("taken")
    for row in session.execute(query):
        values = [int(v or 0) for v in row[1:-1]]
        hours[row.stamp] = (values[0], values[taken_at])
        totals.update(dict(zip(CALL_FIGURES, values, strict=True)))
        talk_total += float(row[-1] or 0)
    return hours, dict(totals), round(talk_total)


def _attempt_figures(session: Session, question: Question, now: datetime) -> dict[str, int]:
    """Figures about attempts: distinct calls of calls LEFT JOIN attempts."""
    columns = [
        func.count(distinct(case((FIGURES[name].joined(), Call.id)))) for name in ATTEMPT_FIGURES
    ]
    query = (
        select(*columns)
        .select_from(Call)
        .outerjoin(CallAttempt, CallAttempt.call_id == Call.id)
        .where(arrived(question, session, now))
    )
    row = session.execute(query).one()
    return dict(zip(ATTEMPT_FIGURES, (int(v or 0) for v in row), strict=True))


def _wait_spread(session: Session, question: Question, now: datetime) -> Spread:
    """Exact over whole seconds: waits are counted per rounded second, then walked in order."""
    seconds = func.round(WaitSeconds(Call.arrived_at, Call.answered_at)).label("seconds")
    query = _calls(session, question, now, seconds, func.count()).where(taken()).group_by(seconds)
    found = sorted((int(s), int(n)) for s, n in session.execute(query))
    return Spread(quantile(found, 0.5), quantile(found, 0.9))


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


def _outcomes(
    session: Session, question: Question, now: datetime
) -> dict[str, list[tuple[str, int]]]:
    """Recorded outcomes by each field, in the vocabulary's order (the partner by its key);
    the single-valued fields in one grouped scan."""
    fields = {
        "call_type": (CallOutcome.call_type, CALL_TYPES),
        "risk": (CallOutcome.risk, RISKS),
        "caller_type": (CallOutcome.caller_type, CALLER_TYPES),
        "age_band": (CallOutcome.age_band, AGE_BANDS),
        "partner": (Partner.key, ()),
    }
    columns = [column for column, _ in fields.values()]
    query = (
        _calls(session, question, now, *columns, func.count())
        .outerjoin(Partner, Partner.id == CallOutcome.partner_id)
        .where(CallOutcome.id.is_not(None))
        .group_by(*columns)
    )
    tallies: dict[str, Counter[str]] = {name: Counter() for name in fields}
    for row in session.execute(query):
        for name, value in zip(fields, row[:-1], strict=True):
            if value is not None:
                tallies[name][value] += int(row[-1])
    partners = session.scalars(select(Partner.key).order_by(Partner.position))
    found = {
        name: [(word, tallies[name][word]) for word in (words or ())]
        for name, (_, words) in fields.items()
    }
    found["partner"] = [
        (key, tallies["partner"][key]) for key in partners if tallies["partner"][key]
    ]
    found["topic"] = _listed_counts(session, question, now, CallOutcome.topics, TOPICS)
    found["action"] = _listed_counts(session, question, now, CallOutcome.actions, ACTIONS)
    return found


def _listed_counts(
    session: Session, question: Question, now: datetime, column: Any, words: tuple[str, ...]
) -> list[tuple[str, int]]:
    items = JsonItems(column).table_valued("value")
    query = (
        _calls(session, question, now, items.c.value, func.count())
        .join(items, CallOutcome.id.is_not(None))
        .group_by(items.c.value)
    )
    counts = {str(word): int(n) for word, n in session.execute(query)}
    return [(word, int(counts.get(word, 0))) for word in words]


def _repeat_callers(session: Session, question: Question, now: datetime) -> tuple[int, int]:
    """Distinct pseudonyms with more than one call, and their calls (never which)."""
    per_caller = (
        _calls(session, question, now, Call.caller, func.count().label("calls"))
        .where(Call.caller != WITHHELD)
        .group_by(Call.caller)
        .having(func.count() > 1)
        .subquery()
    )
    callers, calls = session.execute(
        select(func.count(), func.coalesce(func.sum(per_caller.c.calls), 0))
    ).one()
    return int(callers), int(calls)


def _counselors(session: Session, question: Question, now: datetime) -> list[CounselorFigures]:
    """One row per counselor rung for the calls counted, or who took one of them."""
    legs = [func.count(distinct(case((leg_ended(leg), Call.id)))) for leg in LEGS]
    rung = (
        select(CallAttempt.counselor_id, *legs)
        .select_from(Call)
        .join(CallAttempt, CallAttempt.call_id == Call.id)
        .where(arrived(question, session, now), CallAttempt.counselor_id.is_not(None))
        .group_by(CallAttempt.counselor_id)
    )
    by_leg = {row[0]: [int(v) for v in row[1:]] for row in session.execute(rung)}
    talking = and_(Call.ended_at.is_not(None), Call.answered_at.is_not(None))
    talk = func.sum(case((talking, WaitSeconds(Call.answered_at, Call.ended_at)), else_=0))
    took = _calls(
        session, question, now, Call.answered_by_id, func.count(), talk, func.count(CallOutcome.id)
    ).where(taken())
    by_taker = {row[0]: row[1:] for row in session.execute(took.group_by(Call.answered_by_id))}
    people = session.execute(
        select(Counselor.id, Counselor.key).order_by(Counselor.position, Counselor.key)
    )
    found = []
    for person, key in people:
        if person not in by_leg and person not in by_taker:
            continue
        rung_n, declined, not_answered = by_leg.get(person, [0, 0, 0])
        took_n, talked, outcomes = by_taker.get(person, (0, 0, 0))
        found.append(
            CounselorFigures(
                key, rung_n, int(took_n), declined, not_answered, round(talked or 0), int(outcomes)
            )
        )
    return found
