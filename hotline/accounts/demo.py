"""Demo accounts (demo mode only): one per role, and one per counselor of the loaded rota.

Passwords are `demo-` + the username, printed by `make run`; never use this outside the demo.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.accounts.passwords import Passwords
from hotline.accounts.users import NewUser, create_user, find_user
from hotline.models import Counselor, Hotline


def demo_accounts(session: Session) -> list[NewUser]:
    lines = list(session.scalars(select(Hotline.key).order_by(Hotline.position)))
    counselors = list(session.scalars(select(Counselor.key).order_by(Counselor.position)))
    accounts = [
        NewUser("admin", "admin", "demo-admin"),
        NewUser("operator", "operator", "demo-operator"),
        NewUser("supervisor", "supervisor", "demo-supervisor", email="supervisor@example.org"),
    ]
    if len(lines) > 1:
        accounts.append(
            NewUser(
                "supervisor-" + lines[1],
                "supervisor",
                "demo-supervisor-" + lines[1],
                hotlines=(lines[1],),
            )
        )
    accounts += [NewUser(key, "counselor", "demo-" + key, counselor=key) for key in counselors]
    return accounts


def create_demo_users(
    session: Session, now: datetime, passwords: Passwords | None = None
) -> list[tuple[str, str, str]]:
    """Create the demo accounts that are missing; (username, password, role) of all of them."""
    passwords = passwords or Passwords()
    made = []
    for account in demo_accounts(session):
        if find_user(session, account.username) is None:
            create_user(session, passwords, account, now, actor="demo")
        made.append((account.username, account.password, account.role))
    return made
