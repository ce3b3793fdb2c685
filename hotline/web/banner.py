"""The scheduler banner: administrators and operators see when the scheduler has gone silent.

Read in one short transaction, for those two roles only; a database that cannot be read
shows no banner rather than turning every page into an error.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from hotline import clock
from hotline.jobs.heartbeat import Silence, silence
from hotline.web.access import PUBLIC, TWILIO, roles_for
from hotline.web.context import database

BANNER_ROLES = frozenset({"admin", "operator"})


def scheduler_silence() -> Silence | None:
    """Since when the scheduler has been silent, when this page's viewer should be told."""
    endpoint = request.endpoint
    # Webhooks and public pages first: they must not load a user or open a transaction.
    if endpoint is None or roles_for(endpoint) in (PUBLIC, TWILIO):
        return None
    if not current_user.is_authenticated or current_user.role not in BANNER_ROLES:
        return None
    try:
        with database().read() as db:
            return silence(db, clock.now())
    except SQLAlchemyError:
        current_app.logger.warning("scheduler banner: the database could not be read")
        return None


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"scheduler_silence": scheduler_silence()})
