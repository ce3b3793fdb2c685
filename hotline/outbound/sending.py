"""`outbox-send`: claim due messages, hand them to their provider, record what happened.

pending -> sending (claimed with a lease) -> sent, or back to pending with a backoff, or
failed / undeliverable. A message is claimed by one conditional UPDATE (`state = 'pending'`),
so two senders never take the same row. Each result is written in its own short transaction
right after the provider answers, to keep the window in which a crash loses the answer small.

A crash in that window leaves the row `sending` with a lease that runs out. Then an urgent
message (a risk alert) is sent again: a duplicate alert is better than a lost one. Any other
message becomes `unknown` and is not repeated (each effect at most once), and operators are told.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.db import Database
from hotline.models import OutboxMessage
from hotline.outbound.budget import over_budget
from hotline.outbound.outbox import EMAIL, SMS
from hotline.outbound.port import Accepted, Email, Outbound, SendFailure, Sms
from hotline.outbound.quiet import Waiting, quiet_ends
from hotline.outbound.reports import OPERATOR_REPORTS, report_to_operators
from hotline.outbound.sealed import erase_when_done, open_address
from hotline.secrets_at_rest import DataKeys

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 6
BATCH = 100
RUN_SECONDS = 40.0  # a run stops claiming after this; the next run goes on
_FIRST_BACKOFF = timedelta(seconds=30)
_LONGEST_BACKOFF = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    kind: str
    channel: str
    address: str | None
    subject: str
    body: str
    attempts: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """A pending message that is due, before the holds are applied."""

    id: int
    urgent: bool
    address: str | None
    user_id: int | None
    counselor_id: int | None
    hotline_id: int | None


@dataclass(frozen=True, slots=True)
class Sender:
    database: Database
    outbound: Outbound
    public_url: str
    budget_per_day: int
    # Opens sealed addresses (a caller's consented reminder number); None: such messages fail.
    keys: DataKeys | None = None

    @property
    def status_callback(self) -> str:
        return f"{self.public_url}/webhooks/sms/status"


def backoff(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most 30 min."""
    return min(_FIRST_BACKOFF * (1 << min(max(attempts - 1, 0), 16)), _LONGEST_BACKOFF)


def send_due(sender: Sender, now: datetime) -> dict[str, int]:
    """Send what is due at `now`; returns counts by result (no addresses, no texts)."""
    done: Counter[str] = Counter()
    with sender.database.write() as db:
        done.update(expire_leases(db, now, sender.public_url))
    started = time.monotonic()
    while time.monotonic() - started < RUN_SECONDS:
        with sender.database.write() as db:
            claimed = claim(db, now, budget_per_day=sender.budget_per_day)
        if not claimed:
            break
        done.update(_send_batch(sender, claimed, now))
    return dict(done)


def _send_batch(sender: Sender, claimed: list[Claimed], now: datetime) -> Counter[str]:
    """A channel whose provider failed in a retryable way is not tried again in this run: its
    other messages go back to pending at once (a provider that is down holds nobody up)."""
    done: Counter[str] = Counter()
    broken: set[str] = set()
    for message in claimed:
        if message.channel in broken:
            with sender.database.write() as db:
                release(db, message.id, now + _FIRST_BACKOFF)
            done["held"] += 1
            continue
        result = deliver(sender, message)
        if isinstance(result, SendFailure) and result.retryable:
            broken.add(message.channel)
        with sender.database.write() as db:
            done[record_result(db, message, result, now, sender.public_url)] += 1
    return done


def deliver(sender: Sender, message: Claimed) -> Accepted | SendFailure:
    """Hand one message to its provider; never raises."""
    outbound = sender.outbound
    if outbound.record:
        return Accepted(None, "recorded")
    address = open_address(sender.keys, message.id, message.address)
    if message.address and address is None:
        return SendFailure("its sealed address opens with no data key at hand", retryable=False)
    try:
        if message.channel == SMS and address:
            if outbound.sms is None:
                return SendFailure("no SMS provider (HOTLINE_SMS_PROVIDER=none)", retryable=False)
            sms = Sms(address, message.body, sender.status_callback)
            return outbound.sms.send_sms(sms)
        if message.channel == EMAIL and message.address:
            if outbound.email is None:
                return SendFailure("e-mail is not set up (HOTLINE_SMTP_URL)", retryable=False)
            email = Email(message.address, message.subject, message.body)
            return outbound.email.send_email(email)
        return SendFailure("no phone number or e-mail address to send to", retryable=False)
    except SendFailure as failure:
        return failure
    except Exception as exc:  # a provider's bug must not stop the others; its text may carry data
        log.exception("outbox message %s: the provider raised %s", message.id, type(exc).__name__)
        return SendFailure(f"provider error ({type(exc).__name__})", retryable=True)


