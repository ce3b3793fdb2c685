"""The connection pool under the request deadline (`hotline.deadline`): waiting for a pooled
connection, connecting, the idle ping and every statement end when the deadline passes."""

from __future__ import annotations

import math
import os
import socket
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from hotline import deadline
from hotline.deadline import Breaker, DeadlineExceeded

_BREAKER = "hotline_breaker"
_GUARD = "hotline_guard"
_BUSY_MS = "hotline_busy_timeout_ms"
# libpq and psycopg wait at least 2 s for a new connection, whatever is asked for.
_SHORTEST_CONNECT_S = 2


class DeadlinePool(QueuePool):
    """A queue pool whose checkout waits no longer than the deadline leaves, and refuses
    outright once it has passed (a dead request takes no connection from a live one)."""

    def _do_get(self) -> ConnectionPoolEntry:
        left = deadline.remaining()
        if left is not None and left <= 0:
            raise DeadlineExceeded("no time was left to check out a database connection")
        return super()._do_get()

    # QueuePool reads its wait from `_timeout` at each checkout: read per thread, the
    # configured wait bounded by what the current request has left. `_timeout` is not public
    # API; SQLAlchemy is pinned, and a test of the pool's wait under a deadline
    # (tests/webhooks/test_stalled_database.py) fails at once if an upgrade renames it.
    @property
    def _timeout(self) -> float:
        left, configured = deadline.remaining(), self._configured_timeout
        return configured if left is None else max(0.0, min(configured, left))

    @_timeout.setter
    def _timeout(self, value: float) -> None:
        self._configured_timeout = value


def keep_deadlines(engine: Engine, wait_limit_ms: int) -> None:
    """Bound every checkout of `engine` made under a deadline. Registered before any other
    checkout listener, so the idle ping (`hotline.db`) runs guarded too."""
    sqlite = engine.dialect.name == "sqlite"

    @event.listens_for(engine, "connect")
    def _know_how_to_break(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_BREAKER] = _breaker_of(dbapi_connection, sqlite)
        record.info[_BUSY_MS] = wait_limit_ms

    @event.listens_for(engine, "checkout")
    def _guard(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
        at = deadline.current()
        if sqlite:
            _bound_busy_timeout(dbapi_connection, record, wait_limit_ms)
        if at is not None:
            record.info[_GUARD] = deadline.watchdog().arm(at, record.info[_BREAKER])

    @event.listens_for(engine, "checkin")
    @event.listens_for(engine, "invalidate")
    @event.listens_for(engine, "detach")
    def _unguard(dbapi_connection: Any, record: ConnectionPoolEntry, *args: Any) -> None:
        key = record.info.pop(_GUARD, None)
        if key is not None:
            deadline.watchdog().disarm(key)

    if not sqlite:

        @event.listens_for(engine, "do_connect")
        def _connect_within(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
            left = deadline.remaining()
            if left is None:
                return
            if left <= 0:
                raise DeadlineExceeded("no time was left to connect to the database")
            configured = float(cparams.get("connect_timeout", math.inf))
            wait = max(_SHORTEST_CONNECT_S, math.ceil(min(configured, left)))
            cparams["connect_timeout"] = wait


def _bound_busy_timeout(dbapi_connection: Any, record: ConnectionPoolEntry, limit_ms: int) -> None:
    """SQLite waits for another process's write lock in its busy handler, which no interrupt
    ends: the busy timeout itself is cut to what the request has left (in steps of 100 ms,
    so the same few PRAGMAs come back from the statement cache)."""
    left = deadline.remaining()
    wanted = limit_ms if left is None else max(0, min(limit_ms, int(left * 10) * 100))
    if record.info.get(_BUSY_MS) != wanted:
        dbapi_connection.execute(f"PRAGMA busy_timeout={wanted}")
        record.info[_BUSY_MS] = wanted


def _breaker_of(dbapi_connection: Any, sqlite: bool) -> Breaker:
    """How to end, from another thread, whatever the connection is blocked in."""
    if sqlite:
        return dbapi_connection.interrupt  # type: ignore[no-any-return]
    # psycopg (3: `pgconn.socket`; 2: `fileno()`), read now: the watchdog never asks a
    # connection that another thread is using.
    pgconn = getattr(dbapi_connection, "pgconn", None)
    fd = pgconn.socket if pgconn is not None else dbapi_connection.fileno()
    return lambda: _shut_down(fd)


def _shut_down(fd: int) -> None:
    """Shut the socket down (both ways): a blocked read returns at once with end of file, and
    the driver marks the connection broken, so the pool throws it away. A duplicate of the
    descriptor is shut and closed; the driver's own descriptor stays valid until it closes."""
    duplicate = socket.socket(fileno=os.dup(fd))
    try:
        duplicate.shutdown(socket.SHUT_RDWR)
    finally:
        duplicate.close()
