"""Forgetting for real on SQLite: what an edit or the purge replaced leaves the database's files.

The policy. SQLite writes a changed page to the WAL file and leaves the old text in both files:
in the WAL until a checkpoint copies the pages back and the file is reused, in the database
file as free space inside the page (`secure_delete`, set on every connection by `hotline.db`,
zeroes that). So after a note is changed and after the retention purge, the WAL is checkpointed
and truncated. Best effort: a reader still in a transaction keeps its pages in the WAL, and
the next checkpoint takes them; the edit itself has been committed either way.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from hotline import deadline
from hotline.db import WAIT_LIMIT_MS, Database
from hotline.deadline import DeadlineExceeded

log = logging.getLogger(__name__)
_PENDING = "hotline_forget_after_commit"
# A checkpoint waits for readers of older pages (an export being streamed): a counselor's save
# waits for them this long at most, the purge job as long as any statement may.
AFTER_SAVE_WAIT_S = 0.5
AFTER_PURGE_WAIT_S = WAIT_LIMIT_MS / 1000


def forget_after_commit(session: Session) -> None:
    """Checkpoint the WAL once this session's transaction has committed (SQLite files only;
    nothing when the session runs inside a test's outer transaction)."""
    if session.info.get(_PENDING):
        return
    session.info[_PENDING] = True

    @event.listens_for(session, "after_commit", once=True)
    def _forget(committed: Session) -> None:
        committed.info.pop(_PENDING, None)
        bind = committed.get_bind()
        if isinstance(bind, Engine):
            checkpoint(bind, AFTER_SAVE_WAIT_S)


def forget_now(database: Database) -> None:
    """Checkpoint the WAL now (after the retention purge has committed its batches)."""
    if not database.is_bound:
        checkpoint(database.engine, AFTER_PURGE_WAIT_S)


def checkpoint(engine: Engine, wait_s: float) -> None:
    """`wal_checkpoint(TRUNCATE)` on a connection of its own, outside any transaction, waiting
    at most `wait_s` for readers (the deadline cuts the busy timeout, `hotline.pool`)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    try:
        with deadline.within(wait_s):
            _checkpoint(engine)
    except (DeadlineExceeded, engine.dialect.loaded_dbapi.Error) as exc:
        log.warning("WAL checkpoint failed: %s", type(exc).__name__)  # the edit stands


def _checkpoint(engine: Engine) -> None:
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        row = cursor.fetchone()  # (busy, pages in the WAL, pages copied back)
        if row is not None and row[0]:
            log.warning("WAL checkpoint incomplete: a reader held old pages; the next one will")
    finally:
        connection.close()
