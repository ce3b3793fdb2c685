"""Job environments for the scheduler tests: on the test's rolled-back transaction, or on a
fresh database of its own where the scheduler's threads need real commits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hotline.db import Database
from hotline.jobs.env import JobEnv
from hotline.outbound.port import Outbound
from settings import Settings
from tests.conftest import FreshDatabases


@pytest.fixture
def env(database: Database, settings: Settings) -> JobEnv:
    return JobEnv(database, settings, Outbound(None, None, record=True))


@pytest.fixture
def threaded_env(fresh_databases: FreshDatabases, settings: Settings) -> Iterator[JobEnv]:
    """A fresh SQLite database: each scheduler thread takes its own pooled connection."""
    database = Database(fresh_databases.engine("sqlite"))
    yield JobEnv(database, settings, Outbound(None, None, record=True))
    database.dispose()
