"""The spool: what the call path could not write while the database failed, kept in a local
file that belongs to one database, and applied to it in order once it answers.

Three events, none with caller data: a call sent to the fallback by an error, a status
callback, and the end of a bridged dial. Each line names its database (its URL without
credentials), and each database has its own file, so a server started on another database
never loads them. A file is claimed by renaming it, so two workers never load the same lines.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

log = logging.getLogger(__name__)

FALLBACK, STATUS, DIAL = "fallback: error", "status", "dial"


def database_identity(url: str) -> str:
    """The database an URL names, without credentials: a SQLite file by its absolute path."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database or ":memory:"
        return f"sqlite:///{Path(name).resolve() if name != ':memory:' else name}"
    bare = parsed.set(username=parsed.username, password=None, query={})
    return bare.render_as_string(hide_password=False).split("://", 1)[-1]


@dataclass(frozen=True, slots=True)
class Spool:
    """The spool of one database inside `folder` (HOTLINE_SPOOL_DIR)."""

    folder: Path
    database: str

    @classmethod
    def of(cls, folder: Path, database_url: str) -> Spool:
        return cls(folder, database_identity(database_url))

    @property
    def stem(self) -> str:
        digest = hashlib.sha256(self.database.encode("utf-8")).hexdigest()[:16]
        return f"spool-{digest}"

    @property
    def current(self) -> Path:
        return self.folder / f"{self.stem}.jsonl"

    def append(self, event: str, at: datetime, call_sid: str, **fields: Any) -> None:
        """Append one event durably; safe from several processes at once."""
        self.folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"db": self.database, "event": event, "at": at.isoformat(), "call_sid": call_sid}
            | fields
        )
        with open(self.current, "a", encoding="utf-8") as out:
            fcntl.flock(out, fcntl.LOCK_EX)
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())

    def pending(self) -> bool:
        """Whether anything waits: a stat of the current file, else one read of the (small)
        spool folder for files a failed load left claimed. Cheap enough for each callback."""
        return self.current.exists() or any(self.folder.glob(f"{self.stem}-*.loading"))

    def claim(self) -> list[Path]:
        """Take the file for loading (renamed, so new events start a new file)."""
        if self.current.exists():
            try:
                self.current.rename(self.folder / f"{self.stem}-{uuid.uuid4().hex}.loading")
            except FileNotFoundError:
                pass  # another worker claimed it first
        return sorted(self.folder.glob(f"{self.stem}-*.loading"), key=_claimed_at)

    def events(self, paths: list[Path]) -> list[dict[str, Any]]:
        """The claimed events of this database, in the order they were written."""
        found = []
        for path in paths:
            for text in path.read_text(encoding="utf-8").splitlines():
                event = _parse(text)
                if event is not None and event.get("db") == self.database:
                    found.append(event)
        return found

    def discard(self, paths: list[Path]) -> None:
        for path in paths:
            path.unlink(missing_ok=True)


def _claimed_at(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _parse(text: str) -> dict[str, Any] | None:
    try:
        event = json.loads(text)
        datetime.fromisoformat(event["at"])
        str(event["call_sid"])
    except (ValueError, KeyError, TypeError):
        return None  # a torn last line after a crash: nothing to recover from it
    return event if isinstance(event, dict) else None
