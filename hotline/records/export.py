"""The de-identified call log as CSV or JSON, streamed row by row (memory stays flat).

Exports carry pseudonyms and codes, never numbers, CallSids or notes. A CSV cell that a
spreadsheet would read as a formula (= + - @, tab, carriage return) is prefixed with '.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Partner
from hotline.records.calllog import CallFilters, filtered_calls, seconds_between
from hotline.records.scope import Viewer

BATCH = 1000
COLUMNS = (
    "id",
    "line",
    "arrived_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "duration_seconds",
    "result",
    "answered_line",
    "counselor",
    "rota_version",
    "caller",
    "call_type",
    "topics",
    "risk",
    "actions",
    "partner",
    "caller_type",
    "age_band",
    "flagged",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_rows(
    session: Session, viewer: Viewer, filters: CallFilters, now: datetime
) -> Iterator[dict[str, Any]]:
    """One dict per call, newest first, read from a server-side cursor in batches."""
    partners = dict(session.execute(select(Partner.id, Partner.key)).all())
    query = filtered_calls(session, viewer, filters, now).execution_options(yield_per=BATCH)
    zones: dict[str, ZoneInfo] = {}
    for row in session.execute(query):
        tz = zones.setdefault(row.timezone or "UTC", ZoneInfo(row.timezone or "UTC"))
        yield {
            "id": row.id,
            "line": row.line,
            "arrived_at": _local(row.arrived_at, tz),
            "answered_at": _local(row.answered_at, tz),
            "ended_at": _local(row.ended_at, tz),
            "wait_seconds": seconds_between(row.arrived_at, row.answered_at),
            "duration_seconds": row.duration_seconds,
            "result": row.result,
            "answered_line": row.answered_line,
            "counselor": row.counselor,
            "rota_version": row.rota_version,
            "caller": row.caller,
            "call_type": row.call_type,
            "topics": list(row.topics or []),
            "risk": row.risk,
            "actions": list(row.actions or []),
            "partner": partners.get(row.partner_id) if row.partner_id else None,
            "caller_type": row.caller_type,
            "age_band": row.age_band,
            "flagged": bool(row.flagged),
        }


def _local(at: datetime | None, tz: ZoneInfo) -> str | None:
    return at.astimezone(tz).isoformat() if at else None


def neutralize(value: Any) -> str:
    """A CSV cell as text, harmless to a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = ";".join(value)
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_chunks(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """A header line, then about a hundred rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralize(row[c]) for c in COLUMNS])
        if count % 100 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """A JSON list of objects, one object per chunk."""
    yield "["
    for count, row in enumerate(rows):
        yield ("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]\n"
