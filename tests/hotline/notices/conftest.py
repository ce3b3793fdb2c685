"""The job environment of the notices tests: the test's rolled-back database, nothing sent."""

from __future__ import annotations

from typing import Any

import pytest

from hotline.db import Database
from hotline.jobs.env import JobEnv
from hotline.outbound.port import Outbound
from settings import Settings
from tests.conftest import RecordsWorld


@pytest.fixture
def env(database: Database, settings: Settings) -> JobEnv:
    return JobEnv(database, settings, Outbound(None, None, record=True))


@pytest.fixture
def people(database: Database, cheap_passwords: Any) -> RecordsWorld:
    """Makes users on whatever configuration the test imported."""
    return RecordsWorld(database, cheap_passwords)
