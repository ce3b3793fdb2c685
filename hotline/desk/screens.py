"""Wall screens: an administrator makes a board code; typed once on the screen's browser, it
signs that browser in to the board (of one line, or all) and to nothing else. Revoked at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import BoardScreen, Hotline
from hotline.records import audit

CODE_BYTES = 24


class BadScreen(ValueError):
    """The screen cannot be made as asked (`code` says why: `name-taken`, `name-form`,
    `line-unknown`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Screen:
    id: int
    name: str
    line_id: int | None


def digest(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def make_screen(
    session: Session,
    name: str,
    line_key: str | None,
    now: datetime,
    *,
    actor: str,
    source: str | None = None,
) -> str:
    """A new screen; returns its code, to be shown this once (only its digest is kept)."""
    name = name.strip()
    if not 1 <= len(name) <= 64:
        raise BadScreen("name-form")
    if session.scalar(select(BoardScreen.id).where(BoardScreen.name == name)):
        raise BadScreen("name-taken")
    line_id = None
    if line_key:
        line_id = session.scalar(select(Hotline.id).where(Hotline.key == line_key))
        if line_id is None:
            raise BadScreen("line-unknown")
    code = secrets.token_urlsafe(CODE_BYTES)
    session.add(
        BoardScreen(
            name=name, digest=digest(code), hotline_id=line_id, created_at=now, created_by=actor
        )
    )
    detail = {"line": line_key}
    audit.record(
        session, now, "board.screen.add", actor=actor, target=name, source=source, detail=detail
    )
    return code


def revoke_screen(
    session: Session, screen_id: int, now: datetime, *, actor: str, source: str | None = None
) -> bool:
    screen = session.get(BoardScreen, screen_id)
    if screen is None or screen.revoked_at is not None:
        return False
    screen.revoked_at = now
    audit.record(
        session, now, "board.screen.revoke", actor=actor, target=screen.name, source=source
    )
    return True


def screen_by_code(session: Session, code: str) -> Screen | None:
    row = session.execute(
        select(BoardScreen.id, BoardScreen.name, BoardScreen.hotline_id).where(
            BoardScreen.digest == digest(code), BoardScreen.revoked_at.is_(None)
        )
    ).first()
    return Screen(*row) if row else None


def live_screen(session: Session, screen_id: int) -> Screen | None:
    """The screen of a kiosk session, while it is not revoked."""
    row = session.execute(
        select(BoardScreen.id, BoardScreen.name, BoardScreen.hotline_id).where(
            BoardScreen.id == screen_id, BoardScreen.revoked_at.is_(None)
        )
    ).first()
    return Screen(*row) if row else None


def list_screens(session: Session) -> list[tuple[BoardScreen, str | None]]:
    """Every screen with its line's name (None: all lines), newest first."""
    rows = session.execute(
        select(BoardScreen, Hotline.name)
        .outerjoin(Hotline, Hotline.id == BoardScreen.hotline_id)
        .order_by(BoardScreen.id.desc())
    ).all()
    return [(screen, name) for screen, name in rows]
