"""Texts to the service's numbers: a staff member's reply acts on what was sent to their phone;
anyone else may be a person in crisis, is told where to call, and leaves only a count behind;
but a reply to the number the outbox sends from (a caller's neutral appointment reminder came
from it) gets no answer at all, and leaves nothing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hotline.accounts.users import viewer_of
from hotline.alerts.risk import acknowledge
from hotline.confirmations import SMS, confirm_shift
from hotline.models import (
    Counselor,
    Hotline,
    InboundTextCount,
    OutboxMessage,
    RiskAlert,
    ShiftConfirmation,
    User,
)
from hotline.outbound.texts import emergency_numbers, reply
from hotline.phones import normalize_phone, region_of
from hotline.records import audit
from hotline.routing.directory import LineInfo, Lines

# Compared after NFKC (full-width digits and letters become ASCII), trimming, case-folding.
# Twilio answers its own opt-in/opt-out words (YES, STOP, ...) before we see them: none here.
CONFIRMATION_WORDS = frozenset({"1", "ok", "好", "确认"})
_TRAILING = ".!。"  # "OK." and "好！" (NFKC makes ！ a !) still confirm
SHIFT_KIND = "shift-confirmation"
ALERT_KINDS = ("risk-alert", "risk-alert-operator", "risk-alert-psychiatrist")
_NEVER_SENT = ("pending", "cancelled")  # never left the outbox: nobody can be answering it
LOOK_BACK = 20  # the newest messages to a phone that are looked at for an open item


class InboundFailed(RuntimeError):
    """Answering a text failed; the message names the kind of failure, never the sender."""


@dataclass(frozen=True, slots=True)
class IncomingText:
    to: str
    sender: str = field(repr=False)  # may be a person in crisis: never in a log or an error
    body: str = field(repr=False)
    messaging_service: str = ""  # Twilio's MessagingServiceSid, when `to` is in such a service


def is_reminder_sender(to: str, messaging_service: str, sms_from: str | None) -> bool:
    """Whether a text went to the sender of the outbox's SMS (`HOTLINE_SMS_FROM`: a number, or
    a Messaging Service, which Twilio names in the text's `MessagingServiceSid`)."""
    if not sms_from:
        return False
    if sms_from.startswith("MG"):
        return messaging_service == sms_from
    return (normalize_phone(to, None) or to) == sms_from


@dataclass(frozen=True, slots=True)
class _Staff:
    """The active counselors and users whose registered phone is the sender's."""

    phone: str
    counselors: list[Counselor]
    users: list[User]

    def counselor_ids(self) -> set[int]:
        found = {c.id for c in self.counselors}
        return found | {u.counselor_id for u in self.users if u.counselor_id is not None}

    def actor_for(self, counselor_id: int) -> str:
        """Who confirms a shift: the counselor's own account when it has this phone."""
        for user in self.users:
            if user.counselor_id == counselor_id:
                return user.username
        return next(c.key for c in self.counselors if c.id == counselor_id)

    def acting_users(self, addressee: int | None) -> list[User]:
        """Who may acknowledge an alert: the user it was sent to first."""
        return sorted(self.users, key=lambda u: (u.id != addressee, u.id))

    def language(self) -> str | None:
        found = [u.language for u in self.users if u.language]
        found += [c.languages[0] for c in self.counselors if c.languages]
        return found[0] if found else None


