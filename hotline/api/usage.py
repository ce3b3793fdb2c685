"""Each use of an API token goes to the audit log (token, path, time, status), written behind.

A write per request would take SQLite's single write lock as often as the API is asked,
beside the webhooks that route calls; instead one thread per process appends what came in
every half second, in one transaction. A process that is killed outright loses at most that
half second of entries; a stopping worker writes what it holds (`atexit`). Tests, bound to
one connection, write at once.
"""

from __future__ import annotations

import atexit
import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert

from hotline.db import Database
from hotline.models import AuditEntry

ACTION = "api-read"
REFUSED = "api-refused"
INTERVAL_S = 0.5
CAPACITY = 50_000  # entries held while the database is away; beyond, the oldest are counted

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Use:
    at: datetime
    token: str
    path: str
    address: str | None
    status: int


class UsageLog:
    def __init__(self, database: Database, interval_s: float = INTERVAL_S) -> None:
        self.database = database
        self.interval_s = interval_s
        self._held: list[Use] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.dropped = 0

    def note(self, use: Use) -> None:
        if self.database.is_bound:  # a test's transaction: not to be shared with a thread
            self._write([use])
            return
        with self._lock:
            if len(self._held) >= CAPACITY:
                self._held.pop(0)
                self.dropped += 1
            self._held.append(use)
            if self._thread is None:  # started on first use: after the worker's fork
                self._thread = threading.Thread(target=self._run, name="api-usage", daemon=True)
                self._thread.start()
                atexit.register(self.flush)

    def flush(self) -> int:
        """Write what is held now; what cannot be written is kept for the next turn."""
        with self._lock:
            held, self._held = self._held, []
        if not held:
            return 0
        try:
            self._write(held)
        except Exception:  # the database is away: keep them, and say so once a turn
            log.warning("API uses not yet in the audit log: %d held", len(held))
            with self._lock:
                self._held[:0] = held[: max(0, CAPACITY - len(self._held))]
            return 0
        return len(held)

    def _write(self, uses: list[Use]) -> None:
        """One insert of many rows (entries as `audit.record` makes them): ORM objects
        would cost more than the requests they record."""
        rows = [
            {
                "at": use.at,
                "actor": f"token:{use.token}",
                "action": ACTION if use.status < 400 else REFUSED,
                "target": use.path[:64],
                "source": (use.address or "")[:64] or None,
                "detail": {"status": use.status},
            }
            for use in uses
        ]
        with self.database.write() as session:
            session.execute(insert(AuditEntry), rows)

    def _run(self) -> None:
        while True:
            self._wake.wait(self.interval_s)
            self.flush()
