"""Accounts and roles: create, change role, deactivate, quiet hours (each audited), and the viewer a
signed-in user is to the record services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.accounts.passwords import Passwords
from hotline.models import Counselor, Hotline, User, UserHotline
from hotline.outbound.quiet import parse_window, zone_names
from hotline.records import audit
from hotline.records.scope import Viewer
from hotline.records.vocabulary import ROLES

# A letter first: a username can never be a phone number.
USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
MFA_ROLES = frozenset({"admin", "supervisor"})
SCOPED_ROLES = frozenset({"operator", "supervisor"})


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason an account cannot be made: the field it concerns, a code the web pages say
    in the reader's language, and the English text the command line prints."""

    field: str
    code: str
    text: str


class BadAccount(ValueError):
    """The account cannot be made or changed as asked (the message names why; `problems`
    itemises it, when known, for a form)."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True, slots=True)
class NewUser:
    username: str
    role: str
    password: str = field(repr=False)
    counselor: str | None = None
    hotlines: tuple[str, ...] = ()
    phone: str | None = None
    email: str | None = None


def create_user(
    session: Session,
    passwords: Passwords,
    new: NewUser,
    now: datetime,
    *,
    actor: str,
    source: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Check everything, then add the user; raises `BadAccount` naming every problem.
    `password_hash`: instead of a password (an unusable one, for a set-password link)."""
    counselor_id, line_ids = _check_new_user(session, new)
    user = User(
        username=new.username,
        password_hash=password_hash or passwords.hash(new.password),
        role=new.role,
        counselor_id=counselor_id,
        phone=new.phone,
        email=new.email,
        active=True,
        session_generation=1,
        created_at=now,
    )
    session.add(user)
    session.flush()
    session.add_all(UserHotline(user_id=user.id, hotline_id=i) for i in line_ids)
    audit.record(
        session,
        now,
        "user.add",
        actor=actor,
        target=new.username,
        source=source,
        detail={"role": new.role, "hotlines": sorted(new.hotlines)},
    )
    return user


def _check_new_user(session: Session, new: NewUser) -> tuple[int | None, list[int]]:
    problems: list[Problem] = []
    if not USERNAME.match(new.username):
        text = "username: lower-case letters, digits, . _ -, starting with a letter"
        problems.append(Problem("username", "username-form", text))
    elif session.scalar(select(User.id).where(User.username == new.username)):
        text = f"username: {new.username!r} exists already"
        problems.append(Problem("username", "username-taken", text))
    if new.role not in ROLES:
        problems.append(Problem("role", "role", f"role: one of {', '.join(ROLES)}"))
    if (new.role == "counselor") != (new.counselor is not None):
        text = "--counselor KEY: required for a counselor, and only for one"
        problems.append(Problem("counselor", "counselor-role", text))
    if new.hotlines and new.role not in SCOPED_ROLES:
        text = "--hotline: only operators and supervisors are scoped to lines"
        problems.append(Problem("hotlines", "lines-role", text))
    if new.phone and not E164.match(new.phone):
        problems.append(Problem("phone", "phone", "phone: E.164, like +8613900000000"))
    if new.email and not EMAIL.match(new.email):
        problems.append(Problem("email", "email", "email: not an e-mail address"))
    counselor_id = _counselor_id(session, new.counselor, problems)
    line_ids = _line_ids(session, new.hotlines, problems)
    if problems:
        raise BadAccount("; ".join(p.text for p in problems), tuple(problems))
    return counselor_id, line_ids


def _counselor_id(session: Session, key: str | None, problems: list[Problem]) -> int | None:
    if key is None:
        return None
    found = session.scalar(select(Counselor.id).where(Counselor.key == key))
    if found is None:
        text = f"--counselor: no counselor {key!r}"
        problems.append(Problem("counselor", "counselor-unknown", text))
    return found


