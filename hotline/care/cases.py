"""Student cases of school lines: one per at-risk student, under a code the system makes.

Only the counselors (named by the line's rota) and the supervisors of that school's line see
a case; everything joined to it (a call, a booking, a referral) is joined by an explicit action,
audited with who and when, and only from the case's own line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.care.codes import new_code, read_code
from hotline.care.scope import counselor_lines
from hotline.models import Booking, Call, CareSession, CaseCall, Partner, Referral, SchoolLine
from hotline.models import StudentCase as Case
from hotline.records import audit
from hotline.records.scope import Viewer, visible_calls

PREFIX = "S"
LINKS = ("call", "booking", "referral")


class BadCase(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class CaseFile:
    case: Case
    calls: list[tuple[int, datetime]]
    bookings: list[tuple[str, str, datetime, str]]  # code, state, start, place
    referrals: list[tuple[int, str, str, str]]  # id, partner, urgency, state


def case_line_ids(session: Session, viewer: Viewer) -> set[int]:
    """The school lines whose cases this viewer sees."""
    schools = set(session.scalars(select(SchoolLine.hotline_id)))
    if viewer.role == "counselor":
        return schools & counselor_lines(session, viewer.counselor_id)
    if viewer.role == "supervisor":
        return schools if viewer.line_ids is None else schools & set(viewer.line_ids)
    return set()


def open_case(
    session: Session, viewer: Viewer, line_id: int, now: datetime, *, source: str | None
) -> Case:
    if line_id not in case_line_ids(session, viewer):
        raise BadCase("not-your-line", "not a school line of yours")
    for _ in range(5):
        case = Case(code=new_code(PREFIX), hotline_id=line_id, opened_at=now)
        case.opened_by = viewer.username
        try:
            with session.begin_nested():
                session.add(case)
        except IntegrityError:
            continue
        _audit(session, viewer, now, "case.open", case, source, {})
        return case
    raise RuntimeError("no free case code after several tries")


def find_case(session: Session, viewer: Viewer, case_id: int) -> Case | None:
    case = session.get(Case, case_id)
    if case is None or case.hotline_id not in case_line_ids(session, viewer):
        return None
    return case


def cases_of(session: Session, viewer: Viewer) -> list[Case]:
    lines = sorted(case_line_ids(session, viewer))
    query = select(Case).where(Case.hotline_id.in_(lines)).order_by(Case.opened_at.desc())
    return list(session.scalars(query))


def link(
    session: Session,
    viewer: Viewer,
    case: Case,
    kind: str,
    typed: str,
    now: datetime,
    *,
    source: str | None,
) -> None:
    """Join a call (by number), a booking (by code) or a referral (by number) of the case's
    line to the case; audited."""
    if kind not in LINKS:
        raise BadCase("unknown-kind", "join a call, a booking or a referral")
    if kind == "booking":
        code = read_code(typed)
        booking = session.scalar(
            select(Booking).where(Booking.code == code, Booking.hotline_id == case.hotline_id)
        )
        if code is None or booking is None or not _sees_call_of(session, viewer, booking.call_id):
            raise BadCase("not-found", "no booking of a call of yours on this case's line")
        _join(booking, case)
        target = booking.code
    else:
        number = _number(typed)
        target = str(number)
        if kind == "referral":
            referral = session.get(Referral, number)
            if (
                referral is None
                or referral.hotline_id != case.hotline_id
                or not _sees_call_of(session, viewer, referral.call_id)
            ):
                raise BadCase("not-found", "no referral of a call of yours on this case's line")
            _join(referral, case)
        else:
            _link_call(session, viewer, case, number, now)
    _audit(session, viewer, now, "case.link", case, source, {"kind": kind, "id": target})


def _number(typed: str) -> int:
    """A call's or referral's number as typed; 0 (no such thing) for anything else. ASCII
    digits only: `str.isdigit` also takes superscripts ("²"), which `int` refuses."""
    text = typed.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else 0


def _sees_call_of(session: Session, viewer: Viewer, call_id: int | None) -> bool:
    """Whether the viewer sees the call a booking or referral was made from, as a call is
    joined (`visible_calls`): a counselor their own calls' only, whatever the line. Without
    its call (purged), a supervisor of the line still sees it on the referrals board."""
    if call_id is None:
        return viewer.role == "supervisor"  # of the case's line (see `case_line_ids`)
    found = session.scalar(select(Call.id).where(Call.id == call_id, visible_calls(viewer)))
    return found is not None


def _join(item: Booking | Referral, case: Case) -> None:
    """Into this case; never out of another one silently."""
    if item.case_id is not None and item.case_id != case.id:
        raise BadCase("in-another-case", "it is joined to another case already")
    item.case_id = case.id


def _link_call(session: Session, viewer: Viewer, case: Case, call_id: int, now: datetime) -> None:
    on_line = or_(Call.hotline_id == case.hotline_id, Call.answered_line_id == case.hotline_id)
    found = session.scalar(
        select(Call.id).where(Call.id == call_id, and_(on_line, visible_calls(viewer)))
    )
    if found is None:
        raise BadCase("not-found", "no call of yours with this number on this case's line")
    if session.get(CaseCall, (case.id, call_id)) is None:
        session.add(
            CaseCall(case_id=case.id, call_id=call_id, linked_at=now, linked_by=viewer.username)
        )


def case_file(session: Session, case: Case) -> CaseFile:
    calls = session.execute(
        select(Call.id, Call.arrived_at)
        .join(CaseCall, CaseCall.call_id == Call.id)
        .where(CaseCall.case_id == case.id)
        .order_by(Call.arrived_at)
    ).all()
    bookings = session.execute(
        select(Booking.code, Booking.state, CareSession.start, CareSession.place)
        .join(CareSession, CareSession.id == Booking.session_id)
        .where(Booking.case_id == case.id)
        .order_by(CareSession.start)
    ).all()
    referrals = session.execute(
        select(Referral.id, Partner.name, Referral.urgency, Referral.state)
        .join(Partner, Partner.id == Referral.partner_id)
        .where(Referral.case_id == case.id)
        .order_by(Referral.created_at)
    ).all()
    return CaseFile(
        case,
        [tuple(row) for row in calls],  # type: ignore[misc]
        [tuple(row) for row in bookings],  # type: ignore[misc]
        [tuple(row) for row in referrals],  # type: ignore[misc]
    )


def close_case(
    session: Session, viewer: Viewer, case: Case, now: datetime, *, source: str | None
) -> None:
    if case.closed_at is None:
        case.closed_at = now
        _audit(session, viewer, now, "case.close", case, source, {})


def _audit(
    session: Session,
    viewer: Viewer,
    now: datetime,
    action: str,
    case: Case,
    source: str | None,
    detail: dict[str, str],
) -> None:
    audit.record(
        session, now, action, actor=viewer.username, target=case.code, source=source, detail=detail
    )


def mark_school_line(
    session: Session, line_id: int, school: bool, now: datetime, actor: str
) -> bool:
    """Mark a line as a school's (or not); True when that changed something."""
    found = session.get(SchoolLine, line_id)
    if school and found is None:
        session.add(SchoolLine(hotline_id=line_id, marked_at=now, marked_by=actor))
        return True
    if not school and found is not None:
        session.delete(found)
        return True
    return False
