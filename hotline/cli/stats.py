"""`hotline stats`: the statistics page's figures for one line or all, as text or JSON."""

from __future__ import annotations

import json
from datetime import date, datetime

import click

from hotline.cli.context import database, fail, write
from hotline.clock import now
from hotline.records import audit
from hotline.records.scope import Viewer
from hotline.records.statistics import Statistics, statistics
from hotline.records.statistics_question import (
    EARLIEST_DAY,
    LATEST_DAY,
    MAX_YEARS,
    BadQuestion,
    ask,
)

READER = Viewer("cli", "admin")
REFUSALS = {
    "reversed": "--to is before --from",
    "too-long": f"the range is longer than {MAX_YEARS} years",
    "out-of-range": f"a day outside {EARLIEST_DAY} to {LATEST_DAY}",
    "unknown-line": "no such line",
    "not-your-line": "not a line you may read",
    "no-lines": "there are no lines yet",
}


@click.command("stats")
@click.argument("hotline", required=False)
@click.option("--all", "every", is_flag=True, help="Every line together.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day, inclusive.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day, inclusive.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def stats_command(
    hotline: str | None, every: bool, start: datetime | None, end: datetime | None, as_json: bool
) -> None:
    """Figures of the calls that arrived between the days (each line's own zone; default: the
    last 30 days)."""
    if every == (hotline is not None):
        fail("name one line, or --all")
    at = now()
    # Counted in a read transaction (on SQLite a write one would hold the single writer, and
    # calls with it, for the whole count), then the reading audited in a short write.
    with database().read() as db:
        try:
            question = ask(
                db, READER, [hotline] if hotline else [], _day(start), _day(end), today=at.date()
            )
        except BadQuestion as refused:
            fail(f"{REFUSALS.get(refused.code, refused.code)}: {refused.detail}".rstrip(": "))
        found = statistics(db, question, at)
    with database().write() as db:
        detail = {"lines": list(question.lines), "from": _iso(question.start)}
        audit.record(
            db,
            at,
            "stats.read",
            actor="cli",
            source="cli",
            detail={**detail, "to": _iso(question.end)},
        )
    write(json.dumps(found.as_contract(), ensure_ascii=False) if as_json else _text(found))


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _text(found: Statistics) -> str:
    rate = found.answer_rate
    lines = [
        f"lines: {', '.join(found.question.lines)}",
        f"calls: {found.counts['calls']}",
        f"taken by a counselor: {found.counts['taken']}"
        + (f" ({rate:.0%})" if rate is not None else ""),
        f"time to answer: median {found.wait.median} s, p90 {found.wait.p90} s",
    ]
    lines += [f"{name}: {count}" for name, count in found.counts.items() if name != "calls"]
    lines += [f"counselor {c.counselor}: rung {c.rung}, took {c.taken}" for c in found.counselors]
    booked = found.follow_up.appointments
    lines.append("appointments: " + ", ".join(f"{name} {n}" for name, n in booked.items()))
    lines.append(f"referrals: {found.follow_up.referral_total}")
    return "\n".join(lines)