def answer_text(
    session: Session,
    to: str,
    sender: str,
    body: str,
    now: datetime,
    *,
    fallback_number: str,
    to_reminder_sender: bool = False,
) -> str | None:
    """The reply to one incoming text; None for none at all.

    From the registered phone of an active counselor or user, "1", "OK", "好" or "确认" acts on
    the newest open item sent to that phone: a shift confirmation not confirmed and not over is
    confirmed; a risk alert not acknowledged nor cancelled is acknowledged by that user. Items
    the sender cannot act on are not open for them (an alert sent to a psychiatrist's counselor
    phone: only users acknowledge), and older items are looked at instead.

    From any other number: one fixed reply (where to call, in the line's language) and one more
    in the line's daily count. But when the text went to the outbox's sender and not to a line
    (`to_reminder_sender`, see `is_reminder_sender`), it is most likely a reply to a caller's
    appointment reminder, read by whoever holds that phone: no reply (a word of the hotline
    would tell them the person called a crisis line), no count, nothing written.

    The sender's number is compared with the staff's in memory, so it never reaches the
    database, not even as a query parameter; any failure is raised as `InboundFailed` with
    nothing of the original error attached.
    """
    failure = ""
    try:
        return _answer(session, to, sender, body, now, fallback_number, to_reminder_sender)
    except Exception as exc:  # its text or chain may carry the sender: only its kind goes on
        failure = type(exc).__name__
    raise InboundFailed(f"could not answer an incoming text ({failure})")


def reply_without_database(
    lines: Lines, to: str, fallback_number: str, *, to_reminder_sender: bool = False
) -> str | None:
    """Where to call, from the last known lines, for when the database cannot be asked; None
    (no reply) for a text to the outbox's sender that is no line's (see `answer_text`)."""
    line = lines.for_number(to)
    if line is None and to_reminder_sender:
        return None
    return where_to_call(line, fallback_number)


def where_to_call(line: Hotline | LineInfo | None, fallback_number: str) -> str:
    """The one reply to a stranger; for a number that is no line's, in English and generic."""
    if line is None:
        emergency = emergency_numbers(None, "en")
        return reply("where-to-call-any", "en", number=fallback_number, emergency=emergency)
    emergency = emergency_numbers(region_of(line.number), line.language)
    return reply(
        "where-to-call", line.language, line=line.name, number=line.number, emergency=emergency
    )


def _answer(
    session: Session,
    to: str,
    sender: str,
    body: str,
    now: datetime,
    fallback_number: str,
    to_reminder_sender: bool,
) -> str | None:
    line = _line(session, to)
    phone = normalize_phone(sender, region_of(line.number) if line else None)
    staff = _staff(session, phone) if phone else None
    if staff is None:
        if line is None and to_reminder_sender:
            return None  # a reply to a reminder, maybe: not a word of the hotline
        count_text(session, line, now)
        return where_to_call(line, fallback_number)
    messages = _newest_messages(session, staff.phone)
    language = staff.language() or _language_of(session, line, messages)
    if not is_confirmation(body):
        return reply("not-understood", language)
    for message in messages:
        done = _act(session, staff, message, now, language)
        if done is not None:
            return done
    return reply("nothing-open", language)


def _language_of(
    session: Session, line: Hotline | None, messages: list[OutboxMessage]
) -> str | None:
    """The line texted, else the line of the newest message to the phone (staff answer the
    service's own number, which may be no line's)."""
    if line is not None:
        return line.language
    for message in messages:
        about = session.get(Hotline, message.hotline_id) if message.hotline_id else None
        if about is not None:
            return about.language
    return None


def is_confirmation(body: str) -> bool:
    word = unicodedata.normalize("NFKC", body).strip().rstrip(_TRAILING).strip().casefold()
    return word in CONFIRMATION_WORDS


def _line(session: Session, to: str) -> Hotline | None:
    number = normalize_phone(to, None) or to
    return session.scalar(select(Hotline).where(Hotline.number == number)) if number else None


def _staff(session: Session, phone: str) -> _Staff | None:
    # Matched here rather than in SQL: see answer_text.
    counselor_ids = [
        i
        for i, registered in session.execute(
            select(Counselor.id, Counselor.phone).where(Counselor.active.is_(True))
        )
        if registered == phone
    ]
    user_ids = [
        i
        for i, registered in session.execute(
            select(User.id, User.phone).where(User.active.is_(True), User.phone.is_not(None))
        )
        if registered == phone
    ]
    if not counselor_ids and not user_ids:
        return None
    counselors = session.scalars(select(Counselor).where(Counselor.id.in_(counselor_ids)))
    users = session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id))
    return _Staff(phone, list(counselors), list(users))


