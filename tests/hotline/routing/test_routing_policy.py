"""The routing policy at the service level, with the clock as a parameter: the wait cap,
busy counselors as leases, and a lease that a lost callback leaves behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.config.importer import import_configuration
from hotline.duty import DutyIndex
from hotline.models import Call, CallAttempt, Hotline
from hotline.routing.calls import continue_call, plan_arrival, start_call
from hotline.routing.decisions import Dial, Instruction, Screen
from hotline.routing.directory import LineDirectory
from hotline.routing.inputs import DialOutcome, IncomingCall, RoutingContext, ScreenLeg
from hotline.routing.screening import screen_answered
from hotline.routing.store import Store
from settings import Settings
from tests.webhooks.conftest import CANARY, CITY, CITY_FALLBACK, PHONES, ROUTING_CONFIG, SCHOOL

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def ctx(session: Session, settings: Settings) -> RoutingContext:
    import_configuration(session, ROUTING_CONFIG, NOW - timedelta(days=30))
    return RoutingContext(
        settings.fallback_number, settings.pseudonym_key, None, DutyIndex(), LineDirectory(0.0)
    )


def arrive(
    session: Session, ctx: RoutingContext, incoming: IncomingCall, now: datetime
) -> list[Instruction]:
    """What `route_incoming` does, in the test's one transaction."""
    return start_call(Store.of(session), plan_arrival(session, ctx, incoming, now), now)


def dial_ends(
    session: Session, ctx: RoutingContext, outcome: DialOutcome, now: datetime
) -> list[Instruction]:
    """What `dial_ended` does, in the test's one transaction."""
    return continue_call(Store.of(session), ctx.lines.current(session), outcome, now)


def _dialed(instructions: list[Instruction]) -> list[str]:
    dials = [i for i in instructions if isinstance(i, Dial)]
    return [ring.number for dial in dials for ring in dial.rings]


def _no_answer(sid: str, step: int, round_: int) -> DialOutcome:
    return DialOutcome(sid, step, round_, "no-answer", False, None, None)


def test_when_the_wait_cap_is_used_up_the_fallback_is_dialed_next(
    session: Session, ctx: RoutingContext
) -> None:
    session.execute(update(Hotline).where(Hotline.key == "city").values(max_wait_seconds=30))
    first = arrive(session, ctx, IncomingCall("CA1", CITY, CANARY), NOW)
    assert _dialed(first) == [PHONES["wang-li"]]
    later = dial_ends(session, ctx, _no_answer("CA1", 0, 0), NOW + timedelta(seconds=27))
    assert _dialed(later) == [CITY_FALLBACK]


def test_a_ring_is_cut_short_so_the_cap_holds(session: Session, ctx: RoutingContext) -> None:
    session.execute(update(Hotline).where(Hotline.key == "city").values(max_wait_seconds=30))
    arrive(session, ctx, IncomingCall("CA1", CITY, CANARY), NOW)
    later = dial_ends(session, ctx, _no_answer("CA1", 0, 0), NOW + timedelta(seconds=18))
    dial = next(i for i in later if isinstance(i, Dial))
    assert (dial.rings[0].number, dial.timeout_s) == (PHONES["zhang-wei"], 12)


def test_a_counselor_on_another_call_is_skipped_and_the_skip_is_recorded(
    session: Session, ctx: RoutingContext
) -> None:
    arrive(session, ctx, IncomingCall("CA-OTHER", CITY, CANARY), NOW)  # rings wang-li
    second = arrive(session, ctx, IncomingCall("CA2", CITY, "+8613900009999"), NOW)
    assert _dialed(second) == [PHONES["zhang-wei"]]
    results = session.execute(
        select(CallAttempt.target, CallAttempt.round, CallAttempt.result).order_by(CallAttempt.id)
    ).all()
    assert [tuple(r) for r in results] == [
        ("wang-li", 0, None),
        ("wang-li", 0, "busy-elsewhere"),
        ("zhang-wei", 0, None),
    ]


def test_a_lease_left_by_a_lost_callback_expires_by_itself(
    session: Session, ctx: RoutingContext
) -> None:
    arrive(session, ctx, IncomingCall("CA-LOST", CITY, CANARY), NOW)
    # No callback ever comes for CA-LOST; 20 s of ringing + 15 s of margin later, wang-li is free.
    still_busy = arrive(
        session, ctx, IncomingCall("CA3", CITY, CANARY), NOW + timedelta(seconds=34)
    )
    assert _dialed(still_busy) == [PHONES["zhang-wei"]]
    free_again = arrive(
        session, ctx, IncomingCall("CA4", CITY, CANARY), NOW + timedelta(seconds=36)
    )
    assert _dialed(free_again) == [PHONES["wang-li"]]


def test_the_plan_records_who_should_have_answered_and_from_which_version(
    session: Session, ctx: RoutingContext
) -> None:
    arrive(session, ctx, IncomingCall("CA5", CITY, CANARY), NOW)
    call = session.scalar(select(Call).where(Call.call_sid == "CA5"))
    assert call is not None
    assert [(s["hotline"], s["tier"], s["counselors"], s["version"]) for s in call.plan] == [
        ("city", 1, ["wang-li", "zhang-wei"], 1),
        ("city", 2, ["li-na"], 1),
        (None, None, [], None),
    ]
    assert call.plan[-1]["fallback"] == CITY_FALLBACK


def test_the_first_pickup_stops_the_other_legs_ringing_at_that_moment(
    session: Session, ctx: RoutingContext
) -> None:
    arrive(session, ctx, IncomingCall("CA6", SCHOOL, CANARY), NOW)  # rings three at once
    picked_up = NOW + timedelta(seconds=4)
    leg = ScreenLeg("CA6", "CA" + "7" * 32, 0, 0, "he-fang")
    screen_answered(session, ctx, leg, picked_up)
    rows = session.execute(
        select(CallAttempt.target, CallAttempt.result, CallAttempt.ended_at).order_by(
            CallAttempt.id
        )
    ).all()
    assert [tuple(r) for r in rows] == [
        ("he-fang", "answered", picked_up),
        ("ma-jun", "canceled", picked_up),
        ("lin-xue", "canceled", picked_up),
    ]


def test_an_overflowed_call_is_announced_as_the_line_the_caller_dialed(
    session: Session, ctx: RoutingContext
) -> None:
    arrive(session, ctx, IncomingCall("CA8", SCHOOL, CANARY), NOW)
    # Nobody of the school's tier answers: the call overflows to the city line's tier 1.
    dial_ends(session, ctx, _no_answer("CA8", 0, 0), NOW + timedelta(seconds=25))
    leg = ScreenLeg("CA8", "CA" + "8" * 32, 1, 0, "wang-li")  # the city line's tier 1
    screen = screen_answered(session, ctx, leg, NOW + timedelta(seconds=30))
    assert isinstance(screen[0], Screen)
    assert "Sunshine School Line" in screen[0].prompt.text