def _line_ids(session: Session, keys: tuple[str, ...], problems: list[Problem]) -> list[int]:
    found = dict(
        session.execute(select(Hotline.key, Hotline.id).where(Hotline.key.in_(keys))).all()
    )
    problems.extend(
        Problem("hotlines", "line-unknown", f"--hotline: no line {key!r}")
        for key in keys
        if key not in found
    )
    return sorted(set(found.values()))


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def set_role(session: Session, user: User, role: str, now: datetime, *, actor: str) -> None:
    """Change the role; the user's sessions end (they sign in again with the new role)."""
    if role not in ROLES or (role == "counselor") != (user.counselor_id is not None):
        raise BadAccount(f"role: one of {', '.join(ROLES)}; counselor only with a counselor")
    audit.record(
        session,
        now,
        "user.role",
        actor=actor,
        target=user.username,
        detail={"from": user.role, "to": role},
    )
    user.role = role
    user.session_generation += 1


def deactivate(
    session: Session, user: User, now: datetime, *, actor: str, source: str | None = None
) -> None:
    """The account can no longer sign in, and every session of it ends now."""
    user.active = False
    user.session_generation += 1
    audit.record(session, now, "user.deactivate", actor=actor, target=user.username, source=source)


def reactivate(
    session: Session, user: User, now: datetime, *, actor: str, source: str | None = None
) -> None:
    """The account can sign in again, with the password and second factor it had."""
    user.active = True
    audit.record(session, now, "user.reactivate", actor=actor, target=user.username, source=source)


def viewer_of(session: Session, user: User) -> Viewer:
    lines = frozenset(
        session.scalars(select(UserHotline.hotline_id).where(UserHotline.user_id == user.id))
    )
    scoped = user.role in SCOPED_ROLES and bool(lines)
    return Viewer(user.username, user.role, user.counselor_id, lines if scoped else None)


def needs_second_factor(user: User, demo: bool) -> bool:
    """TOTP: required of admins and supervisors outside demo mode; always once enrolled."""
    return user.totp_secret is not None or (user.role in MFA_ROLES and not demo)


def sign_out(session: Session, user_id: int, now: datetime) -> None:
    """Logout ends the user's sessions on the server, not only the cookie in this browser."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_generation += 1
        audit.record(session, now, "logout", actor=user.username)


def set_language(session: Session, user_id: int, language: str) -> None:
    user = session.get(User, user_id)
    if user is not None:
        user.language = language


def quiet_hours_of(session: Session, user_id: int) -> tuple[str | None, str | None]:
    """The user's quiet hours (`22:00-07:00`) and time zone, each None when not set."""
    user = session.get(User, user_id)
    return (user.quiet_hours, user.timezone) if user is not None else (None, None)


def set_quiet_hours(
    session: Session,
    user_id: int,
    window: str | None,
    timezone: str | None,
    now: datetime,
    *,
    actor: str,
    source: str | None = None,
) -> None:
    """Non-urgent messages to the user wait while `window` lasts, read in `timezone` (None:
    each message's line's zone). Audited; raises `BadAccount` naming every problem."""
    problems = []
    if window is not None:
        try:
            parse_window(window)
        except ValueError as exc:
            problems.append(f"quiet hours: {exc}")
    if timezone is not None and timezone not in zone_names():
        problems.append(f"time zone: {timezone!r} is not an IANA zone like Europe/London")
    if problems:
        raise BadAccount("; ".join(problems))
    user = session.get(User, user_id)
    if user is None:
        return
    user.quiet_hours, user.timezone = window, timezone
    detail = {"quiet_hours": window, "timezone": timezone}
    audit.record(
        session,
        now,
        "user.quiet_hours",
        actor=actor,
        target=user.username,
        source=source,
        detail=detail,
    )


def list_users(session: Session) -> list[tuple[User, list[str]]]:
    lines = session.execute(
        select(UserHotline.user_id, Hotline.key).join(Hotline, Hotline.id == UserHotline.hotline_id)
    )
    scoped: dict[int, list[str]] = {}
    for user_id, key in lines:
        scoped.setdefault(user_id, []).append(key)
    users = session.scalars(select(User).order_by(User.username))
    return [(user, sorted(scoped.get(user.id, []))) for user in users]
