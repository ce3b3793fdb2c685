"""Outbox addresses kept sealed with the data key: a caller's consented number for one reminder
(follow-up care) is the one such address. It is bound to its message's row, opened only at the
moment of sending, and erased once the message is done with (sent, refused or cancelled); so
is the booking's link to its reminder (`Booking.reminder_key`), which has no use left then."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, update
from sqlalchemy.orm import Session

from hotline.care.vocabulary import REMINDER_KIND
from hotline.models import Booking, OutboxMessage
from hotline.secrets_at_rest import DataKeys, Unreadable, is_sealed

# States after which a sealed address has no use left (a retry goes back to `pending`).
DONE = frozenset({"sent", "delivered", "failed", "undeliverable", "unknown", "cancelled"})
# A message still to be sent, or being sent: the only states a booking's link is kept for.
IN_FLIGHT = ("pending", "sending")


def address_context(message_id: int) -> str:
    """Where a sealed address is bound: copied into another message, it does not open."""
    return f"outbox.address:{message_id}"


def seal_address(keys: DataKeys, message: OutboxMessage, address: str) -> None:
    """Seal `address` into `message` (which must have its id: flush it first)."""
    message.address = keys.seal(address, address_context(message.id))


def open_address(keys: DataKeys | None, message_id: int, address: str | None) -> str | None:
    """The address to send to: a plain one as it is, a sealed one opened; None when a sealed
    one cannot be opened with the keys at hand."""
    if address is None or not is_sealed(address):
        return address
    if keys is None:
        return None
    try:
        return keys.open(address, address_context(message_id))
    except Unreadable:
        return None


def erase_when_done(session: Session, message: OutboxMessage) -> None:
    """A sealed address goes as soon as its message is done with, and a booking's link to it."""
    if message.state not in DONE:
        return
    if message.address and is_sealed(message.address):
        message.address = None
    if message.kind == REMINDER_KIND:
        unlink_bookings(session, [message.key])


def unlink_bookings(session: Session, keys: Iterable[str] | None = None) -> int:
    """Clear the bookings' links to reminders (of `keys`, or any) that are no longer pending
    nor being sent, or are gone. Returns how many."""
    in_flight = exists().where(
        OutboxMessage.key == Booking.reminder_key, OutboxMessage.state.in_(IN_FLIGHT)
    )
    done = Booking.reminder_key.is_not(None) & ~in_flight
    if keys is not None:
        done = done & Booking.reminder_key.in_(list(keys))
    cleared = session.execute(
        update(Booking)
        .where(done)
        .values(reminder_key=None)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(cleared, "rowcount", 0))
