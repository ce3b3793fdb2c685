"""After signing in, back to the page that was asked for (`?next=`): only a path of this
site, so a link can never send someone signing in to another host."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, session
from flask_login import current_user

_STASH = "next"  # between the password and the second step (the session is new after both)


def local_path(value: str | None) -> str | None:
    """`value` when it is a path of this site (`/calls/123?page=2`), else None."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\", "/login")):
        return None  # "//host" and "/\\host" are other hosts to a browser; /login would loop
    if any(ord(char) < 0x21 or char == "\\" for char in value):
        return None
    parts = urlsplit(value)
    return value if not (parts.scheme or parts.netloc) else None


def asked_path() -> str:
    """The path (and query) of this request, to come back to after signing in."""
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def after_password(step: str) -> str:
    """Where the password step goes: the page asked for when signed in already, else the
    second step (which finds the page asked for in the session)."""
    wanted = local_path(request.args.get("next"))
    if current_user.is_authenticated:
        return wanted or step
    if wanted is not None:
        session[_STASH] = wanted
    return step


def stashed() -> str | None:
    """The page asked for before the second step; read it before the session starts afresh."""
    value = session.get(_STASH)
    return local_path(value) if isinstance(value, str) else None
