"""The deadline of a request's database use, and the one watchdog thread per process that
keeps it by breaking, from outside, a connection still busy when it passes.

The policy. Twilio waits 15 s for an answer, then the caller hears an error; a call must reach
a human whatever the database does. A server that is paused (SIGSTOP, a frozen VM, a stuck
storage layer) still has a kernel that answers TCP: keepalives see a healthy link and a
server-side `statement_timeout` never runs, so a client blocked on a read waits for ever. Only
the application can end that wait. Each request therefore runs under a deadline (a budget by
kind: webhooks, probes, pages), and everything it asks of the database is bounded by it: the
wait for a pooled connection, connecting, the idle ping and every statement. When the deadline
passes, the watchdog breaks the connection in use (`hotline.pool` says how: the socket is shut
down, or SQLite's statement interrupted), the blocked call fails at once, and the request takes
its usual way out on a database error (for a call: TwiML to the fallback line).
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

# A webhook's database use ends after 4 s: the fallback answer follows within milliseconds, so
# a call is answered in about 4 s even when the database stalls, and in about 8 s if it had to
# wait for a thread behind another stalled call, well inside Twilio's 15 s (we aim at 10).
WEBHOOK_BUDGET_S = 4.0
# `/readyz` answers within 2 s (a load balancer's probe timeout is often no more).
PROBE_BUDGET_S = 1.5
# A person's page: generous, but a stalled database must not hold a server thread for ever.
PAGE_BUDGET_S = 15.0
# A streamed export reads the database while the client downloads, after its request's
# deadline has ended: long enough for a year's calls over a slow link, yet a stalled database
# cannot hold a thread and a connection for ever (the download then fails visibly).
EXPORT_BUDGET_S = 300.0
# How late the watchdog may be: it looks at the armed connections this often.
TICK_S = 0.1

log = logging.getLogger(__name__)
Breaker = Callable[[], None]
_deadline: ContextVar[float | None] = ContextVar("hotline_deadline", default=None)


class DeadlineExceeded(Exception):
    """The request's time for the database ran out before it could be used."""


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Run the block under a deadline `seconds` from now (never later than one in force)."""
    at = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(at if outer is None else min(at, outer))
    try:
        yield
    finally:
        _deadline.reset(token)


def current() -> float | None:
    """The deadline in force (a `time.monotonic()` instant), or None outside one."""
    return _deadline.get()


def remaining() -> float | None:
    """Seconds left before the deadline in force (negative once passed); None outside one."""
    at = _deadline.get()
    return None if at is None else at - time.monotonic()


class Watchdog:
    """One thread per process that calls the breaker of each armed connection whose deadline
    has passed. Arming and disarming cost a dict update under a lock; the thread ticks only
    while something is armed and sleeps otherwise."""

    def __init__(self) -> None:
        self._armed: dict[int, tuple[float, Breaker]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._sleeping = False
        self._keys = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, at: float, breaker: Breaker) -> int:
        key = next(self._keys)
        with self._lock:
            self._armed[key] = (at, breaker)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="deadline", daemon=True)
                self._thread.start()
        if self._sleeping:
            self._wake.set()
        return key

    def disarm(self, key: int) -> bool:
        """Disarm; False when the deadline had passed and the breaker has already run."""
        with self._lock:
            return self._armed.pop(key, None) is not None

    def _run(self) -> None:
        while True:
            self._break_expired(time.monotonic())
            if self._armed:
                time.sleep(TICK_S)
                continue
            # Published before the last look, so an `arm` after that look wakes us.
            self._wake.clear()
            self._sleeping = True
            if not self._armed:
                self._wake.wait()
            self._sleeping = False

    def _break_expired(self, now: float) -> None:
        # Under the lock: a connection is disarmed (under it) before it is closed or reused,
        # so a breaker never acts on a connection that has moved on.
        with self._lock:
            expired = [key for key, (at, _) in self._armed.items() if at <= now]
            for key in expired:
                _, breaker = self._armed.pop(key)
                try:
                    breaker()
                except Exception:  # the connection may have died by itself meanwhile
                    log.debug("breaking a connection past its deadline failed", exc_info=True)
        if expired:
            log.warning("broke %d database connection(s) past the request deadline", len(expired))


_watchdog = Watchdog()


def watchdog() -> Watchdog:
    return _watchdog


def _new_watchdog_after_fork() -> None:
    # A forked child has none of its parent's threads: it starts its own watchdog when needed.
    global _watchdog
    _watchdog = Watchdog()


os.register_at_fork(after_in_child=_new_watchdog_after_fork)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class RequestDeadlines:
    """WSGI middleware: each request runs under the deadline `budget(path)` gives it (None:
    no deadline). A streamed body is sent after the deadline ends (it is not database wait)."""

    def __init__(self, app: WsgiApp, budget: Callable[[str], float | None]) -> None:
        self.app, self.budget = app, budget

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        seconds = self.budget(environ.get("PATH_INFO", ""))
        if seconds is None:
            return self.app(environ, start_response)
        with within(seconds):
            return self.app(environ, start_response)
