"""What the web views share: the process runtime, the accounts services, the signed-in user."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app, request
from flask_login import UserMixin, current_user
from sqlalchemy.orm import Session

from hotline.accounts.passwords import Passwords
from hotline.accounts.throttle import Throttle
from hotline.db import Database
from hotline.records import audit
from hotline.records.policy import RecordsPolicy
from hotline.records.scope import Viewer
from hotline.runtime import runtime
from hotline.secrets_at_rest import DataKeys
from settings import Settings


@dataclass(slots=True)
class WebAccounts:
    """Per-process account services; tests swap `passwords` for a cheaper hasher."""

    throttle: Throttle
    policy: RecordsPolicy
    keys: DataKeys
    passwords: Passwords = field(default_factory=Passwords)


@dataclass(eq=False)
class SignedIn(UserMixin):  # type: ignore[misc]  # flask_login ships no types
    """The user of this request, loaded (and re-checked) from the database on each request."""

    id: str
    username: str
    language: str | None
    viewer: Viewer

    @property
    def role(self) -> str:
        return self.viewer.role


def database() -> Database:
    return runtime().database


def settings() -> Settings:
    return runtime().settings


def accounts() -> WebAccounts:
    found: WebAccounts = current_app.extensions["hotline.accounts"]
    return found


def me() -> SignedIn:
    """The signed-in user (the access table has made sure there is one)."""
    user: SignedIn = current_user._get_current_object()
    return user


def viewer() -> Viewer:
    return me().viewer


def client_address() -> str | None:
    return request.remote_addr


def audited(
    session: Session,
    at: datetime,
    action: str,
    *,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Audit what the signed-in user does in this request, from the address it came from."""
    audit.record(
        session,
        at,
        action,
        actor=me().username,
        target=target,
        source=client_address(),
        detail=detail,
    )
