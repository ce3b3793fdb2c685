"""Outbox addresses kept sealed with the data key: a caller's consented number for one reminder
(follow-up care) is the one such address. It is bound to its message's row, opened only at the
moment of sending, and erased once the message is done with (sent, refused or cancelled)."""

from __future__ import annotations

from hotline.models import OutboxMessage
from hotline.secrets_at_rest import DataKeys, Unreadable, is_sealed

# States after which a sealed address has no use left (a retry goes back to `pending`).
DONE = frozenset({"sent", "delivered", "failed", "undeliverable", "unknown", "cancelled"})


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


def erase_when_done(message: OutboxMessage) -> None:
    """A sealed address goes as soon as its message is done with."""
    if message.state in DONE and message.address and is_sealed(message.address):
        message.address = None
