"""Outcomes: entered by the counselor who took the call; the call is flagged while its latest
risk is high or imminent (which alerts), and lowering the risk unflags it.

The repeat count is the number of earlier calls from the same caller (under the current or
the previous pseudonym key) in the 30 days before this one; withheld callers get none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.alerts.risk import cancel_alert, raise_alert
from hotline.models import Call, CallOutcome, Hotline, Partner
from hotline.pseudonym import WITHHELD
from hotline.records import vocabulary
from hotline.records.forgetting import forget_after_commit
from hotline.records.scope import Viewer
from hotline.records.scrub import scrub_note

REPEAT_WINDOW = timedelta(days=30)


class BadOutcome(ValueError):
    """The outcome cannot be saved as given. `code` says why, for the web layer to say in the
    reader's language; the message says it in English (the command line, logs)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class OutcomeInput:
    call_type: str
    topics: tuple[str, ...]
    risk: str
    actions: tuple[str, ...]
    partner: str | None
    caller_type: str | None
    age_band: str | None
    note: str


@dataclass(frozen=True, slots=True)
class Saved:
    """`alerts_queued`: alert messages queued now; `alerts_cancelled`: unsent ones cancelled
    because the risk is below high now; `alert_open`: the call has an alert still open;
    `unflagged`: the call was flagged until this save lowered its risk."""

    outcome: CallOutcome
    alerts_queued: int
    alerts_cancelled: int = 0
    alert_open: bool = False
    unflagged: bool = False


@dataclass(frozen=True, slots=True)
class Waiting:
    call_id: int
    line: str | None
    arrived_at: datetime
    timezone: str
    duration_seconds: int | None


def own_call(session: Session, viewer: Viewer, call_id: int) -> Call | None:
    """The call when this viewer is the counselor who took it (only they enter its outcome)."""
    if viewer.role != "counselor" or viewer.counselor_id is None:
        return None
    return session.scalar(
        select(Call).where(Call.id == call_id, Call.answered_by_id == viewer.counselor_id)
    )


def save_outcome(
    session: Session,
    call: Call,
    data: OutcomeInput,
    now: datetime,
    *,
    note_max: int,
    public_url: str,
) -> Saved:
    """Create or replace the call's outcome; a high or imminent risk raises the call's alert,
    a lower one cancels it."""
    _check(data)
    partner_id = _partner_id(session, data)
    note = scrub_note(data.note, note_max)
    outcome = session.scalar(select(CallOutcome).where(CallOutcome.call_id == call.id))
    if outcome is None:
        outcome = CallOutcome(call_id=call.id, recorded_at=now)  # added by `_inserted`
    old_note = outcome.note
    outcome.counselor_id = call.answered_by_id
    outcome.call_type, outcome.risk = data.call_type, data.risk
    outcome.topics, outcome.actions = list(data.topics), list(data.actions)
    outcome.partner_id, outcome.caller_type, outcome.age_band = (
        partner_id,
        data.caller_type,
        data.age_band,
    )
    outcome.note, outcome.updated_at = note, now
    # Flagged means "the latest risk is high": the call log must not keep a lowered call red.
    was_flagged = bool(outcome.flagged)
    outcome.flagged = data.risk in vocabulary.FLAGGED_RISKS
    if outcome.id is None and not _inserted(session, outcome):
        # Another first save of this call (a double click, a second tab) committed its row
        # meanwhile: this one is a later save of that row.
        return save_outcome(session, call, data, now, note_max=note_max, public_url=public_url)
    session.flush()
    if old_note is not None and old_note != note:
        forget_after_commit(session)  # the old note must not stay readable in the files
    if outcome.flagged:
        raised = raise_alert(session, call, data.risk, now, public_url)
        return Saved(outcome, raised.queued, alert_open=raised.alert.acknowledged_at is None)
    cancelled = cancel_alert(session, call.id, now)
    return Saved(outcome, 0, alerts_cancelled=cancelled, unflagged=was_flagged)