def _newest_messages(session: Session, phone: str) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.address == phone,
                OutboxMessage.channel == "sms",
                OutboxMessage.kind.in_((SHIFT_KIND, *ALERT_KINDS)),
                OutboxMessage.state.not_in(_NEVER_SENT),
            )
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(LOOK_BACK)
        )
    )


def _act(
    session: Session, staff: _Staff, message: OutboxMessage, now: datetime, language: str | None
) -> str | None:
    """The reply when `message`'s item is open and the sender could act on it, else None."""
    if message.kind == SHIFT_KIND and message.shift_confirmation_id is not None:
        return _confirm(session, staff, message.shift_confirmation_id, now, language)
    if message.kind in ALERT_KINDS and message.alert_id is not None:
        return _acknowledge(session, staff, message, now, language)
    return None


def _confirm(
    session: Session, staff: _Staff, confirmation_id: int, now: datetime, language: str | None
) -> str | None:
    shift = session.get(ShiftConfirmation, confirmation_id)
    if shift is None or shift.confirmed_at is not None or shift.end <= now:
        return None
    if shift.counselor_id not in staff.counselor_ids():
        return None
    confirm_shift(session, shift.id, shift.counselor_id, SMS, now)
    actor = staff.actor_for(shift.counselor_id)
    audit.record(session, now, "shift.confirm", actor=actor, source="sms", target=str(shift.id))
    line = session.get(Hotline, shift.hotline_id)
    zone = ZoneInfo(line.timezone) if line else UTC
    start = f"{shift.start.astimezone(zone):%m-%d %H:%M}"
    return reply("confirmed-shift", language, line=line.name if line else "-", start=start)


def _acknowledge(
    session: Session, staff: _Staff, message: OutboxMessage, now: datetime, language: str | None
) -> str | None:
    alert = session.get(RiskAlert, message.alert_id)
    if alert is None or alert.acknowledged_at is not None or alert.cancelled_at is not None:
        return None
    for user in staff.acting_users(message.recipient_user_id):
        # None: the alert is not this user's to see (a counselor account, another line).
        if acknowledge(session, alert.id, user.id, viewer_of(session, user), now) is None:
            continue
        detail = {"call": alert.call_id, "changed": True}
        audit.record(
            session,
            now,
            "alerts.acknowledge",
            actor=user.username,
            source="sms",
            target=str(alert.id),
            detail=detail,
        )
        line = session.get(Hotline, alert.hotline_id) if alert.hotline_id else None
        return reply(
            "acknowledged-alert", language, alert=alert.id, line=line.name if line else "-"
        )
    return None


def count_text(session: Session, line: Hotline | None, now: datetime) -> None:
    """One more text from outside the staff on the line's local day (UTC for no line).

    One statement, safe when texts arrive at once: an upsert on (line, day). Without a line the
    unique key cannot help (NULLs are distinct), so the oldest row of the day is incremented,
    and two first texts at the same moment may make two rows: the count is their sum.
    """
    day = now.astimezone(ZoneInfo(line.timezone) if line else UTC).date()
    if line is None:
        _count_without_line(session, day)
        return
    values = {"hotline_id": line.id, "day": day, "count": 1}
    more = {"count": InboundTextCount.count + 1}
    keys = ["hotline_id", "day"]
    if session.get_bind().dialect.name == "postgresql":
        upsert = postgresql_insert(InboundTextCount).values(values)
        session.execute(upsert.on_conflict_do_update(index_elements=keys, set_=more))
    else:
        lite = sqlite_insert(InboundTextCount).values(values)
        session.execute(lite.on_conflict_do_update(index_elements=keys, set_=more))


def _count_without_line(session: Session, day: date) -> None:
    oldest = session.scalar(
        select(InboundTextCount.id)
        .where(InboundTextCount.hotline_id.is_(None), InboundTextCount.day == day)
        .order_by(InboundTextCount.id)
        .limit(1)
    )
    if oldest is None:
        session.add(InboundTextCount(hotline_id=None, day=day, count=1))
        session.flush()
        return
    session.execute(
        update(InboundTextCount)
        .where(InboundTextCount.id == oldest)
        .values(count=InboundTextCount.count + 1)
    )