def claim(
    session: Session, now: datetime, *, budget_per_day: int, limit: int = BATCH
) -> list[Claimed]:
    """Take up to `limit` due messages, urgent first; non-urgent ones may be held back first
    (see `hold_back`)."""
    rows = session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.urgent,
            OutboxMessage.address,
            OutboxMessage.recipient_user_id,
            OutboxMessage.recipient_counselor_id,
            OutboxMessage.hotline_id,
        )
        .where(OutboxMessage.state == "pending", OutboxMessage.due_at <= now)
        .order_by(OutboxMessage.urgent.desc(), OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
    )
    candidates = [Candidate(*row) for row in rows]
    held = hold_back(session, candidates, now, budget_per_day)
    ids = [c.id for c in candidates if c.id not in held]
    if not ids:
        return []
    token = uuid.uuid4().hex
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.state == "pending")
        .values(
            state="sending",
            claim=token,
            lease_until=now + LEASE,
            attempts=OutboxMessage.attempts + 1,
        )
    )
    taken = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.claim == token)
        .order_by(OutboxMessage.urgent.desc(), OutboxMessage.due_at, OutboxMessage.id)
    )
    return [
        Claimed(m.id, m.kind, m.channel, m.address, m.subject, m.body, m.attempts) for m in taken
    ]


def hold_back(
    session: Session, candidates: list[Candidate], now: datetime, budget_per_day: int
) -> set[int]:
    """The non-urgent candidates that wait: those in their recipient's quiet hours until these
    end, then those over their recipient's daily budget for an hour (looked at again then).
    Urgent messages are never held. Returns the ids held; their `due_at` is moved."""
    waiting = [
        Waiting(c.id, c.user_id, c.counselor_id, c.hotline_id) for c in candidates if not c.urgent
    ]
    until = quiet_ends(session, waiting, now) if waiting else {}
    rest = [(c.id, c.urgent, c.address) for c in candidates if c.id not in until]
    for message_id in over_budget(session, rest, now, budget_per_day):
        until[message_id] = now + timedelta(hours=1)
    by_due: dict[datetime, list[int]] = {}
    for message_id, due_at in until.items():
        by_due.setdefault(due_at, []).append(message_id)
    for due_at, ids in by_due.items():
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(due_at=due_at)
        )
    return set(until)


def release(session: Session, message_id: int, due_at: datetime) -> None:
    """Back to pending without counting the attempt: it was never handed to a provider."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == "sending")
        .values(
            state="pending",
            claim=None,
            lease_until=None,
            due_at=due_at,
            attempts=OutboxMessage.attempts - 1,  # the claim counted it
        )
    )


def record_result(
    session: Session,
    message: Claimed,
    result: Accepted | SendFailure,
    now: datetime,
    public_url: str,
) -> str:
    """Write what the provider said; returns the result's name for the run's counts."""
    row = session.get(OutboxMessage, message.id)
    if row is None or row.state != "sending" or row.claim is None:
        return "lost-claim"  # purged, or taken over after our lease ran out
    row.claim, row.lease_until = None, None
    if isinstance(result, Accepted):
        row.state, row.sent_at, row.error = "sent", now, None
        row.provider_ref, row.delivery_status = result.reference, result.status
        erase_when_done(session, row)
        return "sent"
    row.error = result.describe()[:300]
    if result.retryable and row.attempts < MAX_ATTEMPTS:
        row.state, row.due_at = "pending", now + backoff(row.attempts)
        return "retry"
    row.state = "failed" if result.retryable else "undeliverable"
    row.finished_at = now
    erase_when_done(session, row)
    tell_operators(session, row, now, public_url)
    return row.state


def tell_operators(session: Session, row: OutboxMessage, now: datetime, public_url: str) -> None:
    if row.kind in OPERATOR_REPORTS:
        return  # shown on the outbox page; a report about a report would feed on itself
    report_to_operators(
        session,
        f"message-{row.id}:{row.state}",
        "delivery-problem",
        now,
        public_url=public_url,
        line_ids=[row.hotline_id] if row.hotline_id else None,
        message=row.id,
        kind=row.kind,
        channel=row.channel,
        reason=row.error or row.state,
    )


def expire_leases(session: Session, now: datetime, public_url: str) -> Counter[str]:
    """Messages whose sender died while sending (see the module's docstring)."""
    done: Counter[str] = Counter()
    stale = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.state == "sending", OutboxMessage.lease_until < now
        )
    ).all()
    for row in stale:
        row.claim, row.lease_until = None, None
        if row.urgent:
            row.state, row.due_at = "pending", now
            row.error = "the sender stopped while sending; urgent, so sent again"
            done["resent-after-crash"] += 1
            continue
        row.state, row.finished_at = "unknown", now
        row.error = "the sender stopped while sending: it may have gone out; not repeated"
        erase_when_done(session, row)
        tell_operators(session, row, now, public_url)
        done["unknown"] += 1
    return done
