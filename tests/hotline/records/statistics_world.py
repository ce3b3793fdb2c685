"""Calls of every kind on the two test lines, with attempts and outcomes, for the statistics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hotline.models import CallAttempt, CallOutcome, Counselor, Hotline, Partner
from tests.conftest import RecordsWorld

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def attempts(
    world: RecordsWorld, call_id: int, *legs: tuple[str | None, str, int, str | None]
) -> None:
    """Legs as (line, counselor key or `fallback`, tier, result)."""
    with world.database.write() as writing:
        for step, (line, target, tier, result) in enumerate(legs):
            fallback = target == "fallback"
            writing.add(
                CallAttempt(
                    call_id=call_id,
                    step=step,
                    round=0,
                    kind="fallback" if fallback else "counselor",
                    hotline_id=None if fallback or line is None else world.ids(Hotline, line),
                    tier=None if fallback else tier,
                    target=target,
                    counselor_id=None if fallback else world.ids(Counselor, target),
                    rota_version=1,
                    started_at=NOW,
                    ended_at=NOW,
                    result=result,
                )
            )


def outcome(world: RecordsWorld, call_id: int, counselor: str, **values: Any) -> None:
    partner = values.pop("partner", None)
    fields: dict[str, Any] = {"call_type": "counseling", "topics": [], "risk": "low"}
    fields.update({"actions": [], **values})
    with world.database.write() as writing:
        writing.add(
            CallOutcome(
                call_id=call_id,
                counselor_id=world.ids(Counselor, counselor),
                partner_id=world.ids(Partner, partner) if partner else None,
                recorded_at=NOW,
                updated_at=NOW,
                **fields,
            )
        )


def taken_call(world: RecordsWorld, line: str, at: datetime, by: str, wait: int, **v: Any) -> int:
    return world.call(line, at, counselor=by, answered_at=at + timedelta(seconds=wait), **v)


def busy_week(world: RecordsWorld) -> dict[str, int]:
    """December 2026 on `city` (Shanghai, UTC+8) and `school` (London, UTC+0)."""
    made: dict[str, int] = {}
    # 1 Dec, 00:30 in Shanghai (30 Nov in UTC): taken at once, a full outcome.
    made["full"] = taken_call(world, "city", utc("2026-11-30T16:30"), "wang-li", 12, caller="v2:R")
    attempts(world, made["full"], ("city", "wang-li", 1, "bridged"))
    outcome(
        world,
        made["full"],
        "wang-li",
        risk="high",
        topics=["self-harm", "bullying"],
        actions=["referral", "appointment"],
        partner="kangning",
        caller_type="student",
        age_band="15-17",
    )
    # Declined, then taken by the next: 25 s, no outcome yet. The same caller again.
    made["declined"] = taken_call(
        world, "city", utc("2026-12-02T03:00"), "li-na", 25, caller="v2:R"
    )
    attempts(
        world, made["declined"], ("city", "wang-li", 1, "declined"), ("city", "li-na", 1, "bridged")
    )
    made["fallback"] = world.call("city", utc("2026-12-03T10:00"), result="fallback", caller="v2:F")
    attempts(
        world,
        made["fallback"],
        ("city", "wang-li", 1, "no-answer"),
        ("city", "li-na", 2, "busy-elsewhere"),
        (None, "fallback", 0, "bridged"),
    )
    made["spooled"] = world.call(
        "city", utc("2026-12-03T11:00"), result="error", ended_at=None, caller="withheld"
    )
    made["closing"] = world.call("city", utc("2026-12-04T22:00"), caller="withheld")
    attempts(
        world, made["closing"], ("city", "wang-li", 1, "no-key"), (None, "fallback", 0, "no-answer")
    )
    made["abandoned"] = world.call(
        "city", utc("2026-12-05T01:00"), result="abandoned", caller="v2:A"
    )
    attempts(world, made["abandoned"], ("city", "li-na", 1, "abandoned"))
    made["ringing"] = world.call(
        "city", NOW - timedelta(minutes=1), result="routing", ended_at=None, caller="v2:G"
    )
    attempts(world, made["ringing"], ("city", "wang-li", 1, None))
    # School (London): overflowed to the city line and taken there after 40 s.
    made["overflowed"] = taken_call(
        world,
        "school",
        utc("2026-12-06T09:00"),
        "wang-li",
        40,
        caller="v2:R",
        result="overflowed",
        answered_line_id=world.ids(Hotline, "city"),
    )
    attempts(
        world,
        made["overflowed"],
        ("school", "he-fang", 1, "no-answer"),
        ("city", "wang-li", 1, "bridged"),
    )
    made["backup"] = taken_call(
        world, "school", utc("2026-12-07T23:30"), "li-na", 31, caller="v2:S"
    )
    attempts(
        world, made["backup"], ("school", "he-fang", 1, "failed"), ("school", "li-na", 2, "bridged")
    )
    outcome(
        world, made["backup"], "li-na", call_type="information", risk="none", actions=["support"]
    )
    # Outside the days asked (10 Dec ends at 16:00 UTC in Shanghai), and a number of no line.
    made["later"] = taken_call(world, "city", utc("2026-12-10T16:00"), "wang-li", 5, caller="v2:L")
    made["nowhere"] = world.call(None, utc("2026-12-05T05:00"), caller="v2:N")
    return made
