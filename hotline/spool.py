"""The spool: calls routed while the database could not be used, kept in a local file.

When routing fails, the webhook still answers with the fallback and appends a minimal record
(time, line number, CallSid, "fallback: error"; nothing about the caller) here. Once the
database answers again, the records are loaded and the file is removed. A file is claimed by
renaming it, so two workers never load the same records.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import Database
from hotline.models import Call
from hotline.routing.directory import LineDirectory

SPOOL_FILE = "calls.jsonl"
ERROR_RESULT = "error"
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SpooledCall:
    at: datetime
    call_sid: str
    line_number: str


def spool_call(spool_dir: Path, record: SpooledCall) -> None:
    """Append one record durably; safe from several processes at once."""
    spool_dir.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {
            "at": record.at.isoformat(),
            "call_sid": record.call_sid,
            "to": record.line_number,
            "event": "fallback: error",
        }
    )
    with open(spool_dir / SPOOL_FILE, "a", encoding="utf-8") as out:
        fcntl.flock(out, fcntl.LOCK_EX)
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())


def has_spool(spool_dir: Path) -> bool:
    return (spool_dir / SPOOL_FILE).exists() or any(spool_dir.glob("*.loading"))


def claim_spool(spool_dir: Path) -> list[Path]:
    """Take the spool file for loading (renamed, so new records start a new file)."""
    current = spool_dir / SPOOL_FILE
    if current.exists():
        try:
            current.rename(spool_dir / f"calls-{uuid.uuid4().hex}.loading")
        except FileNotFoundError:
            pass  # another worker claimed it first
    return sorted(spool_dir.glob("*.loading"))


def load_spooled(session: Session, paths: list[Path]) -> int:
    """Insert the claimed records not yet in the database; the caller commits, then discards."""
    loaded = 0
    lines = LineDirectory().current(session)
    for path in paths:
        for text in path.read_text(encoding="utf-8").splitlines():
            record = _parse(text)
            if record is None or session.scalar(
                select(Call.id).where(Call.call_sid == record.call_sid)
            ):
                continue
            line = lines.for_number(record.line_number)
            session.add(
                Call(
                    call_sid=record.call_sid,
                    hotline_id=line.id if line else None,
                    caller="unknown",
                    arrived_at=record.at,
                    status="unknown",
                    result=ERROR_RESULT,
                    plan=[],
                    dial_step=None,
                    dial_round=None,
                )
            )
            session.flush()
            loaded += 1
    return loaded


def discard(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _parse(text: str) -> SpooledCall | None:
    try:
        data = json.loads(text)
        return SpooledCall(
            datetime.fromisoformat(data["at"]), str(data["call_sid"]), str(data["to"])
        )
    except (ValueError, KeyError, TypeError):
        return None  # a torn last line after a crash: nothing to recover from it


def load_spool_when_back(database: Database, spool_dir: Path) -> int:
    """Load whatever was spooled, if the database answers; keep it for later if not."""
    if not has_spool(spool_dir):
        return 0
    paths = claim_spool(spool_dir)
    try:
        with database.write() as session:
            loaded = load_spooled(session, paths)
    except Exception:  # still down, or a bad record: the files stay for the next try
        log.exception("spooled calls could not be loaded yet; kept for the next try")
        return 0
    discard(paths)
    log.warning("loaded %d call(s) spooled while routing failed", loaded)
    return loaded
