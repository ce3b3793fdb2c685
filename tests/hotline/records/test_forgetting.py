"""What an edit or the purge replaced is gone from SQLite's files, not only from its tables."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.jobs.env import JobEnv
from hotline.jobs.retention import retention_purge
from hotline.models import Call, CallOutcome
from hotline.outbound.port import Outbound
from hotline.records.forgetting import AFTER_SAVE_WAIT_S
from hotline.records.outcomes import OutcomeInput, save_outcome
from settings import Settings
from tests.conftest import RECORDS_CONFIG, FreshDatabases, RecordsWorld

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
OLD_WORD = "Zebrafinch"
NEW_WORD = "Kingfisher"


@pytest.fixture
def sqlite_file(fresh_databases: FreshDatabases) -> Iterator[Engine]:
    engine = fresh_databases.engine("sqlite")
    with Database(engine).write() as writing:
        import_configuration(writing, RECORDS_CONFIG, NOW - timedelta(days=4000))
    yield engine
    engine.dispose()


def files_of(engine: Engine) -> bytes:
    """The raw bytes of the database file and of its WAL, as a thief would read them."""
    path = Path(str(engine.url.database))
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def save_note(database: Database, call_id: int, note: str) -> None:
    data = OutcomeInput("counseling", (), "low", (), None, None, None, note)
    with database.write() as writing:
        call = writing.get(Call, call_id)
        assert call is not None
        save_outcome(writing, call, data, NOW, note_max=4000, public_url="https://h.example")


def test_an_edited_notes_old_text_is_in_neither_the_database_file_nor_its_wal(
    sqlite_file: Engine, cheap_passwords: object
) -> None:
    database = Database(sqlite_file)
    world = RecordsWorld(database, cheap_passwords)
    edited, after = (world.call("city", NOW, counselor="wang-li") for _ in range(2))
    save_note(database, edited, f"她提到 {OLD_WORD} 很多次")
    # A row saved after it: the edited one's old place is not simply reused by the new text.
    save_note(database, after, "另一通电话")
    assert OLD_WORD.encode() in files_of(sqlite_file)
    save_note(database, edited, f"她提到 {NEW_WORD}，" + "谈了很久。" * 20)
    assert OLD_WORD.encode() not in files_of(sqlite_file)
    assert NEW_WORD.encode() in files_of(sqlite_file)


def test_a_purged_note_is_in_neither_the_database_file_nor_its_wal(
    sqlite_file: Engine, cheap_passwords: object, settings: Settings
) -> None:
    database = Database(sqlite_file)
    long_ago = NOW - timedelta(days=3000)
    call_id = RecordsWorld(database, cheap_passwords).call("city", long_ago, counselor="wang-li")
    save_note(database, call_id, f"她提到 {OLD_WORD} 很多次")
    retention_purge(JobEnv(database, settings, Outbound(None, None, record=True)), NOW)
    with database.read() as reading:
        assert reading.scalar(select(CallOutcome.id)) is None
    assert OLD_WORD.encode() not in files_of(sqlite_file)


def test_a_reader_holding_old_pages_delays_a_save_briefly_and_the_next_checkpoint_forgets(
    sqlite_file: Engine, cheap_passwords: object
) -> None:
    database = Database(sqlite_file)
    world = RecordsWorld(database, cheap_passwords)
    edited, after = (world.call("city", NOW, counselor="wang-li") for _ in range(2))
    save_note(database, edited, f"她提到 {OLD_WORD} 很多次")
    save_note(database, after, "另一通电话")
    with sqlite_file.connect() as reader:  # an export being streamed, say
        reader.execute(select(CallOutcome.note)).all()
        started = time.monotonic()
        save_note(database, edited, f"她提到 {NEW_WORD}，" + "谈了很久。" * 20)
        assert time.monotonic() - started < AFTER_SAVE_WAIT_S + 1.5
        assert OLD_WORD.encode() in files_of(sqlite_file)  # still in the WAL, for the reader
    save_note(database, after, "另一通电话，改过")
    assert OLD_WORD.encode() not in files_of(sqlite_file)
