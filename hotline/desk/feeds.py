"""Calendar feeds: a secret iCal URL of one counselor's shifts (every line, overrides and leave
applied) or of one line's rota, for a phone's or a desktop's calendar.

The URL's token is the credential (no sign-in: calendar apps cannot sign in). It is derived,
never stored: HMAC-SHA256 of the feed's row id and generation under a key derived from the
server's secret key, 192 bits, URL-safe. The row keeps only the token's SHA-256 digest (the
lookup key), as board codes are kept. Deriving lets the owner find their URL again (their
account page; a line's on the rota desk) without the server keeping it: whoever can read the
database alone cannot rebuild a URL. Changing the server's secret key kills every URL (the
digest stops matching); the owner then makes a new one.

Revoking is immediate: a revoked row answers nothing. Making a new URL revokes the old one.
Each is audited. A feed carries shifts only: names, lines, tiers and times; no phone number,
no call, no caller.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.calendar import counselor_calendar, hotline_calendar
from hotline.models import CalendarFeed, Counselor, Hotline
from hotline.records import audit

TOKEN_BYTES = 24
PAST = timedelta(days=31)  # a feed shows a month back...
AHEAD = timedelta(days=183)  # ...and half a year ahead


@dataclass(frozen=True, slots=True)
class Feed:
    """A live feed: its row, what it shows, and its URL's token (None when the server's key
    has changed since it was made: the URL is dead and a new one must be made)."""

    id: int
    counselor_id: int | None
    hotline_id: int | None
    created_at: datetime
    token: str | None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token(key: bytes, feed_id: int, generation: int) -> str:
    derived = hmac.new(key, b"hotline calendar feed key", hashlib.sha256).digest()
    mac = hmac.new(derived, f"feed:{feed_id}:{generation}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:TOKEN_BYTES]).decode().rstrip("=")


def make_feed(
    session: Session,
    key: bytes,
    now: datetime,
    *,
    counselor_id: int | None = None,
    hotline_id: int | None = None,
    actor: str,
    source: str | None = None,
) -> str:
    """A new feed of a counselor or a line (exactly one); the owner's live feed, if any, is
    revoked. Returns the token."""
    if (counselor_id is None) == (hotline_id is None):
        raise ValueError("a feed is of one counselor or of one line")
    for old in _live(session, counselor_id, hotline_id):
        _revoke(session, old, now, actor=actor, source=source)
    row = CalendarFeed(
        counselor_id=counselor_id,
        hotline_id=hotline_id,
        generation=1,
        digest="pending-" + secrets.token_hex(16),  # unique until the id is known
        created_at=now,
    )
    session.add(row)
    session.flush()
    token = _token(key, row.id, row.generation)
    row.digest = digest(token)
    audit.record(
        session, now, "feed.add", actor=actor, target=_target(session, row), source=source,
        detail={"feed": row.id},
    )  # fmt: skip
    return token


def revoke_feed(
    session: Session, feed_id: int, now: datetime, *, actor: str, source: str | None = None
) -> bool:
    row = session.get(CalendarFeed, feed_id)
    if row is None or row.revoked_at is not None:
        return False
    _revoke(session, row, now, actor=actor, source=source)
    return True


def feed_of(
    session: Session, key: bytes, *, counselor_id: int | None = None, hotline_id: int | None = None
) -> Feed | None:
    """The owner's live feed, its token derived again (None if the server's key changed)."""
    for row in _live(session, counselor_id, hotline_id):
        token = _token(key, row.id, row.generation)
        usable = hmac.compare_digest(digest(token), row.digest)
        return Feed(row.id, row.counselor_id, row.hotline_id, row.created_at,
                    token if usable else None)  # fmt: skip
    return None


def feed_by_token(session: Session, token: str) -> CalendarFeed | None:
    """The live feed of this token; None for an unknown or revoked one."""
    if not 20 <= len(token) <= 64:
        return None
    return session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.digest == digest(token), CalendarFeed.revoked_at.is_(None)
        )
    )


def feed_calendar(session: Session, feed: CalendarFeed, now: datetime) -> bytes:
    """The feed's calendar over a month back and half a year ahead, from today's midnight
    (UTC): the same bytes all day long while the rota does not change, so its ETag holds."""
    today = datetime.combine(now.astimezone(UTC).date(), time(), UTC)
    start, end = today - PAST, today + AHEAD
    if feed.counselor_id is not None:
        person = session.get(Counselor, feed.counselor_id)
        assert person is not None  # the row goes with the counselor (ON DELETE CASCADE)
        return counselor_calendar(session, person.key, start, end)
    line = session.get(Hotline, feed.hotline_id)
    assert line is not None
    return hotline_calendar(session, line.key, start, end)


def etag_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def _live(session: Session, counselor_id: int | None, hotline_id: int | None) -> list[CalendarFeed]:
    query = select(CalendarFeed).where(CalendarFeed.revoked_at.is_(None))
    if counselor_id is not None:
        query = query.where(CalendarFeed.counselor_id == counselor_id)
    elif hotline_id is not None:
        query = query.where(CalendarFeed.hotline_id == hotline_id)
    else:
        return []
    return list(session.scalars(query.order_by(CalendarFeed.id.desc())))


def _revoke(
    session: Session, row: CalendarFeed, now: datetime, *, actor: str, source: str | None
) -> None:
    row.revoked_at = now
    audit.record(
        session, now, "feed.revoke", actor=actor, target=_target(session, row), source=source,
        detail={"feed": row.id},
    )  # fmt: skip


def _target(session: Session, row: CalendarFeed) -> str:
    if row.counselor_id is not None:
        key = session.scalar(select(Counselor.key).where(Counselor.id == row.counselor_id))
        return f"counselor:{key}"
    key = session.scalar(select(Hotline.key).where(Hotline.id == row.hotline_id))
    return f"line:{key}"
