"""Engines and transactions: SQLite (WAL, busy timeout, BEGIN IMMEDIATE for writes) or PostgreSQL.

Each boundary (request, job, CLI command) opens exactly one transaction through `Database`;
services take the session and never commit.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, DateTime, Engine, create_engine, event, make_url
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from hotline import deadline
from hotline.pool import DeadlinePool, keep_deadlines

# A webhook has 15 s in all: a database that does not answer within these limits makes
# routing fail fast, so the fallback TwiML still goes out in time.
WAIT_LIMIT_MS = 5000
PING_AFTER_IDLE_S = 1.0
_WRITE_OPTION = "hotline_write"
T = TypeVar("T")


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: refuses naive datetimes, stores UTC, always reads back aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given where an instant is stored")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite keeps no zone: what we stored was UTC
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def create_db_engine(
    url: str,
    *,
    wait_limit_ms: int = WAIT_LIMIT_MS,
    ping_after_idle_s: float = PING_AFTER_IDLE_S,
    **kwargs: Any,
) -> Engine:
    """An engine with the pragmas and pool settings this service relies on.

    `wait_limit_ms`: the longest a statement waits for a lock (SQLite's busy timeout) or runs
    (PostgreSQL's statement timeout) before it fails. `ping_after_idle_s`: see `_ping_when_idle`.
    Under a request's deadline everything ends sooner, whatever the server does
    (`hotline.deadline`, `hotline.pool`).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs.setdefault("poolclass", DeadlinePool)
        engine = create_engine(url, **kwargs)
        keep_deadlines(engine, wait_limit_ms)
        _configure_sqlite(engine, wait_limit_ms)
        _WRITE_TURNS[engine] = WriteTurns(wait_limit_ms / 1000)
        return engine
    kwargs.setdefault("poolclass", DeadlinePool)
    kwargs.setdefault("pool_timeout", 3)
    connect_args = kwargs.setdefault("connect_args", {})
    connect_args.setdefault("connect_timeout", 3)
    connect_args.setdefault("options", f"-c statement_timeout={wait_limit_ms}")
    engine = create_engine(url, **kwargs)
    keep_deadlines(engine, wait_limit_ms)  # first: the idle ping runs under the deadline
    _ping_when_idle(engine, ping_after_idle_s)
    return engine


def _ping_when_idle(engine: Engine, idle_s: float) -> None:
    """A connection that rested in the pool is pinged before use, one in steady use is not.

    A server restart or a dropped link leaves dead connections in the pool; pinging at every
    checkout (`pool_pre_ping`) finds them, but costs a round trip per transaction, as much as a
    statement of the call-routing hot path. Connections go bad while they rest, so only those
    idle for `idle_s` or longer are pinged; a dead one is replaced before anyone uses it.
    """

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _rested_from(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_rested(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
        if time.monotonic() - record.info["checked_in"] < idle_s:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool invalidates this connection and checks out another (SQLAlchemy's
            # documented pessimistic-disconnect recipe).
            raise DisconnectionError("connection lost while idle in the pool") from exc


def _configure_sqlite(engine: Engine, wait_limit_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself, so writes can say IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(wait_limit_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted and replaced content is zeroed, not left as free space in a page: an edited
        # note's old text must not stay readable in the file (hotline.records.forgetting).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes can fail with SQLITE_BUSY despite
        # the busy timeout; a write transaction takes the write lock up front instead.
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class WriteTurns:
    """SQLite lets one transaction write at a time. The threads of a process wait for their
    turn here, each woken as the one before it ends, not in SQLite's busy handler: that one
    polls with sleeps growing to 100 ms, so among many waiters one can be overtaken for
    seconds. The wait is bounded as the busy timeout is: by the deadline, else the limit."""

    def __init__(self, wait_limit_s: float) -> None:
        self.wait_limit_s = wait_limit_s
        self._lock = threading.RLock()  # a nested write fails in SQLite, as it did before

    @contextmanager
    def turn(self) -> Iterator[None]:
        left = deadline.remaining()
        wait = self.wait_limit_s if left is None else min(self.wait_limit_s, left)
        if not self._lock.acquire(timeout=max(0.0, wait)):
            locked = sqlite3.OperationalError("database is locked (no write turn in time)")
            raise OperationalError("BEGIN IMMEDIATE", None, locked)
        try:
            yield
        finally:
            self._lock.release()


_WRITE_TURNS: weakref.WeakKeyDictionary[Engine, WriteTurns] = weakref.WeakKeyDictionary()


class Database:
    """The engine plus the two kinds of transaction a boundary can open."""

    def __init__(self, engine: Engine, *, bind: Connection | None = None) -> None:
        """`bind`: a connection already in a transaction (tests roll it back at the end)."""
        self.engine = engine
        self._bind = bind
        self._turns = _WRITE_TURNS.get(engine) if bind is None else None
        if bind is not None:
            self._reader = self._writer = sessionmaker(
                bind=bind, join_transaction_mode="create_savepoint", expire_on_commit=False
            )
            return
        self._reader = sessionmaker(bind=engine, expire_on_commit=False)
        self._writer = sessionmaker(
            bind=engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False
        )

    @property
    def is_bound(self) -> bool:
        """Bound to one connection in a transaction (tests): not to be shared by threads."""
        return self._bind is not None

    @property
    def identity_url(self) -> str:
        """The engine's URL with its password, for `hotline.spool.database_identity`."""
        return self.engine.url.render_as_string(hide_password=False)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        return cls(create_db_engine(url, **kwargs))

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any exception."""
        with self._turn(), self._writer() as session, session.begin():
            yield session

    @contextmanager
    def raw_write(self) -> Iterator[Any]:
        """One write transaction on a pooled DBAPI connection, below the ORM: for the few
        statements of the call-routing hot path (`hotline.routing.store`), nothing else."""
        if self._bind is not None:  # inside a test's transaction: a savepoint of it
            with self._bind.begin_nested():
                yield self._bind.connection.dbapi_connection
            return
        with self._turn():
            yield from self._raw_write()

    def _raw_write(self) -> Iterator[Any]:
        connection = self.engine.raw_connection()
        dbapi_connection = connection.dbapi_connection
        try:
            if self.engine.dialect.name == "sqlite":
                connection.cursor().execute("BEGIN IMMEDIATE")  # see _on_begin
            yield dbapi_connection
            connection.commit()
        except BaseException as exc:
            if self._is_disconnect(exc, dbapi_connection):
                connection.invalidate(exc)  # broken (e.g. past its deadline): never pooled again
            else:
                connection.rollback()
            raise
        finally:
            connection.close()  # back to the pool

    @contextmanager
    def raw_read(self) -> Iterator[Any]:
        """A pooled DBAPI connection for one read statement below the ORM, in no transaction:
        a single statement reads one snapshot by itself, so it needs neither BEGIN nor
        ROLLBACK (two more round trips on PostgreSQL). For the API's one read a request
        (`hotline.api.reads`), nothing that reads twice."""
        if self._bind is not None:  # inside a test's transaction: read in it
            yield self._bind.connection.dbapi_connection
            return
        connection = self.engine.raw_connection()
        dbapi_connection: Any = connection.dbapi_connection
        postgresql = self.engine.dialect.name == "postgresql"
        try:
            if postgresql:  # SQLite's connections are in autocommit already (_on_begin)
                dbapi_connection.autocommit = True
            yield dbapi_connection
        except BaseException as exc:
            if self._is_disconnect(exc, dbapi_connection):
                connection.invalidate(exc)
            raise
        finally:
            if postgresql and connection.is_valid:
                dbapi_connection.autocommit = False  # as the pool hands it to everyone else
            connection.close()

    def _turn(self) -> AbstractContextManager[None]:
        return self._turns.turn() if self._turns is not None else nullcontext()

    def _is_disconnect(self, exc: BaseException, dbapi_connection: Any) -> bool:
        dialect = self.engine.dialect
        errors = dialect.loaded_dbapi.Error
        return isinstance(exc, errors) and dialect.is_disconnect(exc, dbapi_connection, None)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """One read-only transaction (rolled back at the end: nothing is written)."""
        with self._reader() as session:
            try:
                yield session
            finally:
                session.rollback()

    def transact(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one write transaction; run it once more when a concurrent transaction
        took the same unique key first (a repeated webhook): the second run sees its rows."""
        try:
            with self.write() as session:
                return work(session)
        except IntegrityError:
            with self.write() as session:
                return work(session)

    def dispose(self) -> None:
        self.engine.dispose()
