"""A line's versions over a window, read through a per-process cache of parsed versions.

A saved version never changes (rota_versions are append-only), so a version parsed once is
good for the life of the process. It is kept by its content hash, number and time, never by
its row id alone, which a rolled-back insert may hand out again. The calendar and the preview
read only those few columns of the versions in force over their window, and parse just the
ones not seen yet: a year of history keeps a version per edit, and parsing each (thousands of
overrides and leave) is what a page would otherwise spend its time on.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import RotaVersion
from rota.history import RotaHistory
from rota.index import PreparedIndex
from rota.model import Version
from rota.snapshot import from_document

MAX_VERSIONS = 256
_Key = tuple[str, int, datetime, int]  # content hash, number, saved at, row id
MAX_HISTORIES = 16


class VersionCache:
    """Parsed versions by row id, and a prepared index per set of versions (both bounded, the
    least recently used going first). Safe to share between the threads of one process."""

    def __init__(self) -> None:
        self._versions: OrderedDict[_Key, Version] = OrderedDict()
        self._indexes: OrderedDict[tuple[_Key, ...], PreparedIndex] = OrderedDict()
        self._lock = threading.Lock()

    def index_from(self, session: Session, line_id: int, start: datetime) -> PreparedIndex:
        """The line's versions in force at or after `start`, as `versions_from` reads them,
        with a prepared index over them (its resolved weeks kept for the next page)."""
        mine = select(
            RotaVersion.id, RotaVersion.content_hash, RotaVersion.number, RotaVersion.saved_at
        ).where(RotaVersion.hotline_id == line_id)
        then = session.execute(
            mine.where(RotaVersion.saved_at <= start)
            .order_by(RotaVersion.saved_at.desc(), RotaVersion.number.desc())
            .limit(1)
        ).all()
        later = session.execute(mine.where(RotaVersion.saved_at > start)).all()
        ids = tuple(sorted((row.content_hash, row.number, row.saved_at, row.id)
                           for row in [*then, *later]))  # fmt: skip
        with self._lock:
            index = self._indexes.get(ids)
            if index is not None:
                self._indexes.move_to_end(ids)
                return index
        versions = self._parsed(session, ids)
        index = PreparedIndex(RotaHistory(versions))
        with self._lock:
            self._indexes[ids] = index
            while len(self._indexes) > MAX_HISTORIES:
                self._indexes.popitem(last=False)
        return index

    def _parsed(self, session: Session, ids: tuple[_Key, ...]) -> list[Version]:
        with self._lock:
            known = {i: self._versions[i] for i in ids if i in self._versions}
        missing = {i[3]: i for i in ids if i not in known}
        if missing:
            rows = session.execute(
                select(RotaVersion.id, RotaVersion.document).where(
                    RotaVersion.id.in_(sorted(missing))
                )
            )
            for row_id, document in rows:
                key = missing[row_id]
                known[key] = Version(key[1], key[2], from_document(document))
        with self._lock:
            for i in ids:
                self._versions[i] = known[i]
                self._versions.move_to_end(i)
            while len(self._versions) > MAX_VERSIONS:
                self._versions.popitem(last=False)
        return [known[i] for i in ids]


VERSIONS = VersionCache()
"""The process's cache (web workers each have their own; nothing in it is ever stale)."""
