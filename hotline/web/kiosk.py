"""Kiosk sessions: a wall screen's browser signed in with a board code. It is nobody: no user
is loaded, so every page but the board sends it to sign in (see `access.enforce`)."""

from __future__ import annotations

from flask import g, session

from hotline.desk.screens import Screen, live_screen
from hotline.web.context import database

_KEY = "kiosk"


def kiosk_screen() -> Screen | None:
    """The screen this browser is signed in as (checked against revocation once a request)."""
    if "kiosk_screen" not in g:
        screen_id = session.get(_KEY)
        found = None
        if isinstance(screen_id, int):
            with database().read() as db:
                found = live_screen(db, screen_id)
            if found is None:
                session.pop(_KEY, None)
        g.kiosk_screen = found
    screen: Screen | None = g.kiosk_screen
    return screen


def start_kiosk(screen: Screen) -> None:
    """A fresh session that is only this screen's (a person signed in here is signed out)."""
    session.clear()
    session[_KEY] = screen.id
    session.permanent = True
