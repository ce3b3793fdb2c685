"""Counselors as message recipients: SMS to the rota's phone, e-mail to their account's address.

A counselor's language is their account's, else the line's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Counselor, Hotline, User
from hotline.outbound.outbox import Recipient, line_users

# Times in texts: the line's wall clock, short enough for an SMS ("12-01 08:00").
TEXT_TIME = "%m-%d %H:%M"
_CHUNK = 500
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Staff:
    """Active counselors by key, with the active account linked to each (if any)."""

    counselors: dict[str, Counselor]
    accounts: dict[int, User]

    def recipient(self, key: str, line: Hotline) -> Recipient | None:
        person = self.counselors.get(key)
        if person is None:
            return None
        account = self.accounts.get(person.id)
        language = (account.language if account else None) or line.language
        return Recipient(
            f"counselor-{person.id}",
            language,
            person.phone,
            account.email if account else None,
            user_id=account.id if account else None,
            counselor_id=person.id,
        )


def load_staff(session: Session, keys: Iterable[str]) -> Staff:
    """The active counselors of these keys, and their accounts."""
    counselors: dict[str, Counselor] = {}
    for chunk in _chunks(sorted(set(keys))):
        found = select(Counselor).where(Counselor.key.in_(chunk), Counselor.active.is_(True))
        counselors.update((person.key, person) for person in session.scalars(found))
    accounts: dict[int, User] = {}
    for ids in _chunks(sorted(person.id for person in counselors.values())):
        linked = select(User).where(User.counselor_id.in_(ids), User.active.is_(True))
        # Of two accounts linked to one counselor, the older one speaks for them.
        for user in session.scalars(linked.order_by(User.id.desc())):
            accounts[user.counselor_id or 0] = user
    return Staff(counselors, accounts)


def _chunks(values: list[T]) -> Iterator[list[T]]:
    """Bounded IN lists."""
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def operators(session: Session, line: Hotline) -> list[Recipient]:
    """The line's operators, each in their language, else the line's."""
    return [
        Recipient(
            f"user-{user.id}", user.language or line.language, user.phone, user.email, user.id
        )
        for user in line_users(session, ("operator",), [line.id])
    ]


def local_text(at: datetime, line: Hotline) -> str:
    return at.astimezone(ZoneInfo(line.timezone)).strftime(TEXT_TIME)
