"""Referrals followed to the end (audited steps, overdue alerts once), the supervisors' board,
the student cases of school lines, and the counts the statistics read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from hotline.care.board import referral_board
from hotline.care.cases import BadCase, case_file, cases_of, link, mark_school_line, open_case
from hotline.care.overdue import alert_overdue
from hotline.care.referrals import BadReferral, ReferralInput, move, propose
from hotline.care.reports import ReferralCount, appointment_counts, referral_counts
from hotline.models import AuditEntry, Call, Counselor, OutboxMessage, Referral, ReferralStep
from hotline.records.scope import Viewer
from tests.hotline.care.conftest import NOW, Care

SUE = Viewer("sue", "supervisor")


def refer(care: Care, urgency: str = "today", **change: Any) -> int:
    values = {"partner": "kangning", "urgency": urgency, "reasons": ("suicide-risk",)}
    data = ReferralInput(**{**values, "consent": True, **change})
    call_id = care.call()
    with care.database.write() as db:
        call = db.get(Call, call_id)
        assert call is not None
        return propose(db, call, data, NOW, actor="wang").id


def step(care: Care, referral_id: int, to: str, at: datetime = NOW) -> None:
    with care.database.write() as db:
        referral = db.get(Referral, referral_id)
        assert referral is not None
        move(db, referral, to, at, actor="sue", source="127.0.0.1")


@pytest.mark.parametrize(
    ("urgency", "due"),
    [
        ("today", datetime(2027, 3, 1, 16, 0, tzinfo=UTC)),  # midnight in Shanghai
        ("72h", NOW + timedelta(hours=72)),
        ("routine", NOW + timedelta(days=14)),
    ],
    ids=["today-by-local-midnight", "within-72h", "routine-14-days"],
)
def test_a_referral_is_due_by_its_urgency(care: Care, urgency: str, due: datetime) -> None:
    referral_id = refer(care, urgency)
    with care.database.read() as db:
        assert db.scalar(select(Referral.due_at).where(Referral.id == referral_id)) == due


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"consent": False}, "no-consent"),
        ({"reasons": ()}, "no-reason"),
        ({"partner": "nowhere"}, "unknown-partner"),
        ({"urgency": "someday"}, "unknown-value"),
    ],
    ids=["no-consent", "no-reason", "unknown-partner", "unknown-urgency"],
)
def test_a_referral_with_a_bad_value_is_refused_and_nothing_is_saved(
    care: Care, change: dict[str, Any], reason: str
) -> None:
    with pytest.raises(BadReferral) as refused:
        refer(care, **change)
    assert refused.value.code == reason
    with care.database.read() as db:
        assert db.scalar(select(func.count(Referral.id))) == 0


def test_each_step_of_a_referral_is_kept_and_audited_and_it_never_goes_back(care: Care) -> None:
    referral_id = refer(care)
    for to in ("sent", "accepted", "attended"):
        step(care, referral_id, to)
    with pytest.raises(BadReferral) as refused:
        step(care, referral_id, "sent")
    assert refused.value.code == "not-allowed"
    with care.database.read() as db:
        steps = list(db.scalars(select(ReferralStep.state).order_by(ReferralStep.id)))
        moves = list(
            db.scalars(select(AuditEntry.detail).where(AuditEntry.action == "referral.move"))
        )
        referral = db.get(Referral, referral_id)
        assert referral is not None
        assert referral.closed_at == NOW
    assert steps == ["proposed", "sent", "accepted", "attended"]
    assert [m["to"] for m in moves] == ["sent", "accepted", "attended"]


def test_an_overdue_urgent_referral_alerts_the_line_supervisors_once(
    care: Care, world: Any
) -> None:
    world.user("sue", "supervisor", email="sue@example.org")
    urgent, routine, accepted = refer(care, "today"), refer(care, "routine"), refer(care, "72h")
    step(care, accepted, "sent")
    step(care, accepted, "accepted")
    late = NOW + timedelta(days=4)
    for _ in range(2):
        with care.database.write() as db:
            done = alert_overdue(db, late, "https://h.example.org")
    assert done == {"overdue": 1, "queued": 0}  # the second run finds it told
    with care.database.read() as db:
        told = list(
            db.scalars(select(OutboxMessage.key).where(OutboxMessage.kind == "referral-overdue"))
        )
        board = referral_board(db, SUE, late)
        assert [s.state for s in board.overdue[0].steps] == ["proposed"]
    assert len(told) == 1
    assert told[0].startswith(f"referral-overdue:{urgent}:")
    assert [r.id for r in board.overdue] == [urgent]
    assert [r.id for r in board.open] == [accepted, routine]  # soonest due first
    assert [r.id for r in board.closed] == []


def test_student_cases_are_seen_only_by_the_school_lines_counselors_and_supervisors(
    care: Care, world: Any
) -> None:
    school = care.line_id("school")
    with care.database.write() as db:
        mark_school_line(db, school, True, NOW, "cli")
    teacher = Viewer("he", "counselor", counselor_id=world.ids(Counselor, "he-fang"))
    city_counselor = Viewer("wang", "counselor", counselor_id=world.ids(Counselor, "wang-li"))
    city_supervisor = Viewer("cy", "supervisor", line_ids=frozenset({care.line_id()}))
    with care.database.write() as db:
        case = open_case(db, teacher, school, NOW, source="test")
        code = case.code
        with pytest.raises(BadCase):
            open_case(db, city_counselor, school, NOW, source="test")
    assert code.startswith("S")
    assert len(code) == 7
    with care.database.read() as db:
        assert [c.code for c in cases_of(db, teacher)] == [code]
        assert [c.code for c in cases_of(db, SUE)] == [code]
        assert cases_of(db, city_counselor) == cases_of(db, city_supervisor) == []
        assert cases_of(db, Viewer("root", "admin")) == []


def test_a_call_is_joined_to_a_case_by_an_audited_action_of_its_own_line_only(
    care: Care, world: Any
) -> None:
    school = care.line_id("school")
    with care.database.write() as db:
        mark_school_line(db, school, True, NOW, "cli")
    school_call = care.call("he-fang", line="school")
    city_call = care.call("wang-li")
    booking = care.book(school_call, care.session(line="school")).booking.code
    with care.database.write() as db:
        case = open_case(db, SUE, school, NOW, source="test")
        link(db, SUE, case, "call", str(school_call), NOW, source="test")
        link(db, SUE, case, "booking", booking.lower(), NOW, source="test")
        with pytest.raises(BadCase):
            link(db, SUE, case, "call", str(city_call), NOW, source="test")
        found = case_file(db, case)
        joins = list(db.scalars(select(AuditEntry.detail).where(AuditEntry.action == "case.link")))
    assert [call_id for call_id, _ in found.calls] == [school_call]
    assert [b[0] for b in found.bookings] == [booking]
    assert joins == [{"kind": "call", "id": str(school_call)}, {"kind": "booking", "id": booking}]


def test_the_counts_for_the_statistics_by_state_partner_urgency_and_result(care: Care) -> None:
    session_id = care.session(capacity=3)
    for _ in range(2):
        care.book(care.call(), session_id)
    first = refer(care, "today")
    refer(care, "today")
    step(care, first, "declined")
    with care.database.read() as db:
        city = [care.line_id()]
        booked = appointment_counts(db, city, NOW - timedelta(days=1), NOW + timedelta(days=1))
        referred = referral_counts(db, None, NOW - timedelta(days=1), NOW + timedelta(days=1))
        nothing = appointment_counts(db, [care.line_id("school")], NOW, NOW + timedelta(days=1))
    assert booked == {"booked": 2, "attended": 0, "missed": 0, "cancelled": 0, "open": 2}
    assert nothing["booked"] == 0
    assert referred == [
        ReferralCount("kangning", "today", "declined", 1),
        ReferralCount("kangning", "today", "proposed", 1),
    ]


def school_referral(care: Care, counselor: str) -> tuple[int, int]:
    """A call of the school line answered by `counselor`, and a referral made from it."""
    call_id = care.call(counselor, line="school")
    data = ReferralInput("kangning", "72h", ("self-harm",), consent=True)
    with care.database.write() as db:
        call = db.get(Call, call_id)
        assert call is not None
        return call_id, propose(db, call, data, NOW, actor="x").id


def test_a_counselor_joins_only_bookings_and_referrals_of_calls_they_see_and_none_moves_case(
    care: Care, world: Any
) -> None:
    school = care.line_id("school")
    with care.database.write() as db:
        mark_school_line(db, school, True, NOW, "cli")
    teacher = Viewer("he", "counselor", counselor_id=world.ids(Counselor, "he-fang"))
    own_call, own_referral = school_referral(care, "he-fang")
    other_call, other_referral = school_referral(care, "wang-li")  # not the teacher's call
    held = care.session(line="school", capacity=5)
    own_booking = care.book(own_call, held).booking.code
    other_booking = care.book(other_call, held).booking.code
    with care.database.write() as db:
        mine, second = (open_case(db, teacher, school, NOW, source="t") for _ in range(2))
        link(db, teacher, mine, "referral", str(own_referral), NOW, source="t")
        link(db, teacher, mine, "booking", own_booking, NOW, source="t")
        refused = []
        for kind, typed in [("referral", str(other_referral)), ("booking", other_booking)]:
            with pytest.raises(BadCase) as other:
                link(db, teacher, second, kind, typed, NOW, source="t")
            refused.append(other.value.code)
        for kind, typed in [("referral", str(own_referral)), ("booking", own_booking)]:
            with pytest.raises(BadCase) as moved:
                link(db, teacher, second, kind, typed, NOW, source="t")  # in `mine` already
            refused.append(moved.value.code)
        link(db, teacher, mine, "referral", str(own_referral), NOW, source="t")  # again: fine
        link(db, SUE, second, "referral", str(other_referral), NOW, source="t")  # the line's
        files = {case.id: case_file(db, case) for case in (mine, second)}
    assert refused == ["not-found", "not-found", "in-another-case", "in-another-case"]
    assert [r[0] for r in files[mine.id].referrals] == [own_referral]
    assert [b[0] for b in files[mine.id].bookings] == [own_booking]
    assert [r[0] for r in files[second.id].referrals] == [other_referral]
    assert files[second.id].bookings == []


@pytest.mark.parametrize("typed", ["²", "1²", "\u0661", "  ", "-1", "1e3", "99999999999999"])
def test_a_number_that_is_not_ascii_digits_is_not_found_never_an_error(
    care: Care, typed: str
) -> None:
    school = care.line_id("school")
    with care.database.write() as db:
        mark_school_line(db, school, True, NOW, "cli")
        case = open_case(db, SUE, school, NOW, source="t")
        for kind in ("referral", "call"):
            with pytest.raises(BadCase) as refused:
                link(db, SUE, case, kind, typed, NOW, source="t")
            assert refused.value.code == "not-found"
