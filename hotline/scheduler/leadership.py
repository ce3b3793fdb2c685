"""One active scheduler per deployment: PostgreSQL's session advisory lock (a second process
stands by and takes over when the first dies), or on SQLite an OS file lock beside the database
file (a second process refuses to start, naming the holder)."""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from hotline.jobs.ledger import runner_name

log = logging.getLogger(__name__)

# "hotline" and a version byte, as one bigint; advisory locks are per database, so deployments
# sharing a PostgreSQL server do not see each other's.
LOCK_KEY = int.from_bytes(b"hotline\x01", "big")
APPLICATION = "hotline-scheduler"
LOCK_FILE_SUFFIX = ".scheduler-lock"


class Leadership(Protocol):
    """`standby`: a refused process may wait for the holder to go (else it does not start)."""

    standby: bool

    def try_acquire(self) -> bool: ...

    def holder(self) -> str: ...

    def still_held(self) -> bool: ...

    def release(self) -> None: ...

    def describe(self) -> str: ...


def leadership_for(database_url: str) -> Leadership:
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "postgresql":
        return PostgresLeadership(database_url)
    if backend == "sqlite" and url.database and url.database != ":memory:":
        return FileLeadership(Path(url.database + LOCK_FILE_SUFFIX))
    raise ValueError(f"the scheduler needs PostgreSQL or a SQLite file, not {backend!r}")


class PostgresLeadership:
    """The lock lives as long as its session: a dedicated connection, outside every pool, that
    dies with the process and so frees the lock at once (the kernel closes its socket)."""

    standby = True

    def __init__(self, database_url: str) -> None:
        self._engine = _lock_engine(database_url)
        self._connection: Connection | None = None
        self._held = False
        self._unreachable = False

    def try_acquire(self) -> bool:
        try:
            connection = self._connect()
            self._held = bool(
                connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})
            )
        except SQLAlchemyError as exc:
            if not self._unreachable:  # once per outage, not at every try
                log.warning("cannot reach the database for the lock: %s", type(exc).__name__)
            self._unreachable = True
            self._drop()
            return False
        self._unreachable = False
        return self._held

    def holder(self) -> str:
        if self._unreachable:
            return "unknown (the database is unreachable)"
        try:
            row = self._connect().execute(_HOLDER, _KEY_PARTS).first()
        except SQLAlchemyError:
            self._drop()
            return "unknown (the database is unreachable)"
        if row is None:
            return "nobody (just released)"
        name, pid = row
        found = str(name).removeprefix(APPLICATION).strip() if name else ""
        return found or f"database session {pid}"

    def still_held(self) -> bool:
        """Asked of the server, so a dropped connection or a lock lost any other way shows."""
        if not self._held or self._connection is None:
            return False
        try:
            return bool(self._connection.scalar(_MINE, _KEY_PARTS))
        except SQLAlchemyError:
            self._drop()
            return False

    def release(self) -> None:
        if self._held and self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            except SQLAlchemyError:
                pass  # the session is gone, and the lock with it
        self._drop()
        self._engine.dispose()

    def describe(self) -> str:
        return f"PostgreSQL advisory lock 0x{LOCK_KEY:x}"

    def _connect(self) -> Connection:
        if self._connection is None:
            self._connection = self._engine.connect()
        return self._connection

    def _drop(self) -> None:
        self._held = False
        if self._connection is not None:
            try:
                self._connection.close()
            except SQLAlchemyError:
                pass
            self._connection = None


def _lock_engine(database_url: str) -> Engine:
    # Keepalives on both ends and a TCP user timeout: a leader cut off from the server notices
    # within seconds, and the server frees the lock of a leader whose host vanished.
    keepalive = "-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3"
    return create_engine(
        database_url,
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",  # no transaction stays open for the life of the process
        connect_args={
            "connect_timeout": 3,
            "application_name": f"{APPLICATION} {runner_name()}"[:63],
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 3,
            "tcp_user_timeout": 10000,
            "options": f"-c statement_timeout=5000 {keepalive}",
        },
    )


_KEY_PARTS = {"hi": LOCK_KEY >> 32, "lo": LOCK_KEY & 0xFFFFFFFF}
_LOCK_ROW = (
    "l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
    " AND l.classid = CAST(:hi AS oid) AND l.objid = CAST(:lo AS oid)"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)
_HOLDER = text(
    "SELECT a.application_name, l.pid FROM pg_locks l"
    f" LEFT JOIN pg_stat_activity a ON a.pid = l.pid WHERE {_LOCK_ROW}"
)
_MINE = text(
    f"SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE {_LOCK_ROW} AND l.pid = pg_backend_pid())"
)


class FileLeadership:
    """`flock` on a file beside the database; the file says who holds it (host:pid). The file
    is never deleted: a deleted lock file would let a second process lock a new one."""

    standby = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def try_acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")  # never truncate another's lock
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{runner_name()}\n")
        handle.flush()
        self._handle = handle
        return True

    def holder(self) -> str:
        try:
            found = self.path.read_text(encoding="utf-8").strip()
        except OSError:
            found = ""
        return found or "another process"

    def still_held(self) -> bool:
        """False when the lock file was removed or replaced: another process could lock anew."""
        if self._handle is None:
            return False
        try:
            return os.stat(self.path).st_ino == os.fstat(self._handle.fileno()).st_ino
        except OSError:
            return False

    def release(self) -> None:
        if self._handle is None:
            return
        if self.still_held():
            self._handle.truncate(0)
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None

    def describe(self) -> str:
        return f"file lock {self.path}"