def tick_action(
    session: Session, call_id: int, action: str, *, partner_id: int | None = None
) -> bool:
    """Tick an action on the call's saved outcome (a booking ticks "appointment", a referral
    "referral" with its partner when none is chosen yet). True when it changed the outcome;
    a call with no outcome yet gets it ticked on its form instead (`hotline.web.outcome_form`)."""
    outcome = session.scalar(select(CallOutcome).where(CallOutcome.call_id == call_id))
    if outcome is None:
        return False
    changed = False
    if action not in (outcome.actions or []):
        ticked = {*(outcome.actions or []), action}
        outcome.actions = [known for known in vocabulary.ACTIONS if known in ticked]
        changed = True
    if action == "referral" and outcome.partner_id is None and partner_id is not None:
        outcome.partner_id = partner_id
        changed = True
    return changed


def _inserted(session: Session, outcome: CallOutcome) -> bool:
    """Insert the call's first outcome in a savepoint; False when the unique `call_id` refused
    it because a concurrent first save committed a row first (on PostgreSQL: SQLite takes
    writes one at a time). Any other refusal is raised."""
    try:
        with session.begin_nested():
            session.add(outcome)
    except IntegrityError:
        taken = select(CallOutcome.id).where(CallOutcome.call_id == outcome.call_id)
        if session.scalar(taken) is None:
            raise
        return False
    return True


def _check(data: OutcomeInput) -> None:
    problems = [
        name
        for name, ok in (
            ("call type", data.call_type in vocabulary.CALL_TYPES),
            ("topics", set(data.topics) <= set(vocabulary.TOPICS)),
            ("risk", data.risk in vocabulary.RISKS),
            ("actions", set(data.actions) <= set(vocabulary.ACTIONS)),
            ("caller type", data.caller_type in (None, *vocabulary.CALLER_TYPES)),
            ("age band", data.age_band in (None, *vocabulary.AGE_BANDS)),
        )
        if not ok
    ]
    if problems:
        raise BadOutcome("unknown-value", "not a known value: " + ", ".join(problems))


def _partner_id(session: Session, data: OutcomeInput) -> int | None:
    referred = "referral" in data.actions
    if not referred:
        if data.partner:
            raise BadOutcome(
                "partner-without-referral", "a partner hospital is chosen only with a referral"
            )
        return None
    if not data.partner:
        raise BadOutcome("referral-without-partner", "a referral needs a partner hospital")
    partner_id = session.scalar(select(Partner.id).where(Partner.key == data.partner))
    if partner_id is None:
        raise BadOutcome("unknown-partner", "not a known partner hospital")
    return partner_id


def repeat_count(session: Session, call: Call) -> int | None:
    """Earlier calls from this caller in the 30 days before this one; None when withheld."""
    pseudonyms = [p for p in (call.caller, call.caller_link) if p and p != WITHHELD]
    if not pseudonyms:
        return None
    found = session.scalar(
        select(func.count(Call.id)).where(
            or_(Call.caller.in_(pseudonyms), Call.caller_link.in_(pseudonyms)),
            Call.arrived_at >= call.arrived_at - REPEAT_WINDOW,
            Call.arrived_at <= call.arrived_at,
            Call.id != call.id,
        )
    )
    return int(found or 0)


def waiting_for_outcome(session: Session, viewer: Viewer, limit: int = 200) -> list[Waiting]:
    """The viewer's answered calls that have no outcome yet, newest first."""
    if viewer.role != "counselor" or viewer.counselor_id is None:
        return []
    found = session.execute(
        select(Call.id, Hotline.key, Call.arrived_at, Hotline.timezone, Call.duration_seconds)
        .outerjoin(Hotline, Hotline.id == Call.hotline_id)
        .outerjoin(CallOutcome, CallOutcome.call_id == Call.id)
        .where(Call.answered_by_id == viewer.counselor_id, CallOutcome.id.is_(None))
        .order_by(Call.arrived_at.desc())
        .limit(limit)
    )
    return [Waiting(i, line, at, tz or "UTC", d) for i, line, at, tz, d in found]


def partner_choices(session: Session) -> list[tuple[str, str]]:
    return list(session.execute(select(Partner.key, Partner.name).order_by(Partner.position)))
